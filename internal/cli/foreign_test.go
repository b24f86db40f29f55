package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A file in the output directory that has the name of a generated file but
// not the parsec-gen header was written by someone else: generate refuses,
// names it, writes nothing (not even the other files) and exits 1; --check
// reports it the same way.
func TestRefuseToOverwriteForeignFile(t *testing.T) {
	dir := project(t)
	hand := "// Hand-written: do not lose me.\npackage out\n"
	writeTree(t, dir, map[string]string{
		"out/order_placed.parsec.go": hand,
		"out/stale.parsec.go":        Header + "\n\npackage out\n",
	})
	before := readTree(t, filepath.Join(dir, "out"))
	for _, check := range []bool{false, true} {
		args := []string{"generate", "-o", "out", "schemas/order_placed.json", "schemas/order_shipped.json"}
		if check {
			args = append(args[:1], append([]string{"--check"}, args[1:]...)...)
		}
		r := runIn(t, dir, &fakeGen{}, "", args...)
		name := filepath.Join("out", "order_placed.parsec.go")
		if r.code != ExitFailed || !strings.Contains(r.stderr, name) || !strings.Contains(r.stderr, "not written by parsec-gen") {
			t.Errorf("check=%v: exit %d stderr %q; want exit 1 naming %s as not written by parsec-gen", check, r.code, r.stderr, name)
		}
		if diff := cmp.Diff(before, readTree(t, filepath.Join(dir, "out"))); diff != "" {
			t.Errorf("check=%v: the output directory changed (-before +after):\n%s", check, diff)
		}
	}
}
