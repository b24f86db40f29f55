package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

func driftEntry(version int64, schema string) registry.Entry {
	return registry.Entry{Pattern: "sessions:{id}", Version: version, Aspects: registry.Aspects{
		{Name: "data", PayloadSchema: json.RawMessage(schema), Required: true},
	}}
}

// snapshotServer serves a snapshot of entries that the test can replace.
type snapshotServer struct {
	mu      sync.Mutex
	entries []registry.Entry
}

func (s *snapshotServer) set(e ...registry.Entry) {
	s.mu.Lock()
	s.entries = e
	s.mu.Unlock()
}

func (s *snapshotServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := json.Marshal(registry.Snapshot{Patterns: s.entries, At: time.Now()})
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Write(data)
}

// TestRegistryDrift: at Connect the snapshot is compared (an equal one
// reports nothing), then each change on the change channel is compared; a
// change of another pattern, and a change that does not decode, are told
// apart; Close waits for the watcher.
func TestRegistryDrift(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	compiled := []registry.Entry{driftEntry(1, `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`)}
	snaps := &snapshotServer{}
	snaps.set(driftEntry(1, `{"type": "object"}`))
	srv := httptest.NewServer(snaps)
	defer srv.Close()

	broker := NewMemoryTransport()
	reports := make(chan error, 16)
	c, err := New(WithTransport(broker.Peer()), WithProducer(envelope.Producer{ID: "p", Kind: envelope.ProducerService}),
		WithErrorHandler(func(err error) { reports <- err }), WithRegistryDrift(srv.URL, compiled))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-reports:
		t.Fatalf("drift reported for an equal registry: %v", err)
	default:
	}
	registryPeer := broker.Peer()
	if err := registryPeer.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	publish := func(ch registry.Change) {
		t.Helper()
		data, err := json.Marshal(ch)
		if err != nil {
			t.Fatal(err)
		}
		if err := registryPeer.Publish(ctx, registry.ChangeChannel, data); err != nil {
			t.Fatal(err)
		}
	}
	// The watcher subscribes after Connect returns; publish until it sees one.
	other := registry.Change{Kind: registry.Registered, Pattern: "rooms:{id}", Schema: registry.Entry{Pattern: "rooms:{id}", Version: 1}, At: time.Now()}
	changed := registry.Change{Kind: registry.Updated, Pattern: "sessions:{id}", Schema: driftEntry(2, `{"type":"object","required":["user"]}`), At: time.Now()}
	var got []string
	deadline := time.After(10 * time.Second)
	for len(got) < 2 {
		publish(other)
		publish(changed)
		select {
		case err := <-reports:
			var de *registry.DriftError
			if !errors.As(err, &de) {
				t.Fatalf("report %v, want a *registry.DriftError", err)
			}
			if de.Pattern != "sessions:{id}" || de.OldVersion != 1 || de.NewVersion != 2 {
				t.Fatalf("drift %+v, want sessions:{id} from version 1 to 2", de.Difference)
			}
			if len(got) == 0 || got[len(got)-1] != string(de.Kind)+" "+de.Aspect {
				got = append(got, string(de.Kind)+" "+de.Aspect)
			}
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no drift reported; got %q", got)
		}
	}
	if got[0] != "version changed " || got[1] != "payload schema changed data" {
		t.Errorf("drift %q, want the version, then the data schema", got)
	}
	if err := registryPeer.Publish(ctx, registry.ChangeChannel, []byte(`{"kind":"renamed"}`)); err != nil {
		t.Fatal(err)
	}
	for malformed := false; !malformed; {
		select {
		case err := <-reports:
			var de *registry.DriftError
			switch {
			case errors.As(err, &de): // a change published above, still arriving
			case strings.Contains(err.Error(), `kind "renamed"`):
				malformed = true
			default:
				t.Errorf("a malformed change reported as %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a malformed change was not reported")
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRegistryDriftAtConnect: a registry that moved on while the program was
// built is reported before Connect returns; one that cannot be reached is
// reported too, and Connect still succeeds.
func TestRegistryDriftAtConnect(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	snaps := &snapshotServer{}
	snaps.set(driftEntry(3, `{"type":"object"}`))
	srv := httptest.NewServer(snaps)
	defer srv.Close()
	for _, tc := range []struct {
		url  string
		want string
	}{
		{srv.URL, `parsec: registry drift: pattern "sessions:{id}": version changed (compiled version 1, live version 3)`},
		{"http://127.0.0.1:1/parsec/schemas", "parsec: registry drift check: registry: "},
	} {
		var mu sync.Mutex
		var reports []string
		c, err := New(WithTransport(NewMemoryTransport().Peer()),
			WithErrorHandler(func(err error) { mu.Lock(); reports = append(reports, err.Error()); mu.Unlock() }),
			WithRegistryDrift(tc.url, []registry.Entry{driftEntry(1, `{"type":"object"}`)}, WithDriftTimeout(5*time.Second)))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Connect(ctx, ""); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(reports) == 0 || !strings.HasPrefix(reports[0], tc.want) {
			t.Errorf("%s: reports %q, want first %q", tc.url, reports, tc.want)
		}
		mu.Unlock()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// judgeCall is one call of a test judge.
type judgeCall struct {
	compiled, live string
	dir            registry.Direction
}

// TestRegistryDriftJudged: with a judge, each changed payload schema, at
// Connect and on the change channel, is judged for the client's direction
// with the compiled and the live schema; its verdict is in the DriftError
// and its message; other differences go unjudged; a judge that fails is
// reported and the DriftError still arrives, without a verdict.
func TestRegistryDriftJudged(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const compiledSchema = `{"type":"object"}`
	snaps := &snapshotServer{}
	snaps.set(driftEntry(2, `{"type":"object","required":["user"]}`))
	srv := httptest.NewServer(snaps)
	defer srv.Close()

	calls := make(chan judgeCall, 16)
	judge := func(compiled, live json.RawMessage, dir registry.Direction) (*registry.Verdict, error) {
		select { // never block the watcher: the first call is the one checked
		case calls <- judgeCall{string(compiled), string(live), dir}:
		default:
		}
		if strings.Contains(string(live), "fail") {
			return nil, errors.New("cannot judge")
		}
		v := &registry.Verdict{Direction: dir}
		if strings.Contains(string(live), "required") {
			v.Breaks = []registry.Break{{Direction: registry.Publishes, Message: "missing user", Witness: json.RawMessage(`{}`)}}
		}
		return v, nil
	}
	broker := NewMemoryTransport()
	reports := make(chan error, 16)
	c, err := New(WithTransport(broker.Peer()), WithErrorHandler(func(err error) { reports <- err }),
		WithRegistryDrift(srv.URL, []registry.Entry{driftEntry(1, compiledSchema)},
			WithDriftJudge(judge), WithDriftDirection(registry.Publishes)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	next := func() error {
		t.Helper()
		select {
		case err := <-reports:
			return err
		case <-ctx.Done():
			t.Fatal("no drift report within the bound")
		}
		return nil
	}
	drift := func() *registry.DriftError {
		t.Helper()
		err := next()
		var de *registry.DriftError
		if !errors.As(err, &de) {
			t.Fatalf("report %v, want a *registry.DriftError", err)
		}
		return de
	}
	if de := drift(); de.Kind != registry.VersionChanged || de.Verdict != nil {
		t.Errorf("first report %v, want the version change, unjudged", de)
	}
	de := drift()
	if de.Kind != registry.SchemaChanged || !de.Verdict.Breaking() || de.Verdict.Direction != registry.Publishes {
		t.Fatalf("second report %v (verdict %+v), want the data schema, breaking for a publisher", de, de.Verdict)
	}
	if want := `payload schema changed (compiled version 1, live version 2): breaking for a client that publishes: missing user (witness {})`; !strings.HasSuffix(de.Error(), want) {
		t.Errorf("message %q, want it to end %q", de.Error(), want)
	}
	if got, want := <-calls, (judgeCall{compiledSchema, `{"type":"object","required":["user"]}`, registry.Publishes}); got != want {
		t.Errorf("judge called with %+v, want %+v", got, want)
	}

	registryPeer := broker.Peer()
	if err := registryPeer.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	// The watcher subscribes after Connect returns; publish until it sees
	// one. The compatible change is judged so, the failing one reported.
	for _, tc := range []struct{ live, want string }{
		{`{"type":"object","pattern":"ok"}`, ": compatible for a client that publishes"},
		{`{"type":"object","pattern":"fail"}`, "judge pattern \"sessions:{id}\" aspect \"data\": cannot judge"},
	} {
		data, err := json.Marshal(registry.Change{Kind: registry.Updated, Pattern: "sessions:{id}", Schema: driftEntry(1, tc.live), At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for seen := false; !seen; {
			if err := registryPeer.Publish(ctx, registry.ChangeChannel, data); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-reports:
				if !strings.HasSuffix(err.Error(), tc.want) {
					t.Fatalf("report %q, want it to end %q", err, tc.want)
				}
				seen = true
				if strings.Contains(tc.live, "fail") {
					if de := drift(); de.Kind != registry.SchemaChanged || de.Verdict != nil {
						t.Errorf("after a failed judgement %v (verdict %+v), want the schema change, unjudged", de, de.Verdict)
					}
				}
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				t.Fatalf("no report of %s", tc.live)
			}
		}
		// Let repeated publishes drain before the next case.
		for drained := false; !drained; {
			select {
			case err := <-reports:
				if !strings.Contains(err.Error(), "payload schema changed") && !strings.Contains(err.Error(), "cannot judge") {
					t.Fatalf("unexpected report %v", err)
				}
			case <-time.After(200 * time.Millisecond):
				drained = true
			}
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
