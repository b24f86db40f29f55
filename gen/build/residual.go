// Residuals: the keywords a Go type cannot express, left to schema
// validation by the generated code.

package build

import (
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
)

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
