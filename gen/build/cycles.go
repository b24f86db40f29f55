package build

import "github.com/parsec-gen/parsec-gen/gen/ir"

// markIndirect breaks every cycle of references among several named types
// in the static call graph of the generated code. The decode, encode and
// Validate methods of a struct, tuple, array or map type call those of the
// types its values refer to; around a cycle of such references the methods
// form one strongly connected component, and the Go compiler's escape
// analysis processes a component as one batch, in time that grows with the
// square of its size (a cycle of thousands of types took minutes to build).
// A depth-first search over the types in declaration order marks each back
// edge, a Ref to a type still being visited, as Indirect; without the back
// edges the graph is acyclic, so every component is a single type. A type
// that refers only to itself needs nothing and is left alone. Unions are
// not nodes: their helpers are package functions the search does not
// follow, and a cycle that passes through a union is left as it is.
//
// The function variables are named "indirectDecode", "indirectEncode" and
// "indirectValidate" followed by the target's name. Type names are unique
// in the package and no other generated name starts with "indirect", so
// they cannot collide.
func markIndirect(p *ir.Package) {
	const (
		unseen = iota
		active
		done
	)
	state := map[*ir.Named]int{}
	var visit func(n *ir.Named)
	visit = func(n *ir.Named) {
		state[n] = active
		for _, r := range callRefs(n.Type) {
			m := r.Target.Final()
			switch {
			case m == n:
				// Self-recursion is a component of one type.
			case state[m] == active:
				r.Indirect = true
				if m.Indirect == nil {
					m.Indirect = &ir.IndirectNames{
						Decode:   "indirectDecode" + m.Name,
						Encode:   "indirectEncode" + m.Name,
						Validate: "indirectValidate" + m.Name,
					}
				}
			case state[m] == unseen:
				visit(m)
			}
		}
		state[n] = done
	}
	for _, f := range p.Files {
		for _, n := range f.Types {
			if hasMethods(n) && state[n] == unseen {
				visit(n)
			}
		}
	}
}

// hasMethods reports whether n is declared with decode, encode and Validate
// methods that call those of other types: a struct, tuple, array or map.
func hasMethods(n *ir.Named) bool {
	switch n.Type.(type) {
	case *ir.Struct, *ir.Tuple, *ir.Array, *ir.Map:
		return true
	}
	return false
}

// callRefs are the references in t along which the methods of the type
// declaring t call the methods of another type with methods, in order: the
// types of struct fields, undeclared and pattern properties, tuple items,
// array elements, map values and nullable values, each up to the first Ref.
func callRefs(t ir.Type) []*ir.Ref {
	var out []*ir.Ref
	seen := map[*ir.Ref]bool{}
	var walk func(t ir.Type)
	walk = func(t ir.Type) {
		switch t := t.(type) {
		case *ir.Struct:
			for _, f := range t.Fields {
				walk(f.Type)
			}
			walk(t.Additional)
			for _, pp := range t.Patterns {
				walk(pp.Type)
			}
			walk(t.Held)
		case *ir.Tuple:
			for _, f := range t.Items {
				walk(f.Type)
			}
			walk(t.Rest)
		case *ir.Array:
			walk(t.Elem)
		case *ir.Map:
			walk(t.Value)
		case *ir.Nullable:
			walk(t.Elem)
		case *ir.Ref:
			if m := t.Target.Final(); m != nil && hasMethods(m) && !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		case *ir.Enum, *ir.Const, *ir.Primitive, *ir.Union, *ir.External, *ir.Raw, *ir.Never, nil:
		default:
			panic("unreachable: ir type in callRefs")
		}
	}
	walk(t)
	return out
}
