package registry

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The exact wire shapes of Parsec's registry, as compact JSON.
const (
	wireEntry = `{"pattern":"sessions:{id}","description":"A user session.","version":3,` +
		`"aspects":{"data":{"name":"data","description":"Session data.","payload_schema":{"type":"object"},"required":true},` +
		`"cursor":{"name":"cursor","description":"","payload_schema":null,"required":false}},` +
		`"acl":{"publish_roles":["app"],"subscribe_roles":["app","ops"],"notes":"owner only"}}`
	wireSnapshot = `{"patterns":[` + wireEntry + `],"at":"2026-12-03T18:00:00Z"}`
	wireChange   = `{"kind":"updated","pattern":"sessions:{id}","schema":` + wireEntry + `,"at":"2026-12-03T18:00:01Z"}`
	wireMatch    = `{"pattern":` + wireEntry + `,"bindings":{"id":"42"}}`
	wireHistory  = `{"pattern":"sessions:{id}","history":[` + wireEntry + `]}`
)

var entry = Entry{
	Pattern: "sessions:{id}", Description: "A user session.", Version: 3,
	Aspects: Aspects{
		{Name: "data", Description: "Session data.", PayloadSchema: json.RawMessage(`{"type":"object"}`), Required: true},
		{Name: "cursor", PayloadSchema: json.RawMessage(`null`)},
	},
	ACL: ACL{PublishRoles: []string{"app"}, SubscribeRoles: []string{"app", "ops"}, Notes: "owner only"},
}

func roundTrip[T any](t *testing.T, wire string, want T) {
	t.Helper()
	var got T
	if err := json.Unmarshal([]byte(wire), &got); err != nil {
		t.Fatalf("decode %T: %v", got, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decode %T (-want +got):\n%s", got, diff)
	}
	out, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("encode %T: %v", want, err)
	}
	if string(out) != wire {
		t.Errorf("encode %T:\n got %s\nwant %s", want, out, wire)
	}
}

func TestWireShapes(t *testing.T) {
	at := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	roundTrip(t, wireEntry, entry)
	roundTrip(t, wireSnapshot, Snapshot{Patterns: []Entry{entry}, At: at})
	roundTrip(t, wireChange, Change{Kind: Updated, Pattern: "sessions:{id}", Schema: entry, At: at.Add(time.Second)})
	roundTrip(t, wireMatch, ChannelMatch{Pattern: entry, Bindings: map[string]string{"id": "42"}})
	roundTrip(t, wireHistory, History{Pattern: "sessions:{id}", History: []Entry{entry}})
	roundTrip(t, `{"error":"no pattern matches \"x\""}`, ErrorBody{Error: `no pattern matches "x"`})
}

func TestAspectsKeepOrder(t *testing.T) {
	// Reverse alphabetical: a map would sort them.
	var as Aspects
	if err := json.Unmarshal([]byte(`{"z":{"name":"z"},"m":{},"a":{"name":"a"}}`), &as); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range as {
		names = append(names, a.Name)
	}
	if diff := cmp.Diff([]string{"z", "m", "a"}, names); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if a, ok := as.Lookup("m"); !ok || a.Name != "m" || a.HasSchema() {
		t.Errorf("Lookup(m) = %+v, %v; want the unnamed aspect named by its key, without schema", a, ok)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		into any
		wire string
		err  string
	}{
		{new(Aspects), `{"a":{"name":"b"}}`, `aspect "a": name "b": want the key`},
		{new(Aspects), `{"a":{},"a":{}}`, `aspect "a": listed twice`},
		{new(Aspects), `[]`, `want an object`},
		{new(Aspects), `{"a":{"required":"yes"}}`, `aspect "a"`},
		{new(Change), `{"kind":"renamed","pattern":"p"}`, `kind "renamed"`},
	} {
		err := json.Unmarshal([]byte(tc.wire), tc.into)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("decode %s into %T: %v, want an error containing %q", tc.wire, tc.into, err, tc.err)
		}
	}
}

func TestHasSchema(t *testing.T) {
	for raw, want := range map[string]bool{"": false, "null": false, " null ": false, "{}": true, "true": true} {
		if got := (Aspect{PayloadSchema: json.RawMessage(raw)}).HasSchema(); got != want {
			t.Errorf("HasSchema(%q) = %v, want %v", raw, got, want)
		}
	}
}
