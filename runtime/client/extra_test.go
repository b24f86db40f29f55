package client

import (
	"context"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// An envelope from a newer peer, with a top-level key this version does not
// know, reaches the handler and History with the key kept, and re-encodes
// (for forwarding) with it.
func TestUnknownEnvelopeKeysSurvive(t *testing.T) {
	tr := NewMemoryTransport()
	sub := newClient(t, tr.Peer())
	s := subscribe(t, sub, "orders")
	var got recorder
	s.HandleEnvelope(got.handle)
	start(t, s)
	const wire = `{"channel":"orders","sequence":1,"produced_at":"2026-05-27T14:22:09.331Z",` +
		`"producer":{"id":"js-1","kind":"user"},"aspect":"order_placed","payload":{"id":"o-1"},` +
		`"trace":{"span":"s-1","note":"<&>"}}`
	if err := tr.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if err := tr.Publish(context.Background(), "orders", []byte(wire)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the envelope", func() bool { return got.n() == 1 })
	got.mu.Lock()
	handled := got.envs[0]
	got.mu.Unlock()
	hist, err := sub.History(context.Background(), "orders", HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 {
		t.Fatalf("history has %d envelopes, want 1", len(hist))
	}
	for name, env := range map[string]*envelope.Envelope{"handler": handled, "history": &hist[0]} {
		if want := `{"trace":{"span":"s-1","note":"<&>"}}`; string(env.Extra) != want {
			t.Errorf("%s: Extra = %s, want %s", name, env.Extra, want)
		}
		out, err := envelope.Encode(env)
		if err != nil {
			t.Fatalf("%s: re-encode: %v", name, err)
		}
		if string(out) != wire {
			t.Errorf("%s: re-encoded\n%s\nwant\n%s", name, out, wire)
		}
	}
}
