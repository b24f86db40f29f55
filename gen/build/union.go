package build

import (
	"slices"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
)

// hasOwnObjectKeywords reports object keywords written beside a oneOf/anyOf
// that every variant shares.
func (b *builder) hasOwnObjectKeywords(s *jsonschema.Schema) bool {
	return len(s.Properties) > 0 || len(s.Required) > 0 || len(s.PatternProperties) > 0 || (hasRef(s) && !b.isPureRef(s)) || len(s.AllOf) > 0
}

// scalarVariants reports variants that all hold one scalar JSON kind
// (string, number or boolean), e.g. anyOf of an enum and a plain string;
// they merge into one scalar type instead of a union.
func (b *builder) scalarVariants(s *jsonschema.Schema, vs []*jsonschema.Schema) (kset, bool) {
	if b.hasOwnObjectKeywords(s) {
		return 0, false
	}
	var all kset
	n := 0
	for _, v := range vs {
		k := b.kinds(v, 0)
		if k == kNull {
			continue
		}
		k = nonNull(k)
		if k&(kInt|kNum) != 0 {
			k |= kInt | kNum
		}
		if k != kStr && k != kBool && k != kInt|kNum {
			return 0, false
		}
		all |= k
		n++
	}
	if n < 2 || (all != kStr && all != kBool && all != kInt|kNum) {
		return 0, false
	}
	return all, true
}

// scalarShape merges same-kind scalar variants: enums only -> a closed enum
// of all their values; an enum plus plain values -> an open enum; plain values
// only -> the primitive. Checks written in the variants are left to schema
// validation (residual) unless the variants carry none.
func (b *builder) scalarShape(s *jsonschema.Schema, vs []*jsonschema.Schema, k kset, named *ir.Named) (ir.Type, []ir.Residual) {
	var vals []any
	seen := map[string]bool{}
	plain, checks := false, false
	integer := true
	for _, v := range vs {
		v = b.resolve(v)
		if b.isNullVariant(v) {
			continue
		}
		switch {
		case v.Enum != nil:
			for _, x := range v.Enum.Values {
				if t := jsonText(x); x != nil && !seen[t] {
					seen[t] = true
					vals = append(vals, x)
				}
			}
		case v.Const != nil:
			if t := jsonText(*v.Const); *v.Const != nil && !seen[t] {
				seen[t] = true
				vals = append(vals, *v.Const)
			}
		default:
			plain = true
			if b.kinds(v, 0)&kNum != 0 {
				integer = false // a plain "number" variant
			}
		}
		if !b.constraints(v).IsZero() || len(b.residual(v)) > 0 || b.format(v) != "" {
			checks = true
		}
	}
	var res []ir.Residual
	d, ptr, _ := b.where(s)
	if checks {
		kw := unionKeyword(s)
		res = append(res, ir.Residual{Keyword: kw, Loc: b.loc(d, ptr+"/"+kw)})
	}
	if len(vals) == 0 || named == nil {
		kind := ir.KindString
		switch {
		case k == kBool:
			kind = ir.KindBool
		case k&kNum != 0 && integer:
			kind = ir.KindInt64
		case k&kNum != 0:
			kind = ir.KindFloat64
		}
		return &ir.Primitive{Kind: kind, Constraints: b.constraints(s)}, res
	}
	e := &ir.Enum{Kind: b.scalarKind(s, vals), Open: plain}
	if e.Kind == ir.KindInt64 && !integer {
		e.Kind = ir.KindFloat64
	}
	for _, v := range vals {
		e.Values = append(e.Values, ir.EnumValue{JSON: jsonText(v)})
	}
	return e, res
}

// unionShape builds a sealed sum type from typed oneOf/anyOf variants.
func (b *builder) unionShape(s *jsonschema.Schema, vs []*jsonschema.Schema, named *ir.Named, d *load.Doc, ptr string) ir.Type {
	kw := unionKeyword(s)
	src := unionSource{oneOf: kw == "oneOf", vdoc: d, vptr: ptr + "/" + kw}
	if b.hasOwnObjectKeywords(s) && nonNull(b.kinds(s, 0))&^kObj == 0 {
		src.base = b.parts(withoutVariants(s))
	}
	return b.unionFrom(s, vs, named, src)
}

// unionSource says where a union's variants are written and what every
// object variant shares.
type unionSource struct {
	oneOf bool
	// vdoc and vptr locate the oneOf/anyOf array.
	vdoc *load.Doc
	vptr string
	// base are flattened parts merged into every object variant.
	base []*jsonschema.Schema
	// distributed is set when the variants come from an allOf entry: each
	// merged variant is then a type of its own, named after the union.
	distributed bool
}

