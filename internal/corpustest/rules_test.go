package corpustest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecoderRules runs the real generator over a small corpus, one schema
// per decoding rule the corpus once got wrong, and checks which instances
// the generated decoders accept: every instance its schema accepts decodes
// and round-trips, every one it rejects is refused at the decode stage, and
// the decoder agrees with the runtime validator on every seeded mutant of
// the valid ones.
func TestDecoderRules(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a temporary module; skipped in -short mode")
	}
	repo, err := FindRepo(".")
	if err != nil {
		t.Fatal(err)
	}
	corpus := t.TempDir()
	files := map[string]string{
		// A variant narrows a shared property; it does not replace it.
		"schemas/narrow.json": `{
  "type": "object",
  "properties": {"include": {"$ref": "#/$defs/platforms"}, "prompt": {"type": "string"}, "note": {"maxLength": 3}},
  "anyOf": [
    {"properties": {"include": {"minItems": 1}, "prompt": true}},
    {"properties": {"include": {"maxItems": 0}, "note": {"type": "string"}}}
  ],
  "$defs": {"platforms": {"type": "array", "items": {"enum": ["android", "ios"]}}}
}`,
		"instances/narrow/ok-one.json":        `{"include": ["ios"], "prompt": "hi"}`,
		"instances/narrow/ok-none.json":       `{"include": []}`,
		"instances/narrow/bad-item.json":      `{"include": ["web"]}`,
		"instances/narrow/bad-item-kind.json": `{"include": [7]}`,
		"instances/narrow/bad-prompt.json":    `{"prompt": []}`,
		"instances/narrow/ok-note.json":       `{"include": [], "note": "abc"}`,
		"instances/narrow/bad-note.json":      `{"include": [], "note": "abcd"}`,
		// An object variant's own oneOf is checked, not dropped.
		"schemas/nested.json": `{
  "type": "object",
  "required": ["type"],
  "properties": {"type": {"enum": ["bind", "generated"]}},
  "oneOf": [
    {"required": ["binding"], "properties": {"type": {"const": "bind"}, "binding": {"type": "string"}}},
    {"properties": {"type": {"const": "generated"}},
     "oneOf": [
       {"required": ["now"], "properties": {"now": {"type": "boolean"}}},
       {"required": ["guid"], "properties": {"guid": {"type": "string"}}}
     ]}
  ]
}`,
		"instances/nested/ok-bind.json":    `{"type": "bind", "binding": "host:name"}`,
		"instances/nested/ok-now.json":     `{"type": "generated", "now": true}`,
		"instances/nested/bad-now.json":    `{"type": "generated", "now": "yes"}`,
		"instances/nested/bad-none.json":   `{"type": "generated"}`,
		"instances/nested/bad-nobind.json": `{"type": "bind"}`,
		// Draft-07: a "type" beside $ref is ignored, as validators ignore it.
		"schemas/sibling.json": `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {"children": {"type": "object", "additionalProperties": {"$ref": "#/definitions/perm", "type": ["boolean", "object"]}}},
  "definitions": {"perm": {"properties": {"description": {"type": "string"}}}}
}`,
		"instances/sibling/ok.json":         `{"children": {"a": true, "b": {"description": "x"}, "c": 7}}`,
		"instances/sibling/bad-object.json": `{"children": {"b": {"description": 1}}}`,
	}
	for name, content := range files {
		p := filepath.Join(corpus, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Run(Options{Corpus: corpus, Repo: repo, Work: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Failures {
		switch {
		case strings.Contains(f.Instance, "~"):
			// A seeded mutant on which the decoder and the runtime
			// validator disagree.
			if !strings.HasPrefix(f.Instance, "bad-") {
				t.Errorf("mutant disagreement: %s", f)
			}
		default:
			t.Errorf("unexpected failure: %s", f)
		}
	}
	if r.Compiled != 3 {
		t.Fatalf("compiled %d of 3 packages; failures: %v", r.Compiled, r.Failures)
	}
	if r.SchemaRejects != 8 || r.RejectedOnDecode != 8 {
		t.Errorf("instances the schema rejects: %d, rejected on decode: %d; want 8 and 8", r.SchemaRejects, r.RejectedOnDecode)
	}
	if r.SchemaAccepts != 6 || r.AcceptedRoundTrip != 6 {
		t.Errorf("instances the schema accepts: %d, round-tripping: %d; want 6 and 6", r.SchemaAccepts, r.AcceptedRoundTrip)
	}
}
