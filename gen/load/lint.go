package load

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Lint reports what looks wrong in the loaded schemas without being invalid:
// a keyword no draft defines that is a small edit away from one that does
// ("minLenght"), contradictory bounds ("minimum" above "maximum",
// "minLength" above "maxLength", ...), an empty "enum", a "const" or "enum"
// value that "type" rules out, and a "oneOf" two of whose variants accept
// the same value (which oneOf then rejects). Every warning carries its place;
// the list is sorted. Nothing here changes what is generated.
func (s *Set) Lint() Errors {
	var out Errors
	paths := make([]string, 0, len(s.byPath))
	for p := range s.byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		d := s.byPath[p]
		l := linter{d: d}
		l.schema(d.Value, "", 0)
		out = append(out, l.out...)
	}
	seen := map[*jsonschema.Schema]bool{}
	for _, d := range s.Inputs {
		s.lintCompiled(d.Schema, seen, &out, 0)
	}
	return out.Sort()
}

type linter struct {
	d   *Doc
	out Errors
}

func (l *linter) warnf(ptr, format string, args ...any) {
	pos, _ := l.d.Index.Pos(ptr)
	l.out = append(l.out, &Error{File: l.d.Display, Pos: pos, Pointer: ptr, Msg: fmt.Sprintf(format, args...)})
}

