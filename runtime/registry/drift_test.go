package registry

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	compiled := []Entry{
		{Pattern: "sessions:{id}", Version: 2, Aspects: Aspects{
			{Name: "data", PayloadSchema: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":["user"]}`), Required: true},
			{Name: "cursor"},
			{Name: "gone", PayloadSchema: json.RawMessage(`{}`)},
		}},
		{Pattern: "logs:**", Version: 1},
		{Pattern: "same", Version: 4, Aspects: Aspects{{Name: "a", PayloadSchema: json.RawMessage(`{"b":1,"a":[1,2]}`)}}},
	}
	live := []Entry{
		{Pattern: "same", Version: 4, Aspects: Aspects{{Name: "a", PayloadSchema: json.RawMessage("{\n \"a\": [1, 2], \"b\": 1}")}}},
		{Pattern: "sessions:{id}", Version: 3, Aspects: Aspects{
			{Name: "data", PayloadSchema: json.RawMessage(`{"type":"object","required":["user","ttl"]}`), Required: true},
			{Name: "cursor", PayloadSchema: json.RawMessage(`null`), Required: true},
			{Name: "typing"},
		}},
		{Pattern: "unknown.to.the.program", Version: 9},
	}
	want := []Difference{
		{Kind: VersionChanged, Pattern: "sessions:{id}", OldVersion: 2, NewVersion: 3},
		{Kind: SchemaChanged, Pattern: "sessions:{id}", Aspect: "data", OldVersion: 2, NewVersion: 3},
		{Kind: RequiredChanged, Pattern: "sessions:{id}", Aspect: "cursor", OldVersion: 2, NewVersion: 3},
		{Kind: AspectGone, Pattern: "sessions:{id}", Aspect: "gone", OldVersion: 2, NewVersion: 3},
		{Kind: AspectAdded, Pattern: "sessions:{id}", Aspect: "typing", OldVersion: 2, NewVersion: 3},
		{Kind: PatternGone, Pattern: "logs:**", OldVersion: 1},
	}
	if diff := cmp.Diff(want, Diff(compiled, live)); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if d := Diff(live[:1], live[:1]); len(d) != 0 {
		t.Errorf("an entry differs from itself: %v", d)
	}
	err := &DriftError{Difference: want[1]}
	const base = `parsec: registry drift: pattern "sessions:{id}" aspect "data": payload schema changed (compiled version 2, live version 3)`
	if got := err.Error(); got != base {
		t.Errorf("Error() = %s", got)
	}
	err.Verdict = &Verdict{Direction: Reads}
	if got := err.Error(); got != base+": compatible for a client that reads" {
		t.Errorf("compatible: Error() = %s", got)
	}
	err.Verdict = &Verdict{Direction: PublishesAndReads, Breaks: []Break{
		{Direction: Reads, Message: "m1", Witness: json.RawMessage(`{"a":1}`)},
		{Direction: Publishes, Message: "m2", Witness: json.RawMessage(`{}`)},
	}}
	if got := err.Error(); got != base+`: breaking for a client that reads: m1 (witness {"a":1}) and 1 more` {
		t.Errorf("breaking: Error() = %s", got)
	}
	if !err.Verdict.Breaking() || (&Verdict{}).Breaking() || (*Verdict)(nil).Breaking() {
		t.Error("Breaking wrong")
	}
}

func TestSameSchema(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`{"type":"string"}`, ` { "type" : "string" } `, true},
		{`{"$schema":"x","type":"string"}`, `{"type":"string"}`, true}, // a draft the generator wrote in
		{`{"$schema":"x","type":"string"}`, `{"$schema":"y","type":"string"}`, false},
		{`{"minimum":1}`, `{"minimum":1.0}`, false},
		{``, `null`, true},
		{`null`, `{}`, false},
		{`{"enum":[1,2]}`, `{"enum":[2,1]}`, false},
		{`{"a":[1,2]}`, `{"a":[2,1]}`, true}, // no keyword: an annotation
		// The generator embeds schemas without annotation-only members.
		{`{"type":"string","title":"T","description":"d","x-intellij-html-description":"h"}`, `{"type":"string"}`, true},
		{`{"properties":{"description":{"type":"string"}}}`, `{"properties":{}}`, false},
		{`{"enum":[{"title":"a"}]}`, `{"enum":[{}]}`, false},
		{`{"properties":{"a":{"default":{"type":"string"}},"b":{"$ref":"#/properties/a/default"}}}`,
			`{"properties":{"a":{},"b":{"$ref":"#/properties/a/default"}}}`, false},
		{`{"x-parsec-aspect":"a"}`, `{}`, false},
	} {
		if got := SameSchema(json.RawMessage(tc.a), json.RawMessage(tc.b)); got != tc.want {
			t.Errorf("SameSchema(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
