package gen_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen"
)

// choices turns fuzz bytes into a stream of decisions; an exhausted stream
// answers 0, which always picks the simplest option, so every input ends.
type choices struct{ data []byte }

func (c *choices) pick(n int) int {
	if len(c.data) == 0 || n <= 1 {
		return 0
	}
	b := c.data[0]
	c.data = c.data[1:]
	return int(b) % n
}

var fuzzNames = []string{"id", "user_id", "type", "kind", "value", "a-b", "2x", "err", "Validate", "items", "", "é", "x y", "ID", "Id", "id_"}

// schemaBuilder builds a schema that the JSON Schema library accepts from
// a choices stream, so the fuzzer explores the generator, not the parser.
type schemaBuilder struct {
	c    *choices
	defs int // how many $defs entries the root declares
}

func (s *schemaBuilder) schema(depth int) any {
	if depth > 3 {
		return map[string]any{"type": []string{"string", "integer", "boolean"}[s.c.pick(3)]}
	}
	switch s.c.pick(22) {
	case 0:
		m := map[string]any{"type": "string"}
		switch s.c.pick(8) {
		case 1:
			m["minLength"], m["maxLength"] = 1, 5
		case 2:
			m["pattern"] = []string{"^[a-z]+$", "^(?!x)", `\d`, "a|b"}[s.c.pick(4)]
		case 3, 4, 5:
			m["format"] = []string{"date-time", "date", "uuid", "uri", "byte", "email"}[s.c.pick(6)]
		}
		return m
	case 1:
		m := map[string]any{"type": "integer"}
		switch s.c.pick(4) {
		case 1:
			m["format"] = []string{"int32", "int64", "uint8", "int8"}[s.c.pick(4)]
		case 2:
			m["minimum"], m["maximum"] = -3, 1e3
		case 3:
			m["exclusiveMaximum"], m["multipleOf"] = 10, 2
		}
		return m
	case 2:
		m := map[string]any{"type": "number"}
		if k := s.c.pick(3); k > 0 {
			m["multipleOf"] = []float64{0.5, 0.01}[k-1]
		}
		return m
	case 3:
		return map[string]any{"type": "boolean"}
	case 4:
		return map[string]any{"type": "null"}
	case 5, 6:
		return s.object(depth)
	case 7:
		if s.c.pick(3) == 0 {
			return map[string]any{"type": "array", "prefixItems": []any{s.schema(depth + 1), s.schema(depth + 1)}, "items": s.c.pick(2) == 0}
		}
		m := map[string]any{"type": "array", "items": s.schema(depth + 1)}
		if s.c.pick(2) == 1 {
			m["minItems"], m["uniqueItems"] = 1, true
		}
		return m
	case 8:
		pools := [][]any{{"a", "b", "A-b"}, {1, 2, 30}, {"x", 1, nil, true}, {"only"}, {1.5, 2}}
		return map[string]any{"enum": pools[s.c.pick(len(pools))]}
	case 9:
		return map[string]any{"const": []any{"fixed", 3, nil, false, map[string]any{"k": 1}}[s.c.pick(5)]}
	case 10, 11:
		kw := []string{"oneOf", "anyOf"}[s.c.pick(2)]
		n := 2 + s.c.pick(2)
		var vs []any
		for i := range n {
			if s.c.pick(2) == 0 {
				obj := s.object(depth + 1)
				props := obj["properties"].(map[string]any)
				props["kind"] = map[string]any{"const": fmt.Sprintf("k%d", i)}
				if !slices.Contains(obj["required"].([]string), "kind") {
					obj["required"] = append(obj["required"].([]string), "kind")
				}
				vs = append(vs, obj)
			} else {
				vs = append(vs, s.schema(depth+1))
			}
		}
		return map[string]any{kw: vs}
	case 12:
		return map[string]any{"allOf": []any{s.object(depth + 1), s.object(depth + 1)}}
	case 13:
		t := []string{"string", "integer", "object", "array", "number"}[s.c.pick(5)]
		return map[string]any{"type": []string{t, "null"}}
	case 14:
		if s.c.pick(3) == 0 {
			return map[string]any{"$ref": "#"}
		}
		s.defs = max(s.defs, 1+s.c.pick(3))
		return map[string]any{"$ref": fmt.Sprintf("#/$defs/d%d", s.c.pick(s.defs))}
	case 15:
		return s.c.pick(2) == 0
	case 16:
		obj := s.object(depth)
		obj["if"] = map[string]any{"required": []string{"id"}}
		obj["then"] = map[string]any{"required": []string{"type"}}
		return obj
	case 17:
		return map[string]any{"not": s.schema(depth + 1)}
	case 18:
		// Several non-null types at once.
		pools := [][]string{{"string", "integer"}, {"object", "array"}, {"boolean", "number", "null"}, {"string", "object", "null"}}
		return map[string]any{"type": pools[s.c.pick(len(pools))]}
	case 19:
		pools := [][]any{{map[string]any{"a": 1}, []any{1, 2}}, {[]any{}, map[string]any{}}, {"a", map[string]any{"b": nil}}}
		return map[string]any{"enum": pools[s.c.pick(len(pools))]}
	case 20:
		m := map[string]any{"type": "array", "items": s.schema(depth + 1)}
		switch s.c.pick(3) {
		case 0:
			m["contains"] = s.schema(depth + 1)
		case 1:
			m["maxContains"], m["contains"] = 2, map[string]any{"type": "string"}
		default:
			m["unevaluatedItems"] = false
		}
		return m
	default:
		// An override, valid or not.
		m := s.schema(depth + 1)
		if obj, ok := m.(map[string]any); ok {
			obj["x-go-name"] = []string{"Custom", "Thing", "2bad", "", "Validate", "type"}[s.c.pick(6)]
			return obj
		}
		return m
	}
}