// distributedUnion handles an object whose allOf (or $ref) brings in exactly
// one oneOf/anyOf: the value is one of those variants, each merged with
// everything else the object declares.
func (b *builder) distributedUnion(s *jsonschema.Schema, named *ir.Named) ir.Type {
	if named == nil || len(typedVariants(s)) > 0 || nonNull(b.kinds(s, 0)) != kObj {
		return nil
	}
	parts := b.parts(s)
	var up *jsonschema.Schema
	for _, p := range parts[1:] {
		vs := typedVariants(p)
		if len(vs) == 0 {
			continue
		}
		if _, scalar := b.scalarVariants(p, vs); scalar {
			continue
		}
		if up != nil {
			return nil
		}
		up = p
	}
	if up == nil {
		return nil
	}
	ud, uptr, ok := b.where(up)
	if !ok {
		return nil
	}
	kw := unionKeyword(up)
	src := unionSource{oneOf: kw == "oneOf", vdoc: ud, vptr: uptr + "/" + kw, distributed: true}
	for _, p := range parts {
		if p == up {
			src.base = append(src.base, withoutVariants(up))
		} else {
			src.base = append(src.base, p)
		}
	}
	return b.unionFrom(s, typedVariants(up), named, src)
}

// vinfo is what choosing a union's strategy needs to know of a variant.
type vinfo struct {
	kinds    kset
	view     *objectView
	isObject bool
}

// unionFrom builds a union from its variant schemas: the variants (see
// unionVariants), then the strategy that tells them apart (see strategy).
func (b *builder) unionFrom(s *jsonschema.Schema, vs []*jsonschema.Schema, named *ir.Named, src unionSource) ir.Type {
	u := &ir.Union{OneOf: src.oneOf}
	infos := b.unionVariants(u, s, vs, named, src)
	strategy(u, infos, b.tagOf)
	return u
}

// unionVariants appends the non-null variants of vs to u, declaring an
// object variant merged with the shared keywords as a type of its own, and
// returns what choosing the strategy needs of each.
func (b *builder) unionVariants(u *ir.Union, s *jsonschema.Schema, vs []*jsonschema.Schema, named *ir.Named, src unionSource) []vinfo {
	base := len(src.base) > 0
	parent := ""
	if m := b.meta[named]; named != nil && m != nil {
		parent = m.rawName
	}
	suffixes := b.variantSuffixes(src.vdoc, src.vptr, parent)
	var infos []vinfo
	for i, v := range vs {
		if b.isNullVariant(v) {
			continue
		}
		vd, vptr := src.vdoc, src.vptr+"/"+strconv.Itoa(i)
		var t ir.Type
		k := nonNull(b.kinds(v, 0))
		if base {
			k &= nonNull(b.kinds(s, 0)) | kObj
		}
		info := vinfo{kinds: k}
		if base && (k == kObj || k == nonNull(kAll)) {
			// The variant is the shared object keywords plus its own.
			id := vd.Path + "#" + vptr
			if src.distributed {
				id = named.ID + "@" + vptr
			}
			n, ok := b.named[id]
			if !ok {
				v := v
				n = b.declare(id, v, vd, vptr, func(n *ir.Named) (ir.Type, []ir.Residual) {
					// The variant's own checks (a "not", an "if") stay
					// with it, so trying each variant tells them apart.
					own := b.parts(v)
					parts := append(slices.Clip(own), src.base...)
					view := b.view(parts)
					// Checks of the shared keywords that the variant's
					// struct does not express are outside the variant's
					// schema: the union's schema holds them.
					for _, r := range b.shadowResidual(view, src.base) {
						if named != nil && !slices.Contains(b.unionRes[named], r) {
							b.unionRes[named] = append(b.unionRes[named], r)
						}
					}
					return b.objectFromParts(v, parts, n), b.variantResidual(v, own, view)
				})
				if src.distributed {
					// The merged variant belongs to the object, not to the
					// file that wrote the oneOf.
					m, owner := b.meta[n], b.meta[named]
					m.rawName, m.priority = owner.rawName+suffixes[i], prioDerived
					if m.file != owner.file {
						m.file.Types = slices.DeleteFunc(m.file.Types, func(x *ir.Named) bool { return x == n })
						m.file = owner.file
						m.file.Types = append(m.file.Types, n)
					}
				}
			}
			t = b.ref(n)
			info.kinds = kObj
		} else {
			var null bool
			t, null = b.typeOf(v)
			t = wrapNull(t, null)
		}
		if info.kinds == kObj {
			parts := append(b.parts(v), src.base...)
			info.view = b.view(parts)
			info.isObject = true
		}
		infos = append(infos, info)
		u.Variants = append(u.Variants, &ir.Variant{Type: t, Kinds: jsonKinds(info.kinds), Loc: b.loc(vd, vptr),
			Name: suffixes[i], Doc: sanitize(v.Title, v.Description)})
	}
	return infos
}

