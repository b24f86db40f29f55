package emit_test

import (
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/gen/emit"
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

func TestPackageErrors(t *testing.T) {
	nc := ir.NoConstraints()
	named := func(name string, ty ir.Type) *ir.Named {
		return &ir.Named{Name: name, Loc: ir.Loc{File: "a.json", Line: 3, Col: 5}, Type: ty}
	}
	file := func(name string, types ...*ir.Named) *ir.File {
		return &ir.File{Name: name, Path: "a.json", Source: "a.json", Types: types}
	}
	tests := []struct {
		name string
		pkg  *ir.Package
		want string
	}{
		{"inline object", &ir.Package{Name: "p", Files: []*ir.File{file("a.parsec.go", named("A", &ir.Array{Elem: &ir.Struct{}, Constraints: nc}))}},
			"a.json:3:5: type A: internal error: an object type must be named"},
		{"residual in unknown file", &ir.Package{Name: "p", Files: []*ir.File{file("a.parsec.go", func() *ir.Named {
			n := named("A", &ir.Primitive{Kind: ir.KindString, Constraints: nc})
			n.Loc.File = "elsewhere.json"
			n.Residual = []ir.Residual{{Keyword: "not"}}
			return n
		}())}}, `schema file "elsewhere.json" of residual keywords is not in the package`},
		{"bad bound", &ir.Package{Name: "p", Files: []*ir.File{file("a.parsec.go", named("A", &ir.Primitive{Kind: ir.KindInt64,
			Constraints: func() ir.Constraints { c := nc; c.Minimum = "1; os.Exit(1)"; return c }()}))}}, `bound "1; os.Exit(1)" is not a number`},
		{"bad enum string", &ir.Package{Name: "p", Files: []*ir.File{file("a.parsec.go", named("A", &ir.Enum{Kind: ir.KindString,
			Values: []ir.EnumValue{{Name: "AX", JSON: `"x" + y`}}}))}}, `is not a JSON string`},
		{"nil package", nil, "nil package"},
	}
	for _, tt := range tests {
		_, err := emit.Package(tt.pkg, emit.Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestCommentsCannotInject feeds doc text that would end a block comment or
// start code on a new line; the output must still be one comment per line.
func TestCommentsCannotInject(t *testing.T) {
	evil := []string{"A is */ func init() { panic(1) } /*", "second\nfunc init() { panic(2) }", "third\r\nvar X = 1", "\u2028fourth\u2029", "bad \xff utf8 \ufeff"}
	n := &ir.Named{Name: "A", Loc: ir.Loc{File: "a.json"}, Doc: evil, Type: &ir.Primitive{Kind: ir.KindString, Constraints: ir.NoConstraints()}}
	files, err := emit.Package(&ir.Package{Name: "p", Files: []*ir.File{{Name: "a.parsec.go", Path: "a.json", Source: "a.json\nfunc x() {}", Types: []*ir.Named{n}}}}, emit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := string(files[0].Content)
	for _, line := range strings.Split(src, "\n") {
		if strings.Contains(line, "panic(") || strings.Contains(line, "var X") || strings.Contains(line, "func x()") {
			if !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("schema text escaped its comment: %q", line)
			}
		}
	}
	if !strings.Contains(src, "// source: a.json func x() {}") {
		t.Errorf("source line not kept on one line:\n%s", src[:200])
	}
}

func TestNumbersMustBeJSON(t *testing.T) {
	for _, bad := range []string{"1/2", "0x10", "01", "1.", ".5", "1e", "--1", "1_000", "Inf", "1e999999999", "1e-999999999", "1e400"} {
		c := ir.NoConstraints()
		c.Maximum = bad
		n := &ir.Named{Name: "A", Loc: ir.Loc{File: "a.json"}, Type: &ir.Primitive{Kind: ir.KindFloat64, Constraints: c}}
		_, err := emit.Package(&ir.Package{Name: "p", Files: []*ir.File{{Name: "a.parsec.go", Path: "a.json", Source: "a.json", Types: []*ir.Named{n}}}}, emit.Options{})
		if err == nil {
			t.Errorf("maximum %q accepted", bad)
		}
	}
}
