package build

import "github.com/parsec-gen/parsec-gen/gen/ir"

// markTrivial sets ir.Named.Trivial for every type of p: a type is trivially
// valid when Validate checks nothing of its own (the list below follows what
// the emitter renders into a Validate body) and every type it refers to is
// trivially valid. It is the greatest fixed point: every type whose own
// checks are empty starts trivial and loses it while it refers to a type
// that is not, so that a cycle of types without checks stays trivial. When
// in doubt a shape counts as checked.
func markTrivial(p *ir.Package) {
	refs := map[*ir.Named][]*ir.Named{}
	var all []*ir.Named
	var add func(n *ir.Named)
	add = func(n *ir.Named) {
		if n == nil {
			return
		}
		if _, seen := refs[n]; seen {
			return
		}
		own, to := ownTrivial(n)
		refs[n] = to
		all = append(all, n)
		n.Trivial = own
		for _, t := range to {
			add(t)
		}
	}
	for _, f := range p.Files {
		for _, n := range f.Types {
			add(n)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, n := range all {
			if !n.Trivial {
				continue
			}
			for _, t := range refs[n] {
				if t == nil || !t.Trivial {
					n.Trivial, changed = false, true
					break
				}
			}
		}
	}
}

// ownTrivial reports whether the Validate of n checks nothing itself, and
// the types whose Validate it calls.
func ownTrivial(n *ir.Named) (bool, []*ir.Named) {
	w := &trivialWalk{ok: true}
	if len(n.Residual) > 0 {
		w.ok = false
	}
	switch t := n.Type.(type) {
	case *ir.Struct:
		w.structure(t)
	case *ir.Tuple:
		if !t.Constraints.IsZero() {
			w.ok = false
		}
		for _, f := range t.Items {
			w.field(f)
		}
		if t.Rest != nil {
			w.value(t.Rest)
		}
	case *ir.Enum, *ir.Const, *ir.External, *ir.Primitive, *ir.Array, *ir.Map, *ir.Nullable, *ir.Raw, *ir.Never:
		w.value(t)
	case *ir.Ref:
		if t.Target == nil {
			w.ok = false
		}
		w.refs = append(w.refs, t.Target)
	default:
		// A union's Validate reports a value holding no variant.
		w.ok = false
	}
	return w.ok, w.refs
}

// trivialWalk collects what one type's Validate checks and calls.
type trivialWalk struct {
	ok   bool
	refs []*ir.Named
}

// structure is a struct's checks: its fields, the undeclared properties it
// holds and checks, other kinds, dependencies and property counts.
func (w *trivialWalk) structure(s *ir.Struct) {
	if s.Other != "" || len(s.DependentRequired) > 0 || !s.Constraints.IsZero() {
		w.ok = false
	}
	switch s.Holder {
	case ir.HoldRaw:
		if len(s.Patterns) > 0 || s.Unknown != ir.UnknownKeep {
			w.ok = false
		}
	case ir.HoldTyped:
		if len(s.Patterns) > 0 || s.Held == nil {
			w.ok = false
		} else {
			w.value(s.Held)
		}
	}
	for _, f := range s.Fields {
		w.field(f)
	}
}

// field is a property or tuple item: a value behind a pointer is checked
// for presence.
func (w *trivialWalk) field(f *ir.Field) {
	if f.Indirect {
		w.ok = false
	}
	w.value(f.Type)
}

// value is the checks Validate makes of a value of type t.
func (w *trivialWalk) value(t ir.Type) {
	switch t := t.(type) {
	case *ir.Primitive:
		switch t.Kind {
		case ir.KindDateTime, ir.KindDate, ir.KindUUID, ir.KindURI, ir.KindAny:
			w.ok = false // formats and values of any kind are checked
		}
		if !t.Constraints.IsZero() {
			w.ok = false
		}
	case *ir.Enum:
		if !t.Open {
			w.ok = false
		}
	case *ir.Const, *ir.External:
	case *ir.Array:
		if !t.Constraints.IsZero() {
			w.ok = false
		}
		w.value(t.Elem)
	case *ir.Map:
		if t.KeyPattern != nil || !t.Constraints.IsZero() {
			w.ok = false
		}
		w.value(t.Value)
	case *ir.Nullable:
		w.value(t.Elem)
	case *ir.Ref:
		n := t.Target.Final()
		if n == nil {
			w.ok = false
			return
		}
		w.refs = append(w.refs, n)
	case *ir.Raw:
		if !t.Constraints.IsZero() {
			w.ok = false
		}
	default:
		// Never always fails; other shapes are declared, never inline.
		w.ok = false
	}
}
