package build

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
)

// kset is a set of JSON kinds; integer and number are kept apart.
type kset uint8

const (
	kNull kset = 1 << iota
	kBool
	kInt
	kNum
	kStr
	kArr
	kObj
	kAll = kNull | kBool | kInt | kNum | kStr | kArr | kObj
)

func ksetOf(types []string) kset {
	var k kset
	for _, t := range types {
		switch t {
		case "null":
			k |= kNull
		case "boolean":
			k |= kBool
		case "integer":
			k |= kInt
		case "number":
			k |= kNum | kInt
		case "string":
			k |= kStr
		case "array":
			k |= kArr
		case "object":
			k |= kObj
		}
	}
	return k
}

func kindOfValue(v any) kset {
	switch v := v.(type) {
	case nil:
		return kNull
	case bool:
		return kBool
	case string:
		return kStr
	case []any:
		return kArr
	case map[string]any:
		return kObj
	default:
		if isIntegerText(fmt.Sprint(v)) {
			return kInt
		}
		return kNum
	}
}

func isIntegerText(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// kinds returns the JSON kinds a schema admits, from "type", enum, const,
// $ref, allOf or the keywords that imply an object or array; kAll when
// nothing restricts it.
func (b *builder) kinds(s *jsonschema.Schema, depth int) kset {
	k, _ := b.kindsX(s, depth)
	return k
}

// kindInfo is a memoized kind set and whether a keyword asserts it.
type kindInfo struct {
	k        kset
	explicit bool
}

// kindsX returns the kinds and whether they are asserted ("type", enum,
// const, or asserted by every variant) rather than guessed from object or
// array keywords. A guess yields to any asserted kinds: {"$ref": X, "type":
// ["boolean", "object"]} with X only holding "properties" admits booleans.
func (b *builder) kindsX(s *jsonschema.Schema, depth int) (kset, bool) {
	if ki, ok := b.kindMem[s]; ok {
		return ki.k, ki.explicit
	}
	b.kindMem[s] = kindInfo{k: kAll} // a schema reached again through itself adds no restriction
	k, explicit := b.kindsOnce(s, depth)
	b.kindMem[s] = kindInfo{k: k, explicit: explicit}
	return k, explicit
}

func (b *builder) kindsOnce(s *jsonschema.Schema, depth int) (kset, bool) {
	if depth > 64 {
		return kAll, false
	}
	if s.Bool != nil {
		if *s.Bool {
			return kAll, true
		}
		return 0, true
	}
	k, explicit := kAll, false
	guess, guessed := kAll, false
	assert := func(a kset) {
		k &= a
		explicit = true
	}
	if s.Types != nil {
		assert(ksetOf(s.Types.ToStrings()))
	}
	if s.Enum != nil {
		var e kset
		for _, v := range s.Enum.Values {
			e |= kindOfValue(v)
		}
		assert(e | widenInt(e))
	}
	if s.Const != nil {
		c := kindOfValue(*s.Const)
		assert(c | widenInt(c))
	}
	sub := func(x *jsonschema.Schema) {
		xk, xe := b.kindsX(x, depth+1)
		if xe {
			assert(xk)
		} else if xk != kAll {
			guess &= xk
			guessed = true
		}
	}
	if hasRef(s) {
		sub(refTarget(s))
	}
	for _, a := range s.AllOf {
		sub(a)
	}
	if vs := typedVariants(s); len(vs) > 0 {
		var u kset
		all := true
		for _, v := range vs {
			vk, ve := b.kindsX(v, depth+1)
			u |= vk
			all = all && ve
		}
		if all {
			assert(u)
		} else if u != kAll {
			guess &= u
			guessed = true
		}
	}
	// Declared properties make a schema read as an object. Keywords that
	// only constrain members (additionalProperties, items) make no guess:
	// without a type such a value may be of any kind (see residualOf).
	if len(s.Properties) > 0 {
		guess &= kObj
		guessed = true
	}
	if explicit {
		return k, true
	}
	if guessed && guess != 0 {
		return guess, false
	}
	return kAll, false
}

// widenInt makes an integer enum value acceptable to a number type.
func widenInt(k kset) kset {
	if k&kInt != 0 {
		return kNum
	}
	return 0
}

// nonNull returns the kinds without null, with integer folded into number
// when both are present.
func nonNull(k kset) kset {
	k &^= kNull
	if k&kNum != 0 {
		k &^= kInt
	}
	return k
}

func countKinds(k kset) int {
	n := 0
	for k != 0 {
		n += int(k & 1)
		k >>= 1
	}
	return n
}

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

// deprecated reports "deprecated": true, also in a draft before 2019-09
// that does not define the keyword (it is an annotation; its meaning is
// plain).
func (b *builder) deprecated(s *jsonschema.Schema) bool {
	if s.Deprecated {
		return true
	}
	v, _ := b.ext(s, "deprecated")
	return v == true
}

// The rule for "format" (runtime/schema applies the same one): the formats
// the generator gives a Go type assert in every draft, by the type's parser;
// the other formats the validator knows assert in draft-04 to -07 and are
// annotations from 2019-09 on. A format that asserts where the Go type does
// not parse it is checked through the schema.

// typedFormatKinds are the formats with a Go type and the kind that type
// has.
var typedFormatKinds = map[string]kset{"date-time": kStr, "date": kStr, "uuid": kStr, "uri": kStr, "byte": kStr,
	"int32": kInt, "uint64": kInt, "float": kNum}

// knownFormats are the other formats the validator checks.
var knownFormats = map[string]bool{"json-pointer": true, "relative-json-pointer": true, "duration": true,
	"period": true, "ipv4": true, "ipv6": true, "hostname": true, "email": true, "time": true, "iri": true,
	"uri-reference": true, "iri-reference": true, "uri-template": true, "semver": true, "regex": true}

// formatAsserts reports whether format f is an assertion in s's draft, or
// everywhere with Config.AssertFormats.
func (b *builder) formatAsserts(s *jsonschema.Schema, f string) bool {
	return typedFormatKinds[f] != 0 || knownFormats[f] && (s.DraftVersion < 2019 || b.cfg.AssertFormats)
}

// formatParsed reports whether the Go type of s parses format f: s has
// exactly the kind of the format's Go type and no enum or const.
func (b *builder) formatParsed(s *jsonschema.Schema, f string) bool {
	k := typedFormatKinds[f]
	return k != 0 && s.Enum == nil && s.Const == nil && nonNull(b.kinds(s, 0)) == k
}

// format returns the format keyword as written.
func (b *builder) format(s *jsonschema.Schema) string {
	if s.Format != nil {
		return s.Format.Name
	}
	v, _ := b.ext(s, "format")
	f, _ := v.(string)
	return f
}

func (b *builder) primitive(s *jsonschema.Schema, kind ir.Kind) ir.Type {
	f := b.format(s)
	switch kind {
	case ir.KindString:
		switch f {
		case "date-time":
			kind = ir.KindDateTime
		case "date":
			kind = ir.KindDate
		case "uuid":
			kind = ir.KindUUID
		case "uri":
			kind = ir.KindURI
		case "byte":
			kind = ir.KindBytes
		}
	case ir.KindInt64:
		switch f {
		case "int32":
			kind = ir.KindInt32
		case "uint64":
			kind = ir.KindUint64
		}
	case ir.KindFloat64:
		if f == "float" {
			kind = ir.KindFloat32
		}
	}
	return &ir.Primitive{Kind: kind, Format: f, Constraints: b.constraints(s)}
}

func (b *builder) constraints(s *jsonschema.Schema) ir.Constraints {
	c := ir.NoConstraints()
	c.Minimum = ratText(s.Minimum)
	c.Maximum = ratText(s.Maximum)
	c.ExclusiveMinimum = ratText(s.ExclusiveMinimum)
	c.ExclusiveMaximum = ratText(s.ExclusiveMaximum)
	c.MultipleOf = ratText(s.MultipleOf)
	c.MinLength = intOr(s.MinLength)
	c.MaxLength = intOr(s.MaxLength)
	if s.Pattern != nil {
		if d, ptr, ok := b.where(s); ok {
			c.Pattern = &ir.Pattern{Source: s.Pattern.String(), Loc: b.loc(d, ptr+"/pattern")}
		}
	}
	c.MinItems = intOr(s.MinItems)
	c.MaxItems = intOr(s.MaxItems)
	c.UniqueItems = s.UniqueItems
	c.MinProperties = intOr(s.MinProperties)
	c.MaxProperties = intOr(s.MaxProperties)
	return c
}

// scalarKind picks the Go kind for enum or const values.
func (b *builder) scalarKind(s *jsonschema.Schema, vals []any) ir.Kind {
	var k kset
	for _, v := range vals {
		if v != nil {
			k |= kindOfValue(v)
		}
	}
	declared := kAll
	if s.Types != nil {
		declared = ksetOf(s.Types.ToStrings())
	}
	switch {
	case k == kStr:
		return ir.KindString
	case k == kBool:
		return ir.KindBool
	case k == kInt && (s.Types == nil || declared&kNum == 0):
		return ir.KindInt64
	case k == kInt || k == kNum || k == kInt|kNum:
		return ir.KindFloat64
	}
	return ir.KindAny
}

func (b *builder) enumShape(s *jsonschema.Schema, named *ir.Named) ir.Type {
	var vals []any
	seen := map[string]bool{}
	for _, v := range s.Enum.Values {
		if v == nil {
			continue
		}
		if t := jsonText(v); !seen[t] {
			seen[t] = true
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return &ir.Primitive{Kind: ir.KindNull, Constraints: ir.NoConstraints()}
	}
	kind := b.scalarKind(s, vals)
	if len(vals) == 1 {
		return &ir.Const{Kind: kind, JSON: jsonText(vals[0])}
	}
	e := &ir.Enum{Kind: kind}
	for _, v := range vals {
		e.Values = append(e.Values, ir.EnumValue{JSON: jsonText(v)})
	}
	return e
}

// residual lists keywords of s (and of the parts merged into it) that the Go
// type does not express and that generated code checks against the schema.
func (b *builder) residual(s *jsonschema.Schema) []ir.Residual {
	return b.residualOf(s, true)
}

// residualOf lists the keywords; withAllOf adds the allOf and $ref checks,
// which look at the merged parts (without recursing into their parts, so
// cycles through $ref end).
func (b *builder) residualOf(s *jsonschema.Schema, withAllOf bool) []ir.Residual {
	d, ptr, ok := b.where(s)
	if !ok || s.Bool != nil {
		return nil
	}
	var out []ir.Residual
	add := func(kw string) {
		out = append(out, ir.Residual{Keyword: kw, Loc: b.loc(d, ptr+"/"+kw)})
	}
	if s.Not != nil {
		add("not")
	}
	if s.If != nil {
		add("if")
	}
	if len(s.DependentSchemas) > 0 {
		add("dependentSchemas")
	}
	for _, v := range s.Dependencies {
		if _, ok := v.(*jsonschema.Schema); ok {
			add("dependencies")
			break
		}
	}
	if pn := s.PropertyNames; pn != nil && !trivialPropertyNames(pn) {
		add("propertyNames")
	}
	if s.Contains != nil {
		add("contains")
	}
	if f := b.format(s); f != "" && b.formatAsserts(s, f) && !b.formatParsed(s, f) {
		add("format")
	}
	if b.kinds(s, 0) == kAll {
		// Member keywords on a value of any kind: the value stays raw JSON
		// and the keywords are checked by the schema.
		for _, kw := range []struct {
			name string
			set  bool
		}{
			{"additionalProperties", s.AdditionalProperties != nil && s.AdditionalProperties != true},
			{"patternProperties", len(s.PatternProperties) > 0},
			{"items", s.Items != nil || s.Items2020 != nil},
			{"prefixItems", len(s.PrefixItems) > 0},
		} {
			if kw.set {
				add(kw.name)
			}
		}
	}
	if s.UnevaluatedItems != nil {
		add("unevaluatedItems")
	}
	if s.UnevaluatedProperties != nil {
		elsewhere := false
		for _, p := range b.parts(s) {
			elsewhere = elsewhere || evaluatesElsewhere(p)
		}
		if s.UnevaluatedProperties.Bool == nil || rejectsUnevaluated(s) && elsewhere {
			add("unevaluatedProperties")
		}
	}
	typed := typedVariants(s)
	for _, kw := range []string{"oneOf", "anyOf"} {
		vs := s.OneOf
		if kw == "anyOf" {
			vs = s.AnyOf
		}
		if len(vs) == 0 {
			continue
		}
		if len(typed) > 0 && &typed[0] == &vs[0] {
			continue
		}
		add(kw)
	}
	if !withAllOf {
		return out
	}
	// allOf parts and $ref siblings that cannot be merged into one object
	// are checked against the schema.
	k := nonNull(b.kinds(s, 0))
	if len(s.AllOf) > 0 && k != kObj {
		add("allOf")
	} else {
		for _, a := range b.parts(s)[1:] {
			if r := b.residualOf(a, false); len(r) > 0 || len(typedVariants(a)) > 0 {
				add("allOf")
				break
			}
		}
	}
	if hasRef(s) && !b.isPureRef(s) && k != kObj {
		add("$ref")
	}
	if k == kObj {
		// A property two parts declare is shaped by one of them; the
		// other's checks are left to schema validation.
		if ps := b.parts(s); len(ps) > 1 {
			out = append(out, b.shadowResidual(b.view(ps), ps)...)
		}
	}
	return out
}

// sortedKeys returns the keys of the object at ptr/kw in author order,
// falling back to sorted order for documents without an index entry.
func sortedKeys[V any](d *load.Doc, ptr, kw string, m map[string]V) []string {
	if d != nil {
		if keys := d.Index.Keys(ptr + "/" + kw); len(keys) == len(m) {
			return keys
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func escape(tok string) string { return load.EscapePointerToken(tok) }

func kindSuffix(k kset) string {
	switch k {
	case kBool:
		return "Bool"
	case kInt:
		return "Int"
	case kNum:
		return "Number"
	case kStr:
		return "String"
	case kArr:
		return "Array"
	case kObj:
		return "Object"
	case kNull:
		return "Null"
	}
	return "Value"
}

func jsonKinds(k kset) ir.JSONKind {
	var j ir.JSONKind
	if k&kNull != 0 {
		j |= ir.JSONNull
	}
	if k&kBool != 0 {
		j |= ir.JSONBool
	}
	if k&(kInt|kNum) != 0 {
		j |= ir.JSONNumber
	}
	if k&kStr != 0 {
		j |= ir.JSONString
	}
	if k&kArr != 0 {
		j |= ir.JSONArray
	}
	if k&kObj != 0 {
		j |= ir.JSONObject
	}
	return j
}

// trivialPropertyNames reports a propertyNames schema every property name
// satisfies (names are strings): {}, true or {"type": "string"}.
func trivialPropertyNames(pn *jsonschema.Schema) bool {
	if pn.Bool != nil {
		return *pn.Bool
	}
	if hasRef(pn) {
		return false
	}
	c := *pn
	if c.Types != nil && c.Types.ToStrings()[0] == "string" && len(c.Types.ToStrings()) == 1 {
		c.Types = nil
	}
	return withoutRefIsEmpty(&c)
}

// goType returns the x-go-type override written on s, reporting a malformed one.
func (b *builder) goType(s *jsonschema.Schema) *ir.External {
	if s.Bool != nil {
		return nil
	}
	gt := b.extString(s, "x-go-type")
	if gt == "" {
		return nil
	}
	ext, ok := parseGoType(gt)
	if !ok {
		if d, ptr, found := b.where(s); found {
			b.errorf(d, ptr+"/x-go-type", "x-go-type %q is not a Go type name like \"time.Duration\" or \"example.com/pkg.Type\"", gt)
		}
		return nil
	}
	return ext
}
