package parsec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestEveryValueTypeHasIsZero holds the package doc to its word: every
// exported type a generated struct can hold has an IsZero method, so that
// `omitzero` works on it. Error types and interfaces are not held in structs
// and are exempt; a new value type without IsZero fails here.
func TestEveryValueTypeHasIsZero(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]*ast.TypeSpec{}
	methods := map[string]map[string]bool{} // receiver type -> method names
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						types[ts.Name.Name] = ts
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil {
					continue
				}
				recv := baseName(d.Recv.List[0].Type)
				if methods[recv] == nil {
					methods[recv] = map[string]bool{}
				}
				methods[recv][d.Name.Name] = true
			}
		}
	}
	if len(types) < 10 {
		t.Fatalf("found only %d exported types: the scan is broken", len(types))
	}
	for name, ts := range types {
		recv := name
		if ts.Assign.IsValid() {
			recv = baseName(ts.Type) // an alias has the methods of its target
		}
		if _, ok := ts.Type.(*ast.InterfaceType); ok || methods[recv]["Error"] {
			continue
		}
		if !methods[recv]["IsZero"] {
			t.Errorf("type %s has no IsZero method", name)
		}
	}
}

// baseName returns the name of the type an expression such as *Map[T] or
// Map[json.RawMessage] refers to.
func baseName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}
