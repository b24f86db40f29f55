package gen_test

import (
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/gen"
)

// TestRegistryWarningsLocated: a warning about a payload schema points into
// the snapshot, like an error.
func TestRegistryWarningsLocated(t *testing.T) {
	snap := `{
  "patterns": [
    {"pattern": "a", "description": "", "version": 1, "acl": {"publish_roles": [], "subscribe_roles": [], "notes": ""},
     "aspects": {"b": {"name": "b", "description": "", "required": false,
       "payload_schema": {"type": "string",
                          "minLenght": 2}}}}
  ],
  "at": "2026-12-03T18:00:00Z"
}`
	var got []string
	_, err := gen.Generate(gen.Config{
		Registry: &gen.Snapshot{Data: []byte(snap), Display: "snap.json"},
		Package:  "events",
		Warning:  func(w *gen.Error) { got = append(got, w.Error()+" @"+w.Pointer) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "snap.json:6:40: ") || !strings.Contains(got[0], "minLength") ||
		!strings.HasSuffix(got[0], " @/patterns/0/aspects/b/payload_schema/minLenght") {
		t.Errorf("warnings %q, want one at snap.json:6:40 (/patterns/0/aspects/b/payload_schema/minLenght) suggesting minLength", got)
	}
}

// TestRegistryAndSchemasExclusive: a snapshot and schema files are
// alternatives.
func TestRegistryAndSchemasExclusive(t *testing.T) {
	_, err := gen.Generate(gen.Config{Registry: &gen.Snapshot{Data: []byte(`{"patterns":[]}`)}, Schemas: []string{"a.json"}, Package: "p"})
	if err == nil || !strings.Contains(err.Error(), "alternatives") {
		t.Errorf("err = %v", err)
	}
	_, err = gen.Generate(gen.Config{Registry: &gen.Snapshot{Data: []byte(`{"at":"2026-12-03T18:00:00Z"}`), Display: "s.json"}, Package: "p"})
	if err == nil || !strings.Contains(err.Error(), `s.json:1:1: not a registry snapshot: no "patterns" list`) {
		t.Errorf("no patterns: %v", err)
	}
}
