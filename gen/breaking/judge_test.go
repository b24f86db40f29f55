package breaking

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/registry"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// validates reports whether the runtime's validator accepts instance under
// the self-contained schema text.
func validates(t *testing.T, text string, instance []byte) bool {
	t.Helper()
	set := schema.NewSet([]schema.Aspect{{Name: "x", SchemaRef: "x.json", Schema: []byte(text)}}, nil)
	err := set.Validate("x.json", "", instance)
	if err != nil && !strings.Contains(err.Error(), "payload") {
		t.Fatalf("validate %s: %v", instance, err)
	}
	return err == nil
}

// TestJudgeDrift: a live schema that adds a required property breaks a
// client that publishes with the compiled one (its messages lack it) and
// not one that reads (everything the live schema accepts, the compiled one
// does too); a live schema that narrows an enum the other way round; an
// optional property added is compatible both ways under the declared
// policy. Every witness is valid under the schema the client's side sends
// with and invalid under the other.
func TestJudgeDrift(t *testing.T) {
	const compiled = `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","x-parsec-aspect":"data",
		"properties":{"user":{"type":"string"},"mood":{"enum":["calm","busy"]}},"required":["mood"]}`
	for _, tc := range []struct {
		name, live string
		// breaking for a client that publishes, one that reads
		pub, read bool
	}{
		{"required added", `{"type":"object","properties":{"user":{"type":"string"},"mood":{"enum":["calm","busy"]}},"required":["mood","user"]}`, true, false},
		{"enum widened", `{"type":"object","properties":{"user":{"type":"string"},"mood":{"enum":["calm","busy","away"]}},"required":["mood"]}`, false, true},
		{"optional added", `{"type":"object","properties":{"user":{"type":"string"},"mood":{"enum":["calm","busy"]},"room":{"type":"string"}},"required":["mood"]}`, false, false},
	} {
		for _, dir := range []registry.Direction{registry.Publishes, registry.Reads, registry.PublishesAndReads} {
			v, err := JudgeDrift(json.RawMessage(compiled), json.RawMessage(tc.live), dir)
			if err != nil {
				t.Fatalf("%s, %v: %v", tc.name, dir, err)
			}
			if v.Direction != dir {
				t.Errorf("%s: verdict for %v, want %v", tc.name, v.Direction, dir)
			}
			want := dir&registry.Publishes != 0 && tc.pub || dir&registry.Reads != 0 && tc.read
			if v.Breaking() != want {
				t.Errorf("%s, client that %v: breaking %v, want %v (%+v)", tc.name, dir, v.Breaking(), want, v.Breaks)
			}
			for _, b := range v.Breaks {
				if dir&b.Direction == 0 {
					t.Errorf("%s, client that %v: a break for %v", tc.name, dir, b.Direction)
				}
				from, rej := compiled, tc.live
				if b.Direction == registry.Reads {
					from, rej = tc.live, compiled
				}
				if !validates(t, from, b.Witness) || validates(t, rej, b.Witness) {
					t.Errorf("%s, %v: witness %s does not prove the break", tc.name, b.Direction, b.Witness)
				}
				if !strings.Contains(b.Message, "compiled") || !strings.Contains(b.Message, "live") {
					t.Errorf("%s: message %q does not name the compiled and live schemas", tc.name, b.Message)
				}
			}
		}
	}
}

// TestJudgeDriftErrors: a schema that does not load and an unknown
// direction are errors, not verdicts.
func TestJudgeDriftErrors(t *testing.T) {
	if _, err := JudgeDrift(json.RawMessage(`{"type":`), json.RawMessage(`{}`), registry.Publishes); err == nil || !strings.Contains(err.Error(), "compiled payload schema") {
		t.Errorf("a malformed compiled schema: %v, want an error naming it", err)
	}
	if _, err := JudgeDrift(json.RawMessage(`{}`), json.RawMessage(`{"type":"nope"}`), registry.Publishes); err == nil || !strings.Contains(err.Error(), "live payload schema") {
		t.Errorf("a bad live schema: %v, want an error naming it", err)
	}
	if _, err := JudgeDrift(json.RawMessage(`{}`), json.RawMessage(`{}`), 0); err == nil {
		t.Error("direction 0 judged")
	}
}