// Keywords whose value is one schema, an array of schemas, or an object of
// schemas.
var (
	lintSchemaKeywords = []string{"items", "additionalItems", "additionalProperties", "not", "if", "then", "else",
		"contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
	lintArrayKeywords = []string{"allOf", "anyOf", "oneOf", "prefixItems", "items"}
)

// knownKeywords are the keywords of drafts 3 to 2020-12 and the annotations
// that tools commonly add; only an unknown keyword that is close to one of
// these is reported (others are legal annotations of their own).
var knownKeywords = []string{
	"$schema", "$id", "id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor",
	"$vocabulary", "$comment", "$defs", "definitions",
	"type", "enum", "const", "format", "title", "description", "default", "examples", "example", "deprecated",
	"readOnly", "writeOnly", "nullable", "discriminator",
	"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "extends", "disallow",
	"properties", "patternProperties", "additionalProperties", "required", "dependencies", "dependentRequired",
	"dependentSchemas", "propertyNames", "minProperties", "maxProperties", "unevaluatedProperties",
	"items", "prefixItems", "additionalItems", "contains", "minContains", "maxContains", "minItems", "maxItems",
	"uniqueItems", "unevaluatedItems",
	"minLength", "maxLength", "pattern", "contentEncoding", "contentMediaType", "contentSchema",
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "divisibleBy",
}

// schema checks the schema object at ptr and the schemas inside it.
func (l *linter) schema(v any, ptr string, depth int) {
	obj, ok := v.(map[string]any)
	if !ok || depth > 200 {
		return
	}
	for _, k := range l.d.Index.Keys(ptr) {
		if strings.HasPrefix(k, "x-") && !slices.Contains(extensionKeywords, k) {
			// Other tools' extensions (x-go-package, x-go-type-import)
			// are legal; only a near miss of ours is reported.
			if near := nearest(k, extensionKeywords); near != "" {
				l.warnf(ptr+"/"+EscapePointerToken(k), "unknown extension %q, did you mean %q? (parsec-gen ignores it as written)", k, near)
			}
			continue
		}
		if strings.HasPrefix(k, "x-") || slices.Contains(knownKeywords, k) {
			continue
		}
		if near := nearestKeyword(k); near != "" {
			l.warnf(ptr+"/"+EscapePointerToken(k), "unknown keyword %q, did you mean %q? (it is ignored as written)", k, near)
		}
	}
	l.bounds(obj, ptr)
	l.values(obj, ptr)
	for _, k := range lintSchemaKeywords {
		if c, ok := obj[k].(map[string]any); ok {
			l.schema(c, ptr+"/"+k, depth+1)
		}
	}
	for _, k := range lintArrayKeywords {
		if arr, ok := obj[k].([]any); ok {
			for i, c := range arr {
				l.schema(c, ptr+"/"+k+"/"+strconv.Itoa(i), depth+1)
			}
		}
	}
	for _, k := range l.d.Index.Keys(ptr) {
		if !schemaMapKeywords[k] {
			continue
		}
		m, ok := obj[k].(map[string]any)
		if !ok {
			continue
		}
		child := ptr + "/" + EscapePointerToken(k)
		for _, mk := range l.d.Index.Keys(child) {
			l.schema(m[mk], child+"/"+EscapePointerToken(mk), depth+1)
		}
	}
}

// extensionKeywords are the extensions parsec-gen reads.
var extensionKeywords = []string{"x-go-name", "x-go-type", "x-parsec-aspect"}

// nearestKeyword returns the known keyword k is a likely misspelling of: the
// same letters in another case, or at most one edit away (two for words
// longer than six letters; a swap of neighbours counts one), else "".
func nearestKeyword(k string) string {
	return nearest(k, knownKeywords)
}

func nearest(k string, known []string) string {
	best, bestDist := "", 3
	for _, kw := range known {
		if strings.EqualFold(k, kw) {
			return kw
		}
		limit := 1
		if len(kw) > 6 {
			limit = 2
		}
		if d := editDistance(strings.ToLower(k), strings.ToLower(kw)); d <= limit && d < bestDist {
			best, bestDist = kw, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b
// (insertions, deletions, substitutions and swaps of neighbours).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// bounds reports a lower bound above its upper bound: no value satisfies both.
func (l *linter) bounds(obj map[string]any, ptr string) {
	pairs := []struct {
		lo, hi string
		strict bool // the bounds exclude each other when equal
	}{
		{"minimum", "maximum", false},
		{"exclusiveMinimum", "exclusiveMaximum", true},
		{"minimum", "exclusiveMaximum", true},
		{"exclusiveMinimum", "maximum", true},
		{"minLength", "maxLength", false},
		{"minItems", "maxItems", false},
		{"minProperties", "maxProperties", false},
		{"minContains", "maxContains", false},
	}
	for _, p := range pairs {
		lo, ok1 := number(obj[p.lo])
		hi, ok2 := number(obj[p.hi])
		if !ok1 || !ok2 {
			continue
		}
		if c := lo.Cmp(hi); c > 0 {
			l.warnf(ptr+"/"+p.lo, "%s %s is above %s %s: no value satisfies both", p.lo, obj[p.lo], p.hi, obj[p.hi])
		} else if c == 0 && p.strict {
			l.warnf(ptr+"/"+p.lo, "%s %s equals %s %s: no value satisfies both", p.lo, obj[p.lo], p.hi, obj[p.hi])
		}
	}
}

func number(v any) (*big.Rat, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	return new(big.Rat).SetString(n.String())
}

// values reports an empty enum and const or enum values that "type" rules
// out.
func (l *linter) values(obj map[string]any, ptr string) {
	types := typeList(obj["type"])
	if c, ok := obj["const"]; ok && types != nil && !kindAllowed(c, types) {
		l.warnf(ptr+"/const", "const %s is %s, but type allows only %s: no value is valid", compact(c), jsonKind(c), strings.Join(types, ", "))
	}
	arr, ok := obj["enum"].([]any)
	if !ok {
		return
	}
	if len(arr) == 0 {
		l.warnf(ptr+"/enum", "enum is empty: no value is valid")
		return
	}
	if types == nil {
		return
	}
	for i, e := range arr {
		if !kindAllowed(e, types) {
			l.warnf(ptr+"/enum/"+strconv.Itoa(i), "enum value %s is %s, but type allows only %s: it can never be valid", compact(e), jsonKind(e), strings.Join(types, ", "))
		}
	}
}

// typeList returns the types "type" names, or nil when it names none.
func typeList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			} else {
				return nil // draft-03 schemas in "type": not a plain list
			}
		}
		return out
	}
	return nil
}

