package emit

import (
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// TestClientFileOnlyWithAspects: a package of $ref-only files gets no
// client file.
func TestClientFileOnlyWithAspects(t *testing.T) {
	p := &ir.Package{Name: "events", Files: []*ir.File{{Name: "defs.parsec.go", Source: "schemas/defs.json",
		Types: []*ir.Named{{Name: "Money", Type: &ir.Struct{}}}}}}
	files, err := clientFile(p)
	if err != nil || len(files) != 0 {
		t.Errorf("clientFile = %d files, %v; want none", len(files), err)
	}
}

// TestClientFileAspectWithoutRoot is an internal error, not a panic.
func TestClientFileAspectWithoutRoot(t *testing.T) {
	_, err := clientFile(&ir.Package{Name: "events", Files: []*ir.File{{Name: "a.parsec.go", Source: "schemas/a.json", Aspect: "a"}}})
	if err == nil || !strings.Contains(err.Error(), `schemas/a.json: internal error: aspect "a" has no root type`) {
		t.Errorf("error = %v", err)
	}
}