// strategy sets how u tells its variants apart, the first that applies of:
// a discriminator (a property required in every variant with a distinct
// constant in each, tagOf giving a property's constant), disjoint JSON
// kinds, a required property unique to each variant, else trying each.
func strategy(u *ir.Union, infos []vinfo, tagOf func(*objectView, string) string) {
	allObjects := len(infos) > 1
	for _, in := range infos {
		if !in.isObject {
			allObjects = false
		}
	}
	if allObjects {
		for _, p := range infos[0].view.props {
			tags := make([]string, len(infos))
			seen := map[string]bool{}
			ok := true
			for i, in := range infos {
				tag := tagOf(in.view, p.name)
				if tag == "" || seen[tag] || !in.view.reqSet[p.name] {
					ok = false
					break
				}
				seen[tag] = true
				tags[i] = tag
			}
			if ok {
				u.Strategy = ir.ByDiscriminator
				u.Discriminator = p.name
				for i, v := range u.Variants {
					v.Tag = tags[i]
				}
				return
			}
		}
	}
	// JSON kind: every variant accepts kinds no other accepts.
	disjoint := true
	var union kset
	for _, in := range infos {
		k := in.kinds
		if k&(kInt|kNum) != 0 {
			k |= kInt | kNum
		}
		if union&k != 0 || k == nonNull(kAll) || k == 0 {
			disjoint = false
		}
		union |= k
	}
	if disjoint {
		u.Strategy = ir.ByKind
		return
	}
	// Required property sets: each variant requires a property no other
	// variant declares or requires.
	if allObjects {
		markers := make([]string, len(infos))
		ok := true
		for i, in := range infos {
			for _, r := range in.view.required {
				unique := true
				for j, other := range infos {
					if j == i {
						continue
					}
					if other.view.reqSet[r] || other.view.declares(r) {
						unique = false
						break
					}
				}
				if unique {
					markers[i] = r
					break
				}
			}
			if markers[i] == "" {
				ok = false
				break
			}
		}
		if ok {
			u.Strategy = ir.ByRequired
			for i, v := range u.Variants {
				v.Marker = markers[i]
			}
			return
		}
	}
	u.Strategy = ir.TryEach
}

// variantResidual lists the checks of an object variant v merged with the
// shared keywords (parts = own + base) that its struct does not express:
// v's own residual keywords, a oneOf/anyOf nested in v (the struct merges
// only its object keywords), and the checks of a property declared both by
// v and by the shared keywords that v's declaration did not shape (view is
// the merged object keywords).
func (b *builder) variantResidual(v *jsonschema.Schema, own []*jsonschema.Schema, view *objectView) []ir.Residual {
	res := b.residual(v)
	if vs := typedVariants(v); len(vs) > 0 {
		if d, ptr, ok := b.where(v); ok {
			kw := unionKeyword(v)
			res = append(res, ir.Residual{Keyword: kw, Loc: b.loc(d, ptr+"/"+kw)})
		}
	}
	for _, r := range b.shadowResidual(view, own) {
		if !slices.Contains(res, r) {
			res = append(res, r)
		}
	}
	return res
}

func (v *objectView) declares(name string) bool {
	for _, p := range v.props {
		if p.name == name {
			return true
		}
	}
	return false
}

// tagOf returns the constant value of a property as JSON text, "" when the
// property is not a single constant.
func (b *builder) tagOf(v *objectView, name string) string {
	for _, p := range v.props {
		if p.name != name {
			continue
		}
		s := b.resolve(p.schema)
		if s.Const != nil {
			return jsonText(*s.Const)
		}
		if s.Enum != nil && len(s.Enum.Values) == 1 {
			return jsonText(s.Enum.Values[0])
		}
	}
	return ""
}

// withoutVariants returns a copy of s without oneOf/anyOf, for merging its
// object keywords into each variant.
func withoutVariants(s *jsonschema.Schema) *jsonschema.Schema {
	c := *s
	c.OneOf, c.AnyOf = nil, nil
	return &c
}

// kindUnion builds a union with one variant per JSON kind of a schema with
// several types ("type": ["string", "object"]).
func (b *builder) kindUnion(s *jsonschema.Schema, k kset, named *ir.Named) ir.Type {
	d, ptr, _ := b.where(s)
	u := &ir.Union{OneOf: true, Strategy: ir.ByKind}
	for _, one := range []kset{kBool, kInt, kNum, kStr, kArr, kObj} {
		if k&one == 0 {
			continue
		}
		var t ir.Type
		switch {
		case one == kObj && hasRef(s) && withoutRefIsEmpty(s) && nonNull(b.kinds(refTarget(s), 0)) == kObj:
			// A $ref with a "type" beside it that admits more kinds than
			// the target: objects are the target's type. Whether the target
			// admits null does not matter here: null is its own kind in
			// this union.
			t, _ = b.typeOf(refTarget(s))
		case one == kObj && b.isStruct(s) || one == kArr && isTuple(s):
			id := d.Path + "#" + ptr + "@" + kindSuffix(one)
			n, ok := b.named[id]
			if !ok {
				one := one
				n = b.declare(id, s, d, ptr, func(n *ir.Named) (ir.Type, []ir.Residual) { return b.single(s, one, n), nil })
				m := b.meta[n]
				m.nullable = false
				if named != nil {
					m.rawName = b.meta[named].rawName + kindSuffix(one)
				}
				m.priority = prioDerived
				n.Loc = b.loc(d, ptr)
			}
			t = b.ref(n)
		default:
			t = b.single(s, one, nil)
		}
		name := ""
		if named != nil {
			name = kindSuffix(one)
		}
		u.Variants = append(u.Variants, &ir.Variant{Name: name, Type: t, Kinds: jsonKinds(one), Loc: b.loc(d, ptr+"/type")})
	}
	return u
}
