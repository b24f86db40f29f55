package build

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// TestInvariantsCatchBrokenModels breaks a model Build returned, one way at
// a time, and expects the check Build runs to report an internal error at
// the type concerned.
func TestInvariantsCatchBrokenModels(t *testing.T) {
	fsys := fstest.MapFS{"pay.json": {Data: []byte(`{
  "oneOf": [
    {"type": "object", "properties": {"card": {"type": "string"}, "pair": {"$ref": "#/$defs/Pair"}}, "required": ["card"]},
    {"type": "string"}
  ],
  "$defs": {"Pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "minItems": 1}}
}`)}}
	union := func(p *ir.Package) *ir.Union { return p.Files[0].Root.Type.(*ir.Union) }
	tests := []struct {
		name string
		brk  func(p *ir.Package)
		want string
	}{
		{"empty union", func(p *ir.Package) { union(p).Variants = nil }, "union without variants"},
		{"variant form", func(p *ir.Package) { union(p).Variants[1].Form = ir.VariantSelf }, "declared as self, want wrapper"},
		{"helper name", func(p *ir.Package) { union(p).Match = "Other" }, "helper names"},
		{"missing doc", func(p *ir.Package) { p.Files[0].Root.Doc = nil }, "has no doc comment"},
		{"reserved file", func(p *ir.Package) { p.Files[0].Name = ir.ClientFile }, "reserved"},
		{"trivial union", func(p *ir.Package) { p.Files[0].Root.Trivial = true }, "marked trivially valid"},
		{"client names", func(p *ir.Package) { p.Files[0].Client.On = "OnX" }, "typed client names"},
		{"tuple order", func(p *ir.Package) {
			for _, n := range p.Files[0].Types {
				if tu, ok := n.Type.(*ir.Tuple); ok {
					tu.Items[0].Required, tu.Items[1].Required = false, true
				}
			}
		}, "required item 1 follows an optional one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := buildOne(fsys, "pay.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := checkInvariants(p); err != nil {
				t.Fatalf("model as built: %v", err)
			}
			tt.brk(p)
			err2 := checkInvariants(p)
			if err2 == nil {
				t.Fatal("broken model passes")
			}
			if msg := err2.Error(); !strings.Contains(msg, "internal error") || !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "pay.json") {
				t.Errorf("error %q: want an internal error at pay.json saying %q", msg, tt.want)
			}
		})
	}
}
