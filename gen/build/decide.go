package build

import (
	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// Complete records in p the decisions that follow from the rest of the
// model once names are final: how each struct holds its undeclared
// properties, how each union variant is declared, the names of each union's
// helpers, which aspect roots are unions, the typed client's names per
// aspect, which types' Validate can never fail and which references to
// another type on a cycle are called through function variables. Build
// calls it; a model written by hand (a test's) calls it to be what Build
// would produce.
func Complete(p *ir.Package) {
	for _, f := range p.Files {
		complete(f)
	}
	markTrivial(p)
	markIndirect(p)
}

// complete makes the decisions of Complete for one file.
func complete(f *ir.File) {
	for _, n := range f.Types {
		switch t := n.Type.(type) {
		case *ir.Struct:
			t.Holder, t.Held = holderOf(t)
		case *ir.Union:
			h := unionHelpers(n.Name)
			t.Marker, t.Decode, t.DecodeBody, t.Encode, t.Validate, t.Funcs, t.Match =
				h.marker, h.decode, h.decode+"Body", h.encode, h.validate, h.funcs, h.match
			for _, v := range t.Variants {
				v.Form, v.Target = variantForm(v.Type)
			}
		}
	}
	f.RootUnion, f.Client = nil, ir.AspectNames{}
	if f.Root == nil {
		return
	}
	if n := f.Root.Final(); n != nil {
		if _, ok := n.Type.(*ir.Union); ok {
			f.RootUnion = n
		}
	}
	f.Client = aspectNames(f.Root.Name)
}

// holderOf says how undeclared properties are kept: raw when they are kept
// untyped or when several types may apply (patterns plus additional), typed
// when exactly one type applies to all of them.
func holderOf(s *ir.Struct) (ir.Holder, ir.Type) {
	if s.AdditionalField == "" {
		return ir.HoldNone, nil
	}
	switch {
	case len(s.Patterns) == 0 && s.Unknown == ir.UnknownTyped:
		return ir.HoldTyped, s.Additional
	case len(s.Patterns) == 1 && s.Unknown == ir.UnknownReject:
		return ir.HoldTyped, s.Patterns[0].Type
	}
	return ir.HoldRaw, nil
}

// implementer returns the struct or tuple a variant of type t refers to,
// directly or through aliases; that type implements the union itself. Nil
// when the variant needs a type of its own.
func implementer(t ir.Type) *ir.Named {
	r, ok := t.(*ir.Ref)
	if !ok {
		return nil
	}
	n := r.Target.Final()
	if n == nil {
		return nil
	}
	switch n.Type.(type) {
	case *ir.Struct, *ir.Tuple:
		return n
	}
	return nil
}

// variantForm decides how a variant of type t is declared: nothing of its
// own when a struct or tuple implements the union, a struct holding the
// value when t is another union (left unflattened because it is reached
// through an alias), else a defined type over t.
func variantForm(t ir.Type) (ir.VariantForm, *ir.Named) {
	if n := implementer(t); n != nil {
		return ir.VariantSelf, n
	}
	if r, ok := t.(*ir.Ref); ok {
		if n := r.Target.Final(); n != nil {
			if _, ok := n.Type.(*ir.Union); ok {
				return ir.VariantHolder, n
			}
		}
	}
	return ir.VariantWrapper, nil
}

// helperNames are the names declared for a union beside its interface.
type helperNames struct {
	marker, decode, encode, validate, funcs, match string
}

// unionHelpers names the helpers of the union named name. Match is exported
// and claimed in the package scope by finalize; the others are unexported
// and cannot meet an exported type name.
func unionHelpers(name string) helperNames {
	return helperNames{
		marker: "is" + name, decode: "decode" + name, encode: "encode" + name,
		validate: "validate" + name, funcs: "union" + name, match: "Match" + name,
	}
}

// aspectNames are the typed client's names for an aspect whose root type is
// root; finalize claims them.
func aspectNames(root string) ir.AspectNames {
	c, m := naming.AspectNames(root), naming.AspectMethodPrefixes()
	return ir.AspectNames{Const: c[0], Ref: c[1], Publish: m[0] + root, PublishDerived: m[1] + root, On: m[2] + root, Handle: m[3] + root}
}
