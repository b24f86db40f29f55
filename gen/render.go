package gen

import (
	"slices"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen/emit"
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// render turns the IR into files sorted by name.
func render(p *ir.Package) (Files, error) {
	out, err := emit.Package(p, emit.Options{})
	if err != nil {
		return nil, err
	}
	files := make(Files, 0, len(out))
	for _, f := range out {
		files = append(files, File{Name: f.Name, Content: f.Content})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}
