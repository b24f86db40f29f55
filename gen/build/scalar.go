// Scalars: primitives, formats, validation constraints and enums.

package build

import (
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

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