// kindAllowed reports whether the JSON value v has one of types.
func kindAllowed(v any, types []string) bool {
	for _, t := range types {
		switch t {
		case "any":
			return true
		case "null":
			if v == nil {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "number":
			if _, ok := v.(json.Number); ok {
				return true
			}
		case "integer":
			if r, ok := number(v); ok && r.IsInt() {
				return true
			}
		default:
			return true // not a type we know: make no claim
		}
	}
	return false
}

// hasFormat reports whether sch, or a schema it refers to, has "format"
// (the compiled schema holds it only when formats are asserted).
func (s *Set) hasFormat(sch *jsonschema.Schema, depth int) bool {
	if sch == nil || depth > 20 {
		return false
	}
	if d, ptr, ok := s.Locate(sch.Location); ok {
		if v, ok := d.Lookup(ptr); ok {
			if obj, ok := v.(map[string]any); ok {
				if _, ok := obj["format"]; ok {
					return true
				}
			}
		}
	}
	return s.hasFormat(sch.Ref, depth+1)
}

// withParent adds to an object sample the properties the schema holding the
// oneOf requires, so the sample can get past it.
func withParent(sch *jsonschema.Schema, v any) any {
	obj, ok := v.(map[string]any)
	if !ok || len(sch.Required) == 0 {
		return v
	}
	out := maps.Clone(obj)
	extra := sampleObject(sch, 1)
	for k, pv := range extra {
		if _, ok := out[k]; !ok {
			out[k] = pv
		}
	}
	return out
}

// parentAdmits reports whether v gets past the keywords beside the oneOf
// that the sample can be checked against: the kinds of "type", "enum" and
// "const", the object's required and declared properties, and
// additionalProperties false. A value the parent rejects never reaches the
// oneOf, so it proves nothing.
func parentAdmits(sch *jsonschema.Schema, v any) bool {
	if sch.Types != nil && !kindAllowed(v, sch.Types.ToStrings()) {
		return false
	}
	if sch.Const != nil && compact(*sch.Const) != compact(v) {
		return false
	}
	if sch.Enum != nil && !slices.ContainsFunc(sch.Enum.Values, func(e any) bool { return compact(e) == compact(v) }) {
		return false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return true
	}
	for _, r := range sch.Required {
		if _, ok := obj[r]; !ok {
			return false
		}
	}
	closed := false
	if b, ok := sch.AdditionalProperties.(bool); ok && !b {
		closed = true
	}
	for k, pv := range obj {
		ps, declared := sch.Properties[k]
		if declared && ps.Validate(pv) != nil {
			return false
		}
		if !declared && closed && len(sch.PatternProperties) == 0 {
			return false
		}
	}
	return true
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

// lintCompiled visits every compiled schema reachable from sch and reports
// each oneOf two of whose variants accept one value.
func (s *Set) lintCompiled(sch *jsonschema.Schema, seen map[*jsonschema.Schema]bool, out *Errors, depth int) {
	if sch == nil || seen[sch] || depth > 500 {
		return
	}
	seen[sch] = true
	if len(sch.OneOf) > 1 {
		s.lintOneOf(sch, out)
	}
	for _, c := range subschemas(sch) {
		s.lintCompiled(c, seen, out, depth+1)
	}
}

// subschemas lists the schemas directly inside sch.
func subschemas(sch *jsonschema.Schema) []*jsonschema.Schema {
	out := []*jsonschema.Schema{sch.Ref, sch.RecursiveRef, sch.Not, sch.If, sch.Then, sch.Else, sch.PropertyNames,
		sch.UnevaluatedProperties, sch.Contains, sch.Items2020, sch.UnevaluatedItems, sch.ContentSchema}
	out = append(out, sch.AllOf...)
	out = append(out, sch.AnyOf...)
	out = append(out, sch.OneOf...)
	out = append(out, sch.PrefixItems...)
	for _, k := range slices.Sorted(maps.Keys(sch.Properties)) {
		out = append(out, sch.Properties[k])
	}
	for _, k := range slices.Sorted(maps.Keys(sch.DependentSchemas)) {
		out = append(out, sch.DependentSchemas[k])
	}
	for _, v := range sch.PatternProperties {
		out = append(out, v) // order does not matter: warnings are sorted
	}
	for _, v := range sch.Dependencies {
		if c, ok := v.(*jsonschema.Schema); ok {
			out = append(out, c)
		}
	}
	for _, v := range []any{sch.AdditionalProperties, sch.AdditionalItems, sch.Items} {
		switch v := v.(type) {
		case *jsonschema.Schema:
			out = append(out, v)
		case []*jsonschema.Schema:
			out = append(out, v...)
		}
	}
	return out
}

// lintOneOf reports the first pair of variants of sch.OneOf that both accept
// a value made up from one of them (its const, enum, examples, default, or a
// small value of each kind it allows), with that value as the proof.
func (s *Set) lintOneOf(sch *jsonschema.Schema, out *Errors) {
	d, ptr, ok := s.Locate(sch.Location)
	if !ok {
		return
	}
	for i, a := range sch.OneOf {
		vs := samples(a, 0)
		if len(vs) > maxSamples {
			vs = vs[:maxSamples] // a long enum: its first values are proof enough
		}
		for _, v := range vs {
			v = withParent(sch, v)
			if !parentAdmits(sch, v) || a.Validate(v) != nil {
				continue
			}
			for j, b := range sch.OneOf {
				if _, isStr := v.(string); isStr && (s.hasFormat(a, 0) || s.hasFormat(b, 0)) {
					// Formats may be asserted by the generated decoder even
					// where the validator treats them as annotations.
					continue
				}
				if j == i || b.Validate(v) != nil {
					continue
				}
				lo, hi := min(i, j), max(i, j)
				pos, _ := d.Index.Pos(ptr + "/oneOf")
				*out = append(*out, &Error{File: d.Display, Pos: pos, Pointer: ptr + "/oneOf",
					Msg: fmt.Sprintf("oneOf variants %d and %d both accept %s, so oneOf rejects it: make the variants exclusive (a const or required property, additionalProperties: false) or use anyOf",
						lo, hi, compact(v))})
				return
			}
		}
	}
}

// maxSamples bounds the values tried per oneOf variant.
const maxSamples = 32

// samples makes up values that sch may accept: what it names (const, enum,
// examples, default) and a small value of each kind it allows, objects
// carrying a value for each required property.
func samples(sch *jsonschema.Schema, depth int) []any {
	for sch != nil && sch.Ref != nil && depth < 20 {
		if sch.Types != nil || sch.Const != nil || sch.Enum != nil {
			break
		}
		sch = sch.Ref
		depth++
	}
	if sch == nil || depth > 6 {
		return nil
	}
	if sch.Bool != nil {
		return []any{nil, json.Number("0"), "", map[string]any{}}
	}
	if sch.Const != nil {
		return []any{*sch.Const}
	}
	if sch.Enum != nil {
		return slices.Clone(sch.Enum.Values)
	}
	var out []any
	out = append(out, sch.Examples...)
	if sch.Default != nil {
		out = append(out, *sch.Default)
	}
	kinds := []string{"null", "boolean", "integer", "number", "string", "array", "object"}
	if sch.Types != nil {
		kinds = sch.Types.ToStrings()
	}
	for _, k := range kinds {
		switch k {
		case "null":
			out = append(out, nil)
		case "boolean":
			out = append(out, true, false)
		case "integer":
			out = append(out, json.Number("0"), json.Number("1"))
			if sch.Minimum != nil && sch.Minimum.IsInt() {
				out = append(out, json.Number(sch.Minimum.RatString()))
			}
		case "number":
			out = append(out, json.Number("0"), json.Number("1"), json.Number("0.5"))
			if sch.Minimum != nil {
				out = append(out, json.Number(sch.Minimum.FloatString(6)))
			}
		case "string":
			out = append(out, "")
			if sch.MinLength != nil && *sch.MinLength > 0 && *sch.MinLength <= 64 {
				out = append(out, strings.Repeat("a", *sch.MinLength))
			} else {
				out = append(out, "a")
			}
		case "array":
			out = append(out, []any{})
		case "object":
			out = append(out, sampleObject(sch, depth))
		}
	}
	return out
}

// sampleObject makes an object with a value for every required property
// (the first sample of its schema that it accepts) and nothing else.
func sampleObject(sch *jsonschema.Schema, depth int) map[string]any {
	obj := map[string]any{}
	for _, p := range sch.Required {
		ps, ok := sch.Properties[p]
		if !ok {
			obj[p] = nil
			continue
		}
		obj[p] = nil
		for _, v := range samples(ps, depth+1) {
			if ps.Validate(v) == nil {
				obj[p] = v
				break
			}
		}
	}
	return obj
}
