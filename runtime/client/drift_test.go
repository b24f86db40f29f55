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
