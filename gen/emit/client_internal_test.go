package emit

import (
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

func aspectFile(name, aspect string, types ...*ir.Named) *ir.File {
	root := &ir.Named{Name: types[0].Name, Type: &ir.Struct{}}
	types[0] = root
	return &ir.File{Name: name + ".parsec.go", Path: name + ".json", Source: "schemas/" + name + ".json",
		Aspect: aspect, SchemaRef: name + ".json", Root: root, Types: types}
}

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

// TestClientFileNameClashes: names the client file would declare twice are
// an error naming both places, never a file that does not compile.
func TestClientFileNameClashes(t *testing.T) {
	tests := []struct {
		name  string
		files []*ir.File
		want  []string
	}{
		{
			name:  "type named like a fixed declaration",
			files: []*ir.File{aspectFile("order", "order", &ir.Named{Name: "Order"}, &ir.Named{Name: "Client", Type: &ir.Struct{}})},
			want:  []string{"the typed client: Client clashes with schemas/order.json: type Client"},
		},
		{
			name: "Publish+DerivedFoo and PublishDerived+Foo",
			files: []*ir.File{
				aspectFile("derived_foo", "derived_foo", &ir.Named{Name: "DerivedFoo"}),
				aspectFile("foo", "foo", &ir.Named{Name: "Foo"}),
			},
			want: []string{`schemas/foo.json: aspect "foo" method: PublishDerivedFoo clashes with schemas/derived_foo.json: aspect "derived_foo" method`},
		},
		{
			name:  "type named like an aspect constant",
			files: []*ir.File{aspectFile("foo", "foo", &ir.Named{Name: "Foo"}, &ir.Named{Name: "AspectFoo", Type: &ir.Struct{}})},
			want:  []string{`schemas/foo.json: aspect "foo": AspectFoo clashes with schemas/foo.json: type AspectFoo`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := clientFile(&ir.Package{Name: "events", Files: tt.files})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestClientFileAspectWithoutRoot is an internal error, not a panic.
func TestClientFileAspectWithoutRoot(t *testing.T) {
	_, err := clientFile(&ir.Package{Name: "events", Files: []*ir.File{{Name: "a.parsec.go", Source: "schemas/a.json", Aspect: "a"}}})
	if err == nil || !strings.Contains(err.Error(), `schemas/a.json: internal error: aspect "a" has no root type`) {
		t.Errorf("error = %v", err)
	}
}
