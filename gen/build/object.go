package build

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// parts returns the schemas whose object keywords merge into s: s itself,
// the target of a $ref written beside other keywords, and allOf entries,
// recursively, each once, in author order.
func (b *builder) parts(s *jsonschema.Schema) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	seen := map[*jsonschema.Schema]bool{}
	var walk func(*jsonschema.Schema)
	walk = func(s *jsonschema.Schema) {
		if s == nil || seen[s] || s.Bool != nil {
			return
		}
		seen[s] = true
		out = append(out, s)
		if hasRef(s) {
			walk(refTarget(s))
		}
		for _, a := range s.AllOf {
			walk(a)
		}
	}
	walk(s)
	return out
}

// prop is one merged property.
type prop struct {
	name   string
	schema *jsonschema.Schema
}

// objectView is the merged object keywords of a list of parts.
type objectView struct {
	props      []prop
	required   []string
	reqSet     map[string]bool
	additional any // nil, bool or *jsonschema.Schema
	patterns   []prop
	depReq     []ir.Dependency
	// shadowed are property schemas that assert something but do not shape
	// their field, because another part declares the same property: the
	// value must satisfy them too, which schema validation checks.
	shadowed []*jsonschema.Schema
}

func (b *builder) view(parts []*jsonschema.Schema) *objectView {
	v := &objectView{reqSet: map[string]bool{}}
	index := map[string]int{}
	elsewhere := false
	for _, p := range parts {
		elsewhere = elsewhere || evaluatesElsewhere(p)
	}
	for i, p := range parts {
		d, ptr, _ := b.where(p)
		for _, k := range sortedKeys(d, ptr, "properties", p.Properties) {
			ps := p.Properties[k]
			if j, ok := index[k]; ok {
				b.checkMergeConflict(k, v.props[j].schema, ps)
				shaper, other := mergeProp(v.props[j].schema, ps)
				v.props[j].schema = shaper
				if other != nil {
					v.shadowed = append(v.shadowed, other)
				}
				continue
			}
			index[k] = len(v.props)
			v.props = append(v.props, prop{name: k, schema: ps})
		}
		for _, r := range p.Required {
			if !v.reqSet[r] {
				v.reqSet[r] = true
				v.required = append(v.required, r)
			}
		}
		if i == 0 || v.additional == nil {
			if p.AdditionalProperties != nil {
				v.additional = p.AdditionalProperties
			}
		}
		if f, ok := p.AdditionalProperties.(bool); ok && !f {
			v.additional = false
		}
		if rejectsUnevaluated(p) && !elsewhere {
			v.additional = false
		}
		pats := map[string]*jsonschema.Schema{}
		for re, ps := range p.PatternProperties {
			pats[re.String()] = ps
		}
		for _, k := range sortedKeys(d, ptr, "patternProperties", pats) {
			v.patterns = append(v.patterns, prop{name: k, schema: pats[k]})
		}
		for _, k := range sortedKeys(d, ptr, "dependentRequired", p.DependentRequired) {
			v.depReq = append(v.depReq, ir.Dependency{If: k, Then: p.DependentRequired[k], Loc: b.loc(d, ptr+"/dependentRequired/"+escape(k))})
		}
		for _, k := range sortedKeys(d, ptr, "dependencies", p.Dependencies) {
			if req, ok := p.Dependencies[k].([]string); ok {
				v.depReq = append(v.depReq, ir.Dependency{If: k, Then: req, Loc: b.loc(d, ptr+"/dependencies/"+escape(k))})
			}
		}
	}
	return v
}

// isAnnotationOnly reports a schema with no assertion at all ({}, true or
// docs only).
func isAnnotationOnly(s *jsonschema.Schema) bool {
	if s.Bool != nil {
		return *s.Bool
	}
	return !hasRef(s) && withoutRefIsEmpty(s)
}

// mergeProp decides which of two schemas of one property, declared by two
// merged parts (first is the one met first), shapes the field. A schema
// that asserts nothing yields to the other; one that only adds checks
// ({"minItems": 1}) yields to one that gives a shape (a type, a $ref);
// otherwise the first wins. The loser is returned when it still asserts
// something: the value must satisfy both, so the caller has it checked by
// schema validation.
func mergeProp(first, next *jsonschema.Schema) (shaper, other *jsonschema.Schema) {
	switch {
	case isAnnotationOnly(next):
		return first, nil
	case isAnnotationOnly(first):
		return next, nil
	case isConstraintOnly(first) && !isConstraintOnly(next):
		shaper, other = next, first
	default:
		shaper, other = first, next
	}
	if valuesSatisfy(shaper, other) {
		return shaper, nil
	}
	return shaper, other
}

