package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"
	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

func entry(pattern string, version int64, aspects ...string) registry.Entry {
	e := registry.Entry{Pattern: pattern, Version: version, Description: "about " + pattern}
	for _, a := range aspects {
		e.Aspects = append(e.Aspects, registry.Aspect{Name: a, PayloadSchema: json.RawMessage(`{"type":"object"}`)})
	}
	return e
}

func get(t *testing.T, base, query string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q, want application/json", query, ct)
	}
	return resp.StatusCode, string(body)
}

func TestRegistryRoutes(t *testing.T) {
	r, err := NewRegistry(entry("sessions:{id}", 1, "data"), entry("sessions:admin", 2, "data", "audit"), entry("logs:**", 1, "line"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return at }
	if _, err := r.Register(entry("sessions:{id}", 0, "data", "cursor")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	defer srv.Close()

	decode := func(body string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	code, body := get(t, srv.URL, "")
	var snap registry.Snapshot
	decode(body, &snap)
	var pats []string
	for _, e := range snap.Patterns {
		pats = append(pats, e.Pattern)
	}
	if code != 200 || !snap.At.Equal(at) || !cmp.Equal(pats, []string{"logs:**", "sessions:admin", "sessions:{id}"}) {
		t.Errorf("snapshot: %d %s", code, body)
	}

	for _, tc := range []struct {
		channel, pattern string
		bind             map[string]string
	}{
		{"sessions:42", "sessions:{id}", map[string]string{"id": "42"}},
		{"sessions:admin", "sessions:admin", map[string]string{}}, // the literal beats {id}
		{"logs:a.b", "logs:**", map[string]string{}},
	} {
		code, body := get(t, srv.URL, "?channel="+url.QueryEscape(tc.channel))
		var m registry.ChannelMatch
		decode(body, &m)
		if code != 200 || m.Pattern.Pattern != tc.pattern || !cmp.Equal(m.Bindings, tc.bind) {
			t.Errorf("?channel=%s: %d %s; want pattern %q bindings %v", tc.channel, code, body, tc.pattern, tc.bind)
		}
	}

	code, body = get(t, srv.URL, "?pattern="+url.QueryEscape("sessions:{id}"))
	var e registry.Entry
	decode(body, &e)
	if code != 200 || e.Version != 2 || len(e.Aspects) != 2 || e.Aspects[1].Name != "cursor" {
		t.Errorf("?pattern=: %d %s; want version 2 with aspects data, cursor", code, body)
	}
	code, body = get(t, srv.URL, "?pattern="+url.QueryEscape("sessions:{id}")+"&history=true")
	var h registry.History
	decode(body, &h)
	if code != 200 || h.Pattern != "sessions:{id}" || len(h.History) != 2 || h.History[0].Version != 1 || h.History[1].Version != 2 {
		t.Errorf("history: %d %s; want versions 1, 2 oldest first", code, body)
	}

	for _, tc := range []struct {
		query  string
		status int
		msg    string
	}{
		{"?channel=orders", 404, `no pattern matches channel "orders"`},
		{"?pattern=nope", 404, `pattern "nope" is not registered`},
		{"?pattern=nope&history=true", 404, `pattern "nope" was never registered`},
		{"?history=true", 501, "without pattern="},
		{"?channel=x&pattern=y", 501, "combined"},
		{"?limit=3", 501, `query parameter "limit"`},
	} {
		code, body := get(t, srv.URL, tc.query)
		var eb registry.ErrorBody
		decode(body, &eb)
		if code != tc.status || !strings.Contains(eb.Error, tc.msg) {
			t.Errorf("%s: %d %s; want %d with an error containing %q", tc.query, code, body, tc.status, tc.msg)
		}
	}
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 501 {
		t.Errorf("POST: %d, want 501", resp.StatusCode)
	}

	if _, err := r.Deregister("sessions:admin"); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, srv.URL, "?channel=sessions:admin"); code != 200 {
		t.Errorf("after deregistering the literal, sessions:admin should match sessions:{id}: %d", code)
	}
	if code, body := get(t, srv.URL, "?pattern=sessions:admin&history=true"); code != 200 || !strings.Contains(body, `"version":2`) {
		t.Errorf("a deregistered pattern's history: %d %s", code, body)
	}
}

func TestRegistryRejects(t *testing.T) {
	if _, err := NewRegistry(entry("a.b", 1), entry("a.b", 2)); err == nil || !strings.Contains(err.Error(), `"a.b" listed twice`) {
		t.Errorf("duplicate pattern: %v", err)
	}
	if _, err := NewRegistry(entry("a.b*", 1)); err == nil || !strings.Contains(err.Error(), "mixes a literal") {
		t.Errorf("bad pattern: %v", err)
	}
	r, err := NewRegistry(entry("a", 3))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register(entry("a", 3)); err == nil || !strings.Contains(err.Error(), "version 3: want above the current 3") {
		t.Errorf("stale version: %v", err)
	}
	bad := entry("b", 1, "x")
	bad.Aspects[0].PayloadSchema = json.RawMessage(`{`)
	if _, err := r.Register(bad); err == nil || !strings.Contains(err.Error(), `aspect "x": payload_schema is not JSON`) {
		t.Errorf("bad schema: %v", err)
	}
	if _, err := r.Deregister("b"); err == nil {
		t.Error("deregistering an unknown pattern succeeded")
	}
}

// TestServerPublishesRegistryChanges: a server serves its registry over
// HTTP and publishes each change on the change channel, in order.
func TestServerPublishesRegistryChanges(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	reg, err := NewRegistry(entry("sessions:{id}", 1, "data"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start(ctx, Config{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	if _, err := Start(ctx, Config{Registry: reg}); err == nil {
		t.Fatal("a second server started with a registry already served")
	}
	snap, _, err := registry.Fetch(ctx, nil, srv.RegistryURL())
	if err != nil || len(snap.Patterns) != 1 || snap.Patterns[0].Pattern != "sessions:{id}" {
		t.Fatalf("Fetch(%s) = %+v, %v", srv.RegistryURL(), snap, err)
	}

	tok, err := srv.Token("watcher", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c := centrifugego.NewJsonClient(srv.URL(), centrifugego.Config{Token: tok})
	defer c.Close()
	sub, err := c.NewSubscription(registry.ChangeChannel)
	if err != nil {
		t.Fatal(err)
	}
	subscribed := make(chan struct{}, 1)
	got := make(chan []byte, 4)
	sub.OnSubscribed(func(centrifugego.SubscribedEvent) { subscribed <- struct{}{} })
	sub.OnPublication(func(e centrifugego.PublicationEvent) { got <- e.Data })
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-subscribed:
	case <-ctx.Done():
		t.Fatal("not subscribed")
	}
	if _, err := srv.Registry().Register(entry("sessions:{id}", 0, "data", "cursor")); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Registry().Register(entry("rooms:{id}", 0, "msg")); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Registry().Deregister("rooms:{id}"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		kind    registry.ChangeKind
		pattern string
		version int64
	}{{registry.Updated, "sessions:{id}", 2}, {registry.Registered, "rooms:{id}", 1}, {registry.Deregistered, "rooms:{id}", 1}} {
		select {
		case data := <-got:
			var ch registry.Change
			if err := json.Unmarshal(data, &ch); err != nil {
				t.Fatalf("change %s: %v", data, err)
			}
			if ch.Kind != want.kind || ch.Pattern != want.pattern || ch.Schema.Version != want.version || ch.At.IsZero() {
				t.Fatalf("change %s; want %s %s version %d", data, want.kind, want.pattern, want.version)
			}
		case <-ctx.Done():
			t.Fatalf("change %s %s not published", want.kind, want.pattern)
		}
	}
}
