package cli

import (
	"io"
	"os"
	"path/filepath"

	udiff "github.com/aymanbagabas/go-udiff"
)

// writeDiff prints the plan as one unified diff in git's format (paths under
// a/ and b/, /dev/null for an added or removed file), so the output can be
// read in review or applied with git apply or patch -p1. show turns a file
// name in the output directory into the path printed.
func (p plan) writeDiff(w io.Writer, show func(name string) string) error {
	for _, c := range p.items {
		path := filepath.ToSlash(show(c.name))
		oldLabel, newLabel := "a/"+path, "b/"+path
		var old, new string
		switch c.verb {
		case "add":
			oldLabel, new = "/dev/null", string(c.content)
		case "remove", "change":
			data, err := os.ReadFile(filepath.Join(p.dir, c.name))
			if err != nil {
				return err
			}
			old = string(data)
			if c.verb == "remove" {
				newLabel = "/dev/null"
			} else {
				new = string(c.content)
			}
		default:
			panic("unreachable: change verb " + c.verb)
		}
		if _, err := io.WriteString(w, udiff.Unified(oldLabel, newLabel, old, new)); err != nil {
			return err
		}
	}
	return nil
}