// valuesSatisfy reports that every value s admits is known to satisfy c: s
// is a closed set of values (enum or const) and c asserts nothing but
// "type", "enum" and "const", which each value meets. This is the usual
// narrowing of a shared discriminator ({"enum": ["bind", "derived"]} in the
// shared keywords, {"const": "bind"} in a variant), which needs no check.
func valuesSatisfy(s, c *jsonschema.Schema) bool {
	if s.Bool != nil || c.Bool != nil || hasRef(s) || hasRef(c) {
		return false
	}
	var vals []any
	switch {
	case s.Const != nil:
		vals = []any{*s.Const}
	case s.Enum != nil:
		vals = s.Enum.Values
	default:
		return false
	}
	rest := *c
	rest.Types, rest.Enum, rest.Const = nil, nil, nil
	if !withoutRefIsEmpty(&rest) {
		return false
	}
	for _, v := range vals {
		if c.Types != nil {
			if ksetOf(c.Types.ToStrings())&kindOfValue(v) == 0 {
				return false
			}
		}
		text := jsonText(v)
		if c.Const != nil && jsonText(*c.Const) != text {
			return false
		}
		if c.Enum != nil && !slices.ContainsFunc(c.Enum.Values, func(e any) bool { return jsonText(e) == text }) {
			return false
		}
	}
	return true
}

// shadowResidual lists, as "properties" residuals, the shadowed property
// schemas of v written inside own (the parts the declaring type's schema
// covers, so validating the value against that schema checks them).
func (b *builder) shadowResidual(v *objectView, own []*jsonschema.Schema) []ir.Residual {
	var out []ir.Residual
	for _, sh := range v.shadowed {
		for _, p := range own {
			if !declaresSchema(p, sh) {
				continue
			}
			if d, ptr, ok := b.where(sh); ok {
				out = append(out, ir.Residual{Keyword: "properties", Loc: b.loc(d, ptr)})
			}
			break
		}
	}
	return out
}

// declaresSchema reports whether one of p's properties is the schema sh.
func declaresSchema(p, sh *jsonschema.Schema) bool {
	for _, ps := range p.Properties {
		if ps == sh {
			return true
		}
	}
	return false
}

// checkMergeConflict reports a property declared twice with disjoint types.
func (b *builder) checkMergeConflict(name string, a, c *jsonschema.Schema) {
	ka, kc := b.kinds(a, 0), b.kinds(c, 0)
	if ka&kc != 0 {
		return
	}
	da, pa, ok1 := b.where(a)
	dc, pc, ok2 := b.where(c)
	if !ok1 || !ok2 {
		return
	}
	file, pos := da.Place(pa)
	b.errorf(dc, pc, "property %q: type %s conflicts with type %s at %s:%d:%d (allOf merges both)",
		name, kindSuffix(nonNull(kc)), kindSuffix(nonNull(ka)), file, pos.Line, pos.Col)
}

// isStruct reports whether an object schema becomes a struct (else a map).
func (b *builder) isStruct(s *jsonschema.Schema) bool {
	v := b.view(b.parts(s))
	return b.viewIsStruct(v)
}

func (b *builder) viewIsStruct(v *objectView) bool {
	if len(v.props) > 0 || len(v.required) > 0 || len(v.depReq) > 0 {
		return true
	}
	rejects := v.additional == false
	switch len(v.patterns) {
	case 0:
		return rejects
	case 1:
		return !rejects
	}
	return true
}

// objectShape builds a struct or map from s merged with extra parts.
func (b *builder) objectShape(s *jsonschema.Schema, extra []*jsonschema.Schema, named *ir.Named) ir.Type {
	parts := b.parts(s)
	for _, e := range extra {
		parts = append(parts, b.parts(e)...)
	}
	return b.objectFromParts(s, parts, named)
}

