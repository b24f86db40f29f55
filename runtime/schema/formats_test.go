package schema

import (
	"encoding/json"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// TestDateTimeOneRule checks parsec.ParseDateTime and the validator against
// one table of RFC 3339 edge cases, in a draft-07 and a 2020-12 schema.
func TestDateTimeOneRule(t *testing.T) {
	cases := map[string]bool{
		"2026-01-02T03:04:05Z":                   true,
		"2026-01-02t03:04:05.5z":                 true,
		"2026-01-02T03:04:05.123456789123+05:30": true,
		"2026-12-31T23:59:60Z":                   true,  // leap second at 23:59 UTC
		"2026-12-31T22:59:60-01:00":              true,  // the same instant with an offset
		"2026-12-31T23:58:60Z":                   false, // no leap second there
		"2026-01-02T03:04:05+24:00":              false,
		"2026-01-02T03:04:05+23:59":              true,
		"2026-01-02T03:04:05-00:60":              false,
		"2026-01-02T24:00:00Z":                   false,
		"2026-01-02T03:04:05,5Z":                 false,
		"2026-01-02 03:04:05Z":                   false,
		"2026-01-02T03:04:05.Z":                  false,
		"2026-01-02T03:04:05":                    false,
		"2026-02-29T00:00:00Z":                   false,
		"2024-02-29T00:00:00Z":                   true,
		"2026-01-02T3:04:05Z":                    false,
		"+2026-01-02T03:04:05Z":                  false,
		"2026-01-02T03:04:05+0100":               false,
	}
	var aspects []Aspect
	for _, meta := range []string{"http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema"} {
		aspects = append(aspects, Aspect{Name: meta, SchemaRef: "s" + string(rune('0'+len(aspects))) + ".json",
			Schema: []byte(`{"$schema": "` + meta + `", "format": "date-time"}`)})
	}
	v, err := NewValidator(ModeStrict, aspects)
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range cases {
		_, perr := parsec.ParseDateTime(s)
		if (perr == nil) != want {
			t.Errorf("ParseDateTime(%q): %v, want ok=%v", s, perr, want)
		}
		payload, _ := json.Marshal(s)
		for _, a := range aspects {
			verr := v.Validate(&envelope.Envelope{Aspect: a.Name, Payload: payload})
			if (verr == nil) != want {
				t.Errorf("%s: validator on %q: %v, want ok=%v", a.Name, s, verr, want)
			}
		}
	}
}

// TestFormatRule checks which formats assert in which draft, and that
// WithFormatAssertion makes every known format assert.
func TestFormatRule(t *testing.T) {
	doc := func(meta, format string) []byte {
		return []byte(`{"$schema": "` + meta + `", "properties": {"x": {"format": "` + format + `"}}}`)
	}
	const d7, d2020 = "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema"
	for _, c := range []struct {
		meta, format, value string
		all, ok             bool
	}{
		{d7, "email", `"nope"`, false, false},
		{d2020, "email", `"nope"`, false, true},
		{d2020, "email", `"nope"`, true, false},
		{d2020, "uuid", `"nope"`, false, false},
		{d2020, "byte", `"***"`, false, false},
		{d2020, "byte", `"aGk="`, false, true},
		{d2020, "int32", `2147483648`, false, false},
		{d2020, "int32", `-2147483648`, false, true},
		{d2020, "uint64", `-1`, false, false},
		{d2020, "float", `1e39`, false, false},
		{d2020, "float", `"strings pass"`, false, true},
		{d2020, "no-such-format", `"x"`, true, true},
	} {
		var opts []Option
		if c.all {
			opts = append(opts, WithFormatAssertion())
		}
		v, err := NewValidator(ModeStrict, []Aspect{{Name: "a", Schema: doc(c.meta, c.format)}}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		err = v.Validate(&envelope.Envelope{Aspect: "a", Payload: json.RawMessage(`{"x": ` + c.value + `}`)})
		if (err == nil) != c.ok {
			t.Errorf("%s %s %s (all=%v): %v, want ok=%v", c.meta, c.format, c.value, c.all, err, c.ok)
		}
	}
}