func (s *schemaBuilder) object(depth int) map[string]any {
	props := map[string]any{}
	required := []string{}
	for range s.c.pick(5) {
		name := fuzzNames[s.c.pick(len(fuzzNames))]
		_, dup := props[name]
		props[name] = s.schema(depth + 1)
		if s.c.pick(2) == 0 && !dup {
			required = append(required, name)
		}
	}
	m := map[string]any{"type": "object", "properties": props, "required": required}
	switch s.c.pick(5) {
	case 1:
		m["additionalProperties"] = false
	case 2:
		m["additionalProperties"] = s.schema(depth + 1)
	case 3:
		m["patternProperties"] = map[string]any{"^x-": s.schema(depth + 1)}
	}
	if s.c.pick(4) == 0 {
		m["title"] = []string{"Thing", "*/ evil", "order placed", "2nd"}[s.c.pick(4)]
	}
	switch s.c.pick(8) {
	case 1:
		m["dependentRequired"] = map[string]any{"id": []string{"type"}}
	case 2:
		m["dependentSchemas"] = map[string]any{"id": map[string]any{"required": []string{"kind"}}}
	case 3:
		m["propertyNames"] = map[string]any{"pattern": "^[a-z]"}
	case 4:
		m["minProperties"], m["maxProperties"] = 1, 3
	case 5:
		m["unevaluatedProperties"] = false
	}
	return m
}

// buildFuzzSchema returns the JSON text of the schema data describes.
func buildFuzzSchema(data []byte) []byte {
	s := &schemaBuilder{c: &choices{data: data}}
	root := s.schema(0)
	if m, ok := root.(map[string]any); ok && s.defs > 0 {
		defs := map[string]any{}
		for i := range s.defs {
			defs[fmt.Sprintf("d%d", i)] = s.schema(2)
		}
		m["$defs"] = defs
	}
	if m, ok := root.(map[string]any); ok {
		m["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	}
	out, err := json.MarshalIndent(root, "", " ")
	if err != nil {
		panic("unreachable: the builder makes only JSON values: " + err.Error())
	}
	return out
}

// FuzzGenerateSchema builds valid, feature-dense schemas from the fuzz
// input, so mutations explore combinations of keywords rather than JSON
// syntax errors. Each must give a clean error (never an internal one) or
// code that type-checks.
func FuzzGenerateSchema(f *testing.F) {
	// One seed per kind of schema the builder makes at the root, then the
	// same with an object root holding one property of each kind.
	for kind := range 22 {
		f.Add([]byte{byte(kind), 1, 2, 3})
		f.Add([]byte{5, 1, 0, byte(kind), 1, 0, 2})
	}
	imp := newExportImporter()
	f.Fuzz(func(t *testing.T, data []byte) {
		src := buildFuzzSchema(data)
		cfg := gen.Config{
			FS:      fstest.MapFS{"schemas/fuzz.json": {Data: src}},
			Schemas: []string{"schemas/fuzz.json"},
			Package: "fuzz",
		}
		out, err := gen.Generate(cfg)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("internal error for the schema\n%s\n%v", src, err)
			}
			return
		}
		if err := imp.typeCheck(out); err != nil {
			t.Fatalf("generated code for the schema\n%s\ndoes not type-check: %v", src, err)
		}
	})
}