// objectFromParts builds a struct or map from already flattened parts; s
// gives the place and the object bounds.
func (b *builder) objectFromParts(s *jsonschema.Schema, parts []*jsonschema.Schema, named *ir.Named) ir.Type {
	v := b.view(parts)
	c := b.constraints(s)
	objC := ir.NoConstraints()
	objC.MinProperties, objC.MaxProperties = c.MinProperties, c.MaxProperties
	d, ptr, _ := b.where(s)
	if !b.viewIsStruct(v) || named == nil {
		m := &ir.Map{Constraints: objC}
		switch {
		case len(v.patterns) == 1:
			t, null := b.typeOf(v.patterns[0].schema)
			m.Value = wrapNull(t, null)
			m.KeyPattern = &ir.Pattern{Source: v.patterns[0].name, Loc: b.loc(d, ptr+"/patternProperties/"+escape(v.patterns[0].name))}
		case v.additional != nil && v.additional != true:
			if as, ok := v.additional.(*jsonschema.Schema); ok {
				t, null := b.typeOf(as)
				m.Value = wrapNull(t, null)
			} else {
				m.Value = &ir.Raw{Constraints: ir.NoConstraints()}
			}
		default:
			m.Value = &ir.Raw{Constraints: ir.NoConstraints()}
		}
		return m
	}
	st := &ir.Struct{Constraints: objC, DependentRequired: v.depReq}
	scope := naming.NewScope(naming.ReservedFieldNames()...)
	for i, p := range v.props {
		pd, pptr, ok := b.where(p.schema)
		if !ok {
			pd, pptr = d, ptr+"/properties/"+escape(p.name)
		}
		f := b.field(p.name, p.schema, v.reqSet[p.name], pd, pptr, scope, i)
		st.Fields = append(st.Fields, f)
	}
	declared := map[string]bool{}
	for _, p := range v.props {
		declared[p.name] = true
	}
	for i, r := range v.required {
		if declared[r] {
			continue
		}
		// Required but not declared: the value may be anything the
		// additional properties allow.
		var t ir.Type = &ir.Raw{Constraints: ir.NoConstraints()}
		null := false
		if as, ok := v.additional.(*jsonschema.Schema); ok {
			t, null = b.typeOf(as)
		}
		name := b.fieldName(r, "", d, ptr, scope, len(v.props)+i)
		repr := ir.ReprPlain
		if null {
			repr = ir.ReprNullable
		}
		st.Fields = append(st.Fields, &ir.Field{Name: name, JSONName: r, Required: true, Repr: repr, Type: t,
			Doc: fieldDoc(name, r, "", "", false), Loc: b.loc(d, ptr+"/required")})
	}
	switch a := v.additional.(type) {
	case bool:
		if !a {
			st.Unknown = ir.UnknownReject
		}
	case *jsonschema.Schema:
		if a.Bool != nil {
			if !*a.Bool {
				st.Unknown = ir.UnknownReject
			}
		} else {
			st.Unknown = ir.UnknownTyped
			t, null := b.typeOf(a)
			st.Additional = wrapNull(t, null)
		}
	}
	for _, p := range v.patterns {
		t, null := b.typeOf(p.schema)
		st.Patterns = append(st.Patterns, ir.PatternProperty{
			Pattern: ir.Pattern{Source: p.name, Loc: b.loc(d, ptr+"/patternProperties/"+escape(p.name))},
			Type:    wrapNull(t, null)})
	}
	if st.Unknown != ir.UnknownReject || len(st.Patterns) > 0 {
		name, err := scope.ClaimFirstFree("additional properties", "AdditionalProperties", "XAdditionalProperties", "AdditionalPropertiesMap")
		if err != nil {
			b.errorf(d, ptr, "no Go name left for the additional properties field: %v", err)
		}
		st.AdditionalField = name
	}
	if b.acceptsAll(s) {
		// No keyword asserts the kind: the struct is the ergonomic form
		// of the objects, and the other kinds are kept as written.
		name, err := scope.ClaimFirstFree("value of another kind", "NonObject", "XNonObject", "NonObjectValue")
		if err != nil {
			b.errorf(d, ptr, "no Go name left for the field of non-object values: %v", err)
		}
		st.Other = name
	}
	return st
}

// acceptsAll reports a schema whose kind is only guessed from object
// keywords: a validator accepts a value of any kind.
func (b *builder) acceptsAll(s *jsonschema.Schema) bool {
	_, explicit := b.kindsX(s, 0)
	return !explicit
}

// fieldName picks a struct field name: x-go-name, else the JSON name in Go
// case; a collision takes the 1-based position as a suffix.
func (b *builder) fieldName(jsonName, explicit string, d *load.Doc, ptr string, scope *naming.Scope, pos int) string {
	place := fmt.Sprintf("property %q", jsonName)
	if explicit != "" {
		if err := scope.Claim(explicit, place); err != nil {
			b.errorf(d, ptr, "property %q: %v", jsonName, err)
		}
		return explicit
	}
	n := b.goName(d, ptr, jsonName)
	got, err := scope.ClaimFirstFree(place, n, n+"Field", n+strconv.Itoa(pos+1))
	if err != nil {
		b.errorf(d, ptr, "property %q: %v", jsonName, err)
	} else if got != n {
		b.warnFieldRename(d, ptr, jsonName, n, got, scope)
	}
	return got
}

func (b *builder) field(jsonName string, s *jsonschema.Schema, required bool, d *load.Doc, ptr string, scope *naming.Scope, pos int) *ir.Field {
	explicit := ""
	if s.Bool == nil {
		explicit = b.explicitName(s, d, ptr)
	}
	name := b.fieldName(jsonName, explicit, d, ptr, scope, pos)
	t, null := b.typeOf(s)
	repr := ir.ReprPlain
	switch {
	case required && null:
		repr = ir.ReprNullable
	case !required && null:
		repr = ir.ReprOptNullable
	case !required:
		repr = ir.ReprOpt
	}
	return &ir.Field{Name: name, JSONName: jsonName, Required: required, Repr: repr, Type: t,
		Deprecated: b.deprecated(s), Doc: fieldDoc(name, jsonName, s.Title, s.Description, b.deprecated(s)), Loc: b.loc(d, ptr)}
}

