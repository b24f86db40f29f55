package schemadoc

import (
	"encoding/json"
	"testing"
)

func TestCompact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		refs []string // other documents of the package
		want string
	}{
		{"layout and annotations go", `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "T", "description": "d", "$comment": "c", "examples": [1], "default": 1,
  "deprecated": true, "readOnly": true, "writeOnly": false,
  "markdownDescription": "m", "x-intellij-html-description": "h", "defaultSnippets": [{"body": {}}],
  "type": "object", "format": "uri", "contentMediaType": "text/plain", "$id": "https://x.example/s.json"
}`, nil, `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","format":"uri","contentMediaType":"text/plain","$id":"https://x.example/s.json"}`},
		{"a property named description is kept", `{"properties": {"description": {"type": "string", "description": "the description"}, "title": true}}`,
			nil, `{"properties":{"description":{"type":"string"},"title":true}}`},
		{"instance data is kept", `{"enum": [{"title": "a", "description": "b"}], "const": {"default": 1}, "items": {"enum": [{"title": 1}], "title": "x"}}`,
			nil, `{"enum":[{"title":"a","description":"b"}],"const":{"default":1},"items":{"enum":[{"title":1}]}}`},
		{"a $ref into a default keeps it", `{"properties": {"a": {"default": {"type": "string"}, "title": "A"}, "b": {"$ref": "#/properties/a/default"}}}`,
			nil, `{"properties":{"a":{"default":{"type":"string"}},"b":{"$ref":"#/properties/a/default"}}}`},
		{"a $ref from another document keeps what it passes", `{"definitions": {"d": {"x-tables": {"t": {"type": "integer"}}, "x-other": 1}}}`,
			[]string{"other.json#/definitions/d/x-tables/t"}, `{"definitions":{"d":{"x-tables":{"t":{"type":"integer"}}}}}`},
		{"escaped pointer tokens", `{"$defs": {"a/b": {"title": {"type": "null"}, "examples": []}}, "$ref": "#/$defs/a~1b/title"}`,
			nil, `{"$defs":{"a/b":{"title":{"type":"null"}}},"$ref":"#/$defs/a~1b/title"}`},
		{"x-parsec keys are kept", `{"x-parsec-aspect": "order", "x-go-name": "Order", "properties": {"a": {"x-parsec-note": {"k": 1}}}}`,
			nil, `{"x-parsec-aspect":"order","properties":{"a":{"x-parsec-note":{"k":1}}}}`},
		{"an unknown key holding an identifier is kept", `{"extra": {"$id": "https://x.example/e.json", "title": "E"}, "tips": {"$anchor": "no"}, "x-y": [{"$anchor": "a"}]}`,
			nil, `{"extra":{"$id":"https://x.example/e.json","title":"E"},"tips":{"$anchor":"no"},"x-y":[{"$anchor":"a"}]}`},
		{"draft-04 id only counts in draft-04", `{"$schema": "http://json-schema.org/draft-04/schema#", "meta": {"id": "x"}}`,
			nil, `{"$schema":"http://json-schema.org/draft-04/schema#","meta":{"id":"x"}}`},
		{"data id is no identifier after draft-04", `{"meta": {"id": "x"}}`, nil, `{}`},
		{"every schema position", `{
  "allOf": [{"title": 1}], "anyOf": [{"title": 1}], "oneOf": [{"title": 1}], "prefixItems": [{"title": 1}],
  "items": [{"title": 1}, true], "not": {"title": 1}, "if": {"title": 1}, "then": {"title": 1}, "else": {"title": 1},
  "contains": {"title": 1}, "additionalProperties": {"title": 1}, "additionalItems": {"title": 1},
  "propertyNames": {"title": 1}, "unevaluatedItems": {"title": 1}, "unevaluatedProperties": {"title": 1},
  "dependencies": {"a": ["b"], "c": {"title": 1}}, "dependentSchemas": {"d": {"title": 1}},
  "patternProperties": {"^x": {"title": 1}}, "definitions": {"e": {"title": 1}}, "$defs": {"f": {"title": 1}},
  "contentSchema": {"title": 1}, "required": ["title"], "dependentRequired": {"title": ["description"]}
}`, nil, `{"allOf":[{}],"anyOf":[{}],"oneOf":[{}],"prefixItems":[{}],"items":[{},true],"not":{},"if":{},"then":{},"else":{},"contains":{},"additionalProperties":{},"additionalItems":{},"propertyNames":{},"unevaluatedItems":{},"unevaluatedProperties":{},"dependencies":{"a":["b"],"c":{}},"dependentSchemas":{"d":{}},"patternProperties":{"^x":{}},"definitions":{"e":{}},"$defs":{"f":{}},"contentSchema":{},"required":["title"],"dependentRequired":{"title":["description"]}}`},
		{"strings and numbers keep their text", `{"pattern": "^\u00e9\/\ud800$", "enum": [1.0E+2, "a b", "\"\\"], "minimum": -0.50}`,
			nil, `{"pattern":"^\u00e9\/\ud800$","enum":[1.0E+2,"a b","\"\\"],"minimum":-0.50}`},
		{"a boolean schema", ` true `, nil, `true`},
		{"empty containers", `{ "properties" : { }, "allOf" : [ ], "enum" : [ ] }`, nil, `{"properties":{},"allOf":[],"enum":[]}`},
		{"first members removed", `{"title": "t", "description": "d", "type": "string", "title": "again"}`, nil, `{"type":"string"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if err := json.Unmarshal([]byte(tt.in), &doc); err != nil {
				t.Fatalf("test input: %v", err)
			}
			var p Protect
			p.AddRefs(doc)
			for _, r := range tt.refs {
				p.AddRefs(map[string]any{"$ref": r})
			}
			got, err := Compact([]byte(tt.in), &p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Compact:\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("Compact gave invalid JSON %s", got)
			}
			again, err := Compact(got, &p)
			if err != nil || string(again) != string(got) {
				t.Errorf("Compact is not idempotent: %s -> %s (%v)", got, again, err)
			}
		})
	}
}

func TestCompactRejectsMalformed(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a" 1}`, `[1,]`, `{"a":1} 2`, `"open`} {
		if got, err := Compact([]byte(in), nil); err == nil {
			t.Errorf("Compact(%q) = %s, want an error", in, got)
		}
	}
}
