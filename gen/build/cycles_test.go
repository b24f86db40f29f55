package build

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// directCycle returns a cycle of several types whose methods call each other
// directly (through no indirect Ref), or "" when there is none: what
// markIndirect must leave behind.
func directCycle(p *ir.Package) string {
	state := map[*ir.Named]int{} // 1 on the path, 2 done
	var path []string
	var visit func(n *ir.Named) string
	visit = func(n *ir.Named) string {
		state[n] = 1
		path = append(path, n.Name)
		for _, r := range callRefs(n.Type) {
			m := r.Target.Final()
			if m == n || r.Indirect {
				continue
			}
			if state[m] == 1 {
				return fmt.Sprintf("%v -> %s", path, m.Name)
			}
			if state[m] == 0 {
				if c := visit(m); c != "" {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[n] = 2
		return ""
	}
	for _, f := range p.Files {
		for _, n := range f.Types {
			if hasMethods(n) && state[n] == 0 {
				if c := visit(n); c != "" {
					return c
				}
			}
		}
	}
	return ""
}

// TestIndirectBreaksCycles checks that a cycle through three types is
// broken at its one back edge, in declaration order, and that a reference of
// a type to itself stays direct.
func TestIndirectBreaksCycles(t *testing.T) {
	fsys := fstest.MapFS{"chain.json": {Data: []byte(`{
  "$ref": "#/definitions/a",
  "definitions": {
    "a": {"type": "object", "properties": {"b": {"$ref": "#/definitions/b"}, "self": {"$ref": "#/definitions/a"}}},
    "b": {"type": "object", "additionalProperties": {"$ref": "#/definitions/c"}},
    "c": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/definitions/a"}}}}
  }
}`)}}
	p, err := buildOne(fsys, "chain.json")
	if err != nil {
		t.Fatal(err)
	}
	if c := directCycle(p); c != "" {
		t.Fatalf("direct cycle left: %s", c)
	}
	var indirect []string
	for _, f := range p.Files {
		for _, n := range f.Types {
			for _, r := range callRefs(n.Type) {
				if r.Indirect {
					indirect = append(indirect, n.Name+"->"+r.Target.Final().Name)
				}
			}
			if n.Indirect != nil && n.Name != "A" {
				t.Errorf("%s has function variables %+v; only A is called indirectly", n.Name, *n.Indirect)
			}
		}
	}
	if fmt.Sprint(indirect) != "[C->A]" {
		t.Errorf("indirect references %v, want [C->A]", indirect)
	}
	a := p.Files[0].Root.Final()
	want := ir.IndirectNames{Decode: "indirectDecodeA", Encode: "indirectEncodeA", Validate: "indirectValidateA"}
	if a.Indirect == nil || *a.Indirect != want {
		t.Errorf("A's function variables %v, want %+v", a.Indirect, want)
	}
}
