package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

// History and presence go through the server; history bounds are stream
// offsets (Since exclusive, Until inclusive) and Limit keeps the newest.
func TestWSHistoryAndPresence(t *testing.T) {
	const channel = "orders:api"
	srv := startServer(t, server.Config{})
	tr := dialWS(t, srv, srv.URL(), "alice")
	other := dialWS(t, srv, srv.URL(), "bob")
	subscribe(t, tr, channel, client.SubscribeOptions{})
	subscribe(t, other, channel, client.SubscribeOptions{})
	publishServerSide(t, srv, channel, "p", 1, 10, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	seqs := func(opts client.HistoryOptions) []int {
		t.Helper()
		h, err := tr.History(ctx, channel, opts)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]int, 0, len(h))
		for _, b := range h {
			ta := newTally()
			ta.add(b)
			for i := range ta.seen["p"] {
				out = append(out, i)
			}
		}
		return out
	}
	for _, tc := range []struct {
		opts       client.HistoryOptions
		first, num int
	}{
		{client.HistoryOptions{}, 1, 10},
		{client.HistoryOptions{Limit: 3}, 8, 3},
		{client.HistoryOptions{Since: 4}, 5, 6},           // Since exclusive
		{client.HistoryOptions{Since: 4, Until: 6}, 5, 2}, // Until inclusive
		{client.HistoryOptions{Until: 2}, 1, 2},
		{client.HistoryOptions{Since: 2, Limit: 2}, 9, 2},
	} {
		got := seqs(tc.opts)
		if len(got) != tc.num {
			t.Errorf("history %+v: %v, want %d from %d", tc.opts, got, tc.num, tc.first)
			continue
		}
		for i, s := range got {
			if s != tc.first+i {
				t.Errorf("history %+v: %v, want %d from %d", tc.opts, got, tc.num, tc.first)
				break
			}
		}
	}
	if _, err := tr.History(ctx, channel, client.HistoryOptions{Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
	pres, err := tr.Presence(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]bool{}
	for _, p := range pres {
		users[p.UserID] = p.ClientID != ""
	}
	if len(pres) != 2 || !users["alice"] || !users["bob"] {
		t.Fatalf("presence %+v, want alice and bob with client ids", pres)
	}
}

// A connection token that expires every two seconds is refreshed through
// the token function; the connection and its subscription live on.
// TestWSConnectToken: a token passed to Connect is the connection token;
// a token configured on the transport wins over it.
func TestWSConnectToken(t *testing.T) {
	srv := startServer(t, server.Config{})
	good, err := srv.Token("alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dial := func(token string, opts ...ws.Option) error {
		tr, err := ws.New(srv.URL(), append(fastReconnect(), opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := tr.Close(); err != nil {
				t.Error(err)
			}
		}()
		c, err := client.New(client.WithTransport(tr))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return c.Connect(ctx, token)
	}
	var logged strings.Builder
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		logMu.Lock()
		defer logMu.Unlock()
		return logged.Write(p)
	}), nil))
	if err := dial(good, ws.WithLogger(logger)); err != nil {
		t.Errorf("connect with the token given to Connect: %v", err)
	}
	logMu.Lock()
	if !strings.Contains(logged.String(), "ws transport: connected") {
		t.Errorf("WithLogger logged %q, want the connection", logged.String())
	}
	logMu.Unlock()
	if err := dial(""); err == nil {
		t.Error("connect without any token succeeded; the server requires one")
	}
	if err := dial("not-a-token", ws.WithToken(good)); err != nil {
		t.Errorf("a configured token must win over Connect's: %v", err)
	}
	if err := dial(good, ws.WithToken("not-a-token")); err == nil {
		t.Error("Connect's token won over the configured one")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWSTokenRefresh(t *testing.T) {
	const channel = "orders:refresh"
	srv := startServer(t, server.Config{})
	var calls atomic.Int32
	tr, err := ws.New(srv.URL(), append(fastReconnect(), ws.WithTokenFunc(func(context.Context) (string, error) {
		calls.Add(1)
		return srv.Token("short-lived", 2*time.Second)
	}))...)
	if err != nil {
		t.Fatal(err)
	}
	connected(t, tr, 10*time.Second)
	ta, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
	waitFor(t, 15*time.Second, "two token refreshes", func() bool { return calls.Load() >= 3 })
	publishServerSide(t, srv, channel, "p", 1, 5, nil)
	checkExactlyOnce(t, ta, "p", 5)
	if n := ta.count(client.EventDisconnected); n != 0 {
		t.Fatalf("%d disconnects while refreshing tokens: %s", n, ta)
	}
}

// Two subscriptions to one channel through one transport (the server allows
// one per connection, so the second rides an extra connection) each get
// every message; a forced reconnect of the user reaches both.
func TestWSSameChannelTwice(t *testing.T) {
	const (
		channel  = "orders:twice"
		messages = 200
	)
	srv := startServer(t, server.Config{})
	tr := dialWS(t, srv, srv.URL(), "twice")
	a, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
	b, stopB := subscribe(t, tr, channel, client.SubscribeOptions{})
	publishServerSide(t, srv, channel, "p", 1, messages/2, nil)
	if err := srv.Disconnect("twice", true); err != nil {
		t.Fatal(err)
	}
	publishServerSide(t, srv, channel, "p", messages/2+1, messages, nil)
	checkExactlyOnce(t, a, "p", messages)
	checkExactlyOnce(t, b, "p", messages)
	// A third subscription after one ended reuses the freed connection.
	stopB()
	c, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
	publishServerSide(t, srv, channel, "p", messages+1, messages+10, nil)
	waitFor(t, 10*time.Second, "the third subscription", func() bool { return c.distinct("p") == 10 })
	figures(t, "ws/same-channel-twice/a", messages, a)
	figures(t, "ws/same-channel-twice/b", messages, b)
}

// A restarted process resumes from the position it persisted: Since
// replays exactly what it missed, FromSequence replays from an offset, and a
// position from a lost epoch is reported unrecoverable instead of reused.
func TestWSResumeFromPersistedPosition(t *testing.T) {
	const channel = "orders:resume"
	srv := startServer(t, server.Config{})
	first := dialWS(t, srv, srv.URL(), "first")
	ta, stop := subscribe(t, first, channel, client.SubscribeOptions{})
	publishServerSide(t, srv, channel, "p", 1, 50, nil)
	checkExactlyOnce(t, ta, "p", 50)
	stop()
	// What the runtime persists: the subscribed position plus what it read.
	ta.mu.Lock()
	pos := ta.events[0].Position
	pos.Offset += uint64(ta.got)
	ta.mu.Unlock()
	if pos.Offset != 50 || pos.Epoch == "" {
		t.Fatalf("persisted position %+v, want offset 50 with an epoch", pos)
	}
	publishServerSide(t, srv, channel, "p", 51, 80, nil)

	second := dialWS(t, srv, srv.URL(), "second")
	tb, _ := subscribe(t, second, channel, client.SubscribeOptions{Since: &pos})
	waitFor(t, 10*time.Second, "the missed 30", func() bool { return tb.distinct("p") == 30 })
	publishServerSide(t, srv, channel, "p", 81, 85, nil)
	waitFor(t, 10*time.Second, "live after the replay", func() bool { return tb.distinct("p") == 35 })
	if m := tb.missing("p", 85); len(m) != 50 || m[0] != 1 || m[49] != 50 {
		t.Fatalf("resumed stream missing %v, want exactly 1..50", m)
	}
	if tb.dups != 0 || tb.reorder != 0 || tb.count(client.EventRecovered) != 1 {
		t.Fatalf("resume: %s", tb)
	}

	third := dialWS(t, srv, srv.URL(), "third")
	tc, _ := subscribe(t, third, channel, client.SubscribeOptions{FromSequence: 69})
	waitFor(t, 10*time.Second, "replay from offset 70", func() bool { return tc.distinct("p") == 16 })
	if m := tc.missing("p", 85); len(m) != 69 || tc.dups != 0 || tc.reorder != 0 {
		t.Fatalf("FromSequence 69: missing %d, %s", len(m), tc)
	}

	// A position of an epoch the server no longer has: everything in the
	// live epoch is new to this subscriber and delivered from its start.
	stale := client.StreamPosition{Offset: 10, Epoch: "gone"}
	fourth := dialWS(t, srv, srv.URL(), "fourth")
	td, _ := subscribe(t, fourth, channel, client.SubscribeOptions{Since: &stale})
	waitFor(t, 10*time.Second, "stale epoch reported", func() bool { return td.count(client.EventUnrecoverable) == 1 })
	publishServerSide(t, srv, channel, "p", 86, 86, nil)
	waitFor(t, 10*time.Second, "the live epoch after the stale position", func() bool { return td.distinct("p") == 86 })
	td.mu.Lock()
	defer td.mu.Unlock()
	for _, e := range td.events {
		if e.Kind == client.EventUnrecoverable && (e.Missed != -1 || e.Position != (client.StreamPosition{Epoch: pos.Epoch})) {
			t.Fatalf("stale position reported as %+v, want Missed -1 at the start of the live epoch", e)
		}
	}
	if td.got != 86 || td.dups != 0 || td.reorder != 0 {
		t.Fatalf("after a stale position: %s", td.stringLocked())
	}
}

// A server disconnect without reconnect ends the subscription for good: the
// reason is reported, the channel closes, and a new Subscribe says why it
// cannot work instead of waiting.
func TestWSPermanentDisconnect(t *testing.T) {
	const channel = "orders:banned"
	srv := startServer(t, server.Config{})
	tr := dialWS(t, srv, srv.URL(), "banned")
	ta, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
	if err := srv.Disconnect("banned", false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the stream to end", func() bool {
		ta.mu.Lock()
		defer ta.mu.Unlock()
		return ta.closed
	})
	ta.mu.Lock()
	last := ta.events[len(ta.events)-1]
	ta.mu.Unlock()
	if last.Kind != client.EventError || last.Err == nil {
		t.Fatalf("last event %+v, want the reason the stream ended", last)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := tr.Subscribe(ctx, channel, client.SubscribeOptions{}); err == nil || ctx.Err() != nil {
		t.Fatalf("subscribe after a permanent disconnect: %v (ctx %v), want an immediate error", err, ctx.Err())
	}
	t.Logf("ended with: %v", last.Err)
}

// Large publications: an envelope near the codec's default limit travels end
// to end; bytes over the transport's limit are refused locally and the
// connection and its subscription go on.
func TestWSLargeEnvelopes(t *testing.T) {
	const channel = "orders:large"
	srv := startServer(t, server.Config{})
	tr := dialWS(t, srv, srv.URL(), "large")
	ta, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	big := func(i, size int) []byte {
		b, err := envelope.Encode(&envelope.Envelope{Channel: channel, Sequence: int64(i), ProducedAt: time.Unix(1_800_000_000, 0).UTC(),
			Producer: envelope.Producer{ID: "p", Kind: envelope.ProducerService}, Aspect: "tick",
			Payload: json.RawMessage(fmt.Sprintf(`{"i":%d,"pad":%q}`, i, strings.Repeat("x", size)))})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// 60 KiB: just under the envelope codec's default limit (64 KiB).
	if err := tr.Publish(ctx, channel, big(1, 60<<10)); err != nil {
		t.Fatalf("60 KiB envelope: %v", err)
	}
	tooBig := []byte(fmt.Sprintf(`{"pad":%q}`, strings.Repeat("x", 2<<20)))
	if err := tr.Publish(ctx, channel, tooBig); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("2 MiB publication: %v, want a size error", err)
	}
	if err := tr.Publish(ctx, channel, encodeTick(t, channel, "p", 3)); err != nil {
		t.Fatalf("after the refused envelope: %v", err)
	}
	waitFor(t, 10*time.Second, "both envelopes", func() bool { return ta.distinct("p") == 2 })
	if ta.count(client.EventDisconnected) != 0 {
		t.Fatalf("connection lost: %s", ta)
	}
}