// arrayShape builds a slice or a tuple.
func (b *builder) arrayShape(s *jsonschema.Schema, named *ir.Named) ir.Type {
	c := b.constraints(s)
	arrC := ir.NoConstraints()
	arrC.MinItems, arrC.MaxItems, arrC.UniqueItems = c.MinItems, c.MaxItems, c.UniqueItems
	d, ptr, _ := b.where(s)
	var prefix []*jsonschema.Schema
	var rest any // nil (anything), *jsonschema.Schema or false
	var prefixKw string
	switch it := s.Items.(type) {
	case []*jsonschema.Schema:
		prefix, rest, prefixKw = it, s.AdditionalItems, "items"
	case *jsonschema.Schema:
		t, null := b.typeOf(it)
		return &ir.Array{Elem: wrapNull(t, null), Constraints: arrC}
	}
	if len(s.PrefixItems) > 0 {
		prefix, prefixKw = s.PrefixItems, "prefixItems"
		if s.Items2020 != nil {
			rest = s.Items2020
		}
	} else if s.Items2020 != nil && prefix == nil {
		t, null := b.typeOf(s.Items2020)
		return &ir.Array{Elem: wrapNull(t, null), Constraints: arrC}
	}
	if prefix == nil || named == nil {
		return &ir.Array{Elem: &ir.Raw{Constraints: ir.NoConstraints()}, Constraints: arrC}
	}
	tu := &ir.Tuple{Constraints: arrC}
	scope := naming.NewScope(naming.ReservedFieldNames()...)
	for i, ps := range prefix {
		pptr := ptr + "/" + prefixKw + "/" + strconv.Itoa(i)
		name := "Item" + strconv.Itoa(i)
		if err := scope.Claim(name, pptr); err != nil {
			b.errorf(d, pptr, "%v", err)
		}
		t, null := b.typeOf(ps)
		required := i < arrC.MinItems
		repr := ir.ReprPlain
		switch {
		case required && null:
			repr = ir.ReprNullable
		case !required && null:
			repr = ir.ReprOptNullable
		case !required:
			repr = ir.ReprOpt
		}
		tu.Items = append(tu.Items, &ir.Field{Name: name, JSONName: strconv.Itoa(i), Required: required, Repr: repr,
			Type: t, Doc: []string{fmt.Sprintf("%s is the item at index %d.", name, i)}, Loc: b.loc(d, pptr)})
	}
	switch r := rest.(type) {
	case nil:
		tu.Rest = &ir.Raw{Constraints: ir.NoConstraints()}
	case bool:
		if r {
			tu.Rest = &ir.Raw{Constraints: ir.NoConstraints()}
		}
	case *jsonschema.Schema:
		if r.Bool == nil || *r.Bool {
			t, null := b.typeOf(r)
			tu.Rest = wrapNull(t, null)
		}
	}
	if tu.Rest != nil {
		tu.RestField = "Rest"
	}
	return tu
}

// parseGoType parses an x-go-type value: "Name", "pkg.Name" or
// "example.com/path/pkg.Name".
func parseGoType(s string) (*ir.External, bool) {
	dot := -1
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			dot = i
			break
		}
		if s[i] == '/' {
			break
		}
	}
	if dot < 0 {
		if !naming.IsExportedIdent(s) && !naming.IsReserved(s) {
			return nil, false
		}
		return &ir.External{Name: s}, true
	}
	pkg, name := s[:dot], s[dot+1:]
	if pkg == "" || !naming.IsExportedIdent(name) {
		return nil, false
	}
	return &ir.External{Path: pkg, Name: name}, true
}

// rejectsUnevaluated reports "unevaluatedProperties": false.
func rejectsUnevaluated(s *jsonschema.Schema) bool {
	u := s.UnevaluatedProperties
	return u != nil && u.Bool != nil && !*u.Bool
}

// evaluatesElsewhere reports applicators whose properties are not merged
// into the struct (oneOf, anyOf, if/then/else, dependentSchemas): with them,
// "unevaluatedProperties": false cannot be decided by the struct alone and
// is left to schema validation.
func evaluatesElsewhere(s *jsonschema.Schema) bool {
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 || s.If != nil || len(s.DependentSchemas) > 0 {
		return true
	}
	for _, d := range s.Dependencies {
		if _, ok := d.(*jsonschema.Schema); ok {
			return true
		}
	}
	return false
}
