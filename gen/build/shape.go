// Shapes: which Go shape a schema gets, and when it is declared as a named
// type of its own.

package build

import (
	"slices"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
)

// isConstraintOnly reports a schema that adds checks but no shape: no type,
// $ref, enum, const, properties or items.
func isConstraintOnly(s *jsonschema.Schema) bool {
	if s.Bool != nil || hasRef(s) || s.Types != nil || s.Enum != nil || s.Const != nil ||
		len(s.Properties) > 0 || len(s.PatternProperties) > 0 || s.AdditionalProperties != nil ||
		s.Items != nil || len(s.PrefixItems) > 0 || s.Items2020 != nil {
		return false
	}
	for _, group := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf} {
		for _, v := range group {
			if !isConstraintOnly(v) {
				return false
			}
		}
	}
	return true
}

// typedVariants returns the oneOf (else anyOf) variants when they describe
// shapes, nil when they only add checks.
func typedVariants(s *jsonschema.Schema) []*jsonschema.Schema {
	for _, vs := range [][]*jsonschema.Schema{s.OneOf, s.AnyOf} {
		if len(vs) == 0 {
			continue
		}
		typed := false
		for _, v := range vs {
			if !isConstraintOnly(v) {
				typed = true
			}
		}
		if typed {
			return vs
		}
	}
	return nil
}

// unionKeyword says which keyword typedVariants used.
func unionKeyword(s *jsonschema.Schema) string {
	vs := typedVariants(s)
	if len(vs) > 0 && len(s.OneOf) > 0 && &vs[0] == &s.OneOf[0] {
		return "oneOf"
	}
	return "anyOf"
}

// isNullVariant reports a variant that only admits null.
func (b *builder) isNullVariant(v *jsonschema.Schema) bool {
	return b.kinds(v, 0) == kNull
}

// nullable reports whether a schema admits null besides another kind, so a
// presence wrapper must keep null apart from a value.
func (b *builder) nullable(s *jsonschema.Schema) bool {
	s = b.resolve(s)
	if v, ok := b.nullMem[s]; ok {
		return v
	}
	b.nullMem[s] = false // cycle guard
	k := b.kinds(s, 0)
	res := k&kNull != 0 && nonNull(k) != 0 && k != kAll
	if !res {
		if vs := typedVariants(s); len(vs) > 0 {
			hasNull, hasOther := false, false
			for _, v := range vs {
				if b.isNullVariant(v) {
					hasNull = true
				} else {
					hasOther = true
				}
			}
			res = hasNull && hasOther
		}
	}
	b.nullMem[s] = res
	return res
}

// collapsedVariant returns the only non-null variant of a union that is
// T-or-null, when the schema has nothing else that shapes the value.
func (b *builder) collapsedVariant(s *jsonschema.Schema) *jsonschema.Schema {
	vs := typedVariants(s)
	if len(vs) == 0 || s.Types != nil || len(s.Properties) > 0 || s.Enum != nil || s.Const != nil || hasRef(s) || len(s.AllOf) > 0 {
		return nil
	}
	var only *jsonschema.Schema
	for _, v := range vs {
		if b.isNullVariant(v) {
			continue
		}
		if only != nil {
			return nil
		}
		only = v
	}
	return only
}

// typeOf returns the Go type of a schema used in a position (field, item,
// value, variant) and whether null must be kept apart from a value.
func (b *builder) typeOf(s *jsonschema.Schema) (ir.Type, bool) {
	if ext := b.goType(s); ext != nil {
		return ext, b.nullable(s)
	}
	if b.isPureRef(s) {
		if ext := b.goType(b.resolve(s)); ext != nil {
			return ext, b.nullable(s)
		}
	}
	if s.Bool != nil {
		if *s.Bool {
			return &ir.Raw{Constraints: ir.NoConstraints()}, false
		}
		return &ir.Never{}, false
	}
	if b.isPureRef(s) {
		t := b.resolve(s)
		if t.Bool != nil {
			return b.typeOf(t)
		}
		n := b.namedFor(t, false)
		if n == nil {
			return &ir.Raw{Constraints: ir.NoConstraints()}, false
		}
		return b.ref(n), b.meta[n].nullable
	}
	if v := b.collapsedVariant(s); v != nil && len(b.residual(s)) == 0 {
		t, _ := b.typeOf(v)
		return t, true
	}
	if b.needsNamed(s) {
		n := b.namedFor(s, false)
		if n == nil {
			return &ir.Raw{Constraints: ir.NoConstraints()}, false
		}
		return b.ref(n), b.meta[n].nullable
	}
	t, _ := b.shape(s, nil)
	return t, b.nullable(s)
}

func (b *builder) ref(n *ir.Named) *ir.Ref {
	r := &ir.Ref{Target: n}
	b.refs = append(b.refs, r)
	return r
}

// wrapNull wraps t in ir.Nullable when null must be kept apart.
func wrapNull(t ir.Type, nullable bool) ir.Type {
	if nullable {
		return &ir.Nullable{Elem: t}
	}
	return t
}

