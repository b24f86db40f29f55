package gen_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen"
)

// TestTrivialValidateSkipped checks that Validate does not call into a type
// whose Validate can never fail (Money, and Node, which only refers to
// itself), while a type with a constraint two levels down (Line, through
// Item) keeps its call, and that every type keeps its Validate method.
func TestTrivialValidateSkipped(t *testing.T) {
	fsys := fstest.MapFS{"schemas/order.json": {Data: []byte(`{
  "type": "object",
  "properties": {
    "total": {"$ref": "#/$defs/Money"},
    "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}},
    "tree": {"$ref": "#/$defs/Node"}
  },
  "$defs": {
    "Money": {"type": "object", "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}}},
    "Line": {"type": "object", "properties": {"item": {"$ref": "#/$defs/Item"}}},
    "Item": {"type": "object", "properties": {"sku": {"type": "string", "maxLength": 8}}},
    "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}
  }
}`)}}
	cfg := gen.Config{FS: fsys, Schemas: []string{"schemas/order.json"}, Package: "events"}
	p, err := gen.Model(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"Order": false, "Money": true, "Line": false, "Item": false, "Node": true}
	for _, n := range p.Files[0].Types {
		if w, ok := want[n.Name]; ok && n.Trivial != w {
			t.Errorf("%s: Trivial = %v, want %v", n.Name, n.Trivial, w)
		}
	}
	out, err := gen.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var src string
	for _, f := range out {
		src += string(f.Content)
	}
	for _, s := range []string{
		`.Validate(), i), "lines")`,
		`v.Item.Value.Validate()`,
		`func (v *Money) Validate() error {` + "\n\treturn nil\n}",
		`func (v *Node) Validate() error {` + "\n\treturn nil\n}",
	} {
		if !strings.Contains(src, s) {
			t.Errorf("output lacks %q", s)
		}
	}
	for _, s := range []string{`v.Total.Validate()`, `v.Tree.Validate()`, `Children[i].Validate()`} {
		if strings.Contains(src, s) {
			t.Errorf("output calls %q, a Validate that never fails", s)
		}
	}
}
