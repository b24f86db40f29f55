package emit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// exported returns the exported top-level names declared by the non-test Go
// files of the package in dir, sorted.
func exported(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							names = append(names, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								names = append(names, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestQPKnowsEveryRuntimeName keeps qp's two sets equal to what the runtime
// packages export, so a name added to or moved between them is routed.
func TestQPKnowsEveryRuntimeName(t *testing.T) {
	if diff := cmp.Diff(exported(t, "../../runtime/parsec"), keys(parsecNames)); diff != "" {
		t.Errorf("parsec exports (-) and qp's parsec names (+) differ:\n%s", diff)
	}
	if diff := cmp.Diff(exported(t, "../../runtime/parsecimpl"), keys(parsecimplNames)); diff != "" {
		t.Errorf("parsecimpl exports (-) and qp's parsecimpl names (+) differ:\n%s", diff)
	}
}

func TestQPRoutes(t *testing.T) {
	for name, want := range map[string]string{"Opt": parsecPath, "DateTime": parsecPath, "Wrap": parsecimplPath, "Decoder": parsecimplPath} {
		if got := jenQualPath(t, qp(name).GoString()); got != want {
			t.Errorf("qp(%q) renders %s, want a name from %s", name, got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("qp of an unknown name did not panic")
		}
	}()
	qp("NoSuchHelper")
}

// jenQualPath returns the import path a rendered qualified name uses.
func jenQualPath(t *testing.T, rendered string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(rendered, "parsecimpl."):
		return parsecimplPath
	case strings.HasPrefix(rendered, "parsec."):
		return parsecPath
	}
	t.Fatalf("unexpected rendering %q", rendered)
	return ""
}