// needsNamed reports whether a schema's Go type must be declared.
func (b *builder) needsNamed(s *jsonschema.Schema) bool {
	if s.Bool != nil {
		return false
	}
	if len(b.residual(s)) > 0 {
		return true
	}
	if s.Enum != nil {
		vals := 0
		for _, v := range s.Enum.Values {
			if v != nil {
				vals++
			}
		}
		return vals > 1
	}
	if s.Const != nil {
		return false
	}
	if len(typedVariants(s)) > 0 {
		return true
	}
	k := nonNull(b.kinds(s, 0))
	if k == nonNull(kAll) || k == 0 {
		return false
	}
	if countKinds(k) > 1 {
		return true
	}
	switch k {
	case kObj:
		return b.isStruct(s)
	case kArr:
		return isTuple(s)
	}
	return false
}

func isTuple(s *jsonschema.Schema) bool {
	if _, ok := s.Items.([]*jsonschema.Schema); ok {
		return true
	}
	return len(s.PrefixItems) > 0
}

// namedFor returns the declared type for the schema's location, creating
// and building it on first use.
func (b *builder) namedFor(s *jsonschema.Schema, isRoot bool) *ir.Named {
	s = b.resolve(s)
	d, ptr, ok := b.where(s)
	if !ok {
		return nil
	}
	id := d.Path + "#" + ptr
	if n, ok := b.named[id]; ok {
		return n
	}
	return b.declare(id, s, d, ptr, func(n *ir.Named) (ir.Type, []ir.Residual) { return b.shape(s, n) })
}

// declare registers a Named before building its shape, so recursive
// references find it.
func (b *builder) declare(id string, s *jsonschema.Schema, d *load.Doc, ptr string,
	build func(*ir.Named) (ir.Type, []ir.Residual)) *ir.Named {
	n := &ir.Named{ID: id, Loc: b.loc(d, ptr)}
	m := &namedMeta{doc: d, ptr: ptr, schema: s, file: b.file(d), nullable: b.nullable(s),
		title: s.Title, desc: s.Description, deprec: b.deprecated(s)}
	m.rawName, m.priority = b.rawName(s, d, ptr)
	b.named[id] = n
	b.meta[n] = m
	b.order = append(b.order, n)
	m.file.Types = append(m.file.Types, n)
	n.Type, n.Residual = build(n)
	return n
}

// shape builds the Go shape of a schema; named is the declaration it is
// built for, nil for an inline type.
func (b *builder) shape(s *jsonschema.Schema, named *ir.Named) (ir.Type, []ir.Residual) {
	d, ptr, _ := b.where(s)
	var res []ir.Residual
	if named != nil {
		res = b.residual(s)
	}
	if s.Bool != nil {
		t, _ := b.typeOf(s)
		return t, res
	}
	if v := b.collapsedVariant(s); v != nil && named != nil {
		t, _ := b.typeOf(v)
		return t, res
	}
	if s.Enum != nil {
		return b.enumShape(s, named), res
	}
	if s.Const != nil {
		if *s.Const == nil {
			return &ir.Primitive{Kind: ir.KindNull, Constraints: ir.NoConstraints()}, res
		}
		return &ir.Const{Kind: b.scalarKind(s, []any{*s.Const}), JSON: jsonText(*s.Const)}, res
	}
	if vs := typedVariants(s); len(vs) > 0 {
		if k, ok := b.scalarVariants(s, vs); ok {
			t, more := b.scalarShape(s, vs, k, named)
			return t, append(res, more...)
		}
		t := b.unionShape(s, vs, named, d, ptr)
		return t, b.withUnionResidual(res, named)
	}
	if t := b.distributedUnion(s, named); t != nil {
		return t, b.withUnionResidual(res, named)
	}
	k := nonNull(b.kinds(s, 0))
	if k == 0 && b.kinds(s, 0) == kNull {
		return &ir.Primitive{Kind: ir.KindNull, Constraints: ir.NoConstraints()}, res
	}
	if k == nonNull(kAll) || k == 0 {
		return &ir.Raw{Constraints: b.constraints(s)}, res
	}
	if countKinds(k) > 1 {
		return b.kindUnion(s, k, named), res
	}
	return b.single(s, k, named), res
}

// withUnionResidual adds to res the checks unionFrom left to the union's
// schema, once each.
func (b *builder) withUnionResidual(res []ir.Residual, named *ir.Named) []ir.Residual {
	for _, r := range b.unionRes[named] {
		if !slices.Contains(res, r) {
			res = append(res, r)
		}
	}
	return res
}

// single builds the shape for exactly one JSON kind.
func (b *builder) single(s *jsonschema.Schema, k kset, named *ir.Named) ir.Type {
	switch k {
	case kObj:
		return b.objectShape(s, nil, named)
	case kArr:
		return b.arrayShape(s, named)
	case kBool:
		return &ir.Primitive{Kind: ir.KindBool, Constraints: b.constraints(s)}
	case kInt:
		return b.primitive(s, ir.KindInt64)
	case kNum:
		return b.primitive(s, ir.KindFloat64)
	case kStr:
		return b.primitive(s, ir.KindString)
	}
	panic("unreachable: single kind " + strconv.Itoa(int(k)))
}
