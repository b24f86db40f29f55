package integration

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

// History and presence go through the server; history bounds are inclusive
// stream offsets and Limit keeps the newest.
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
		{client.HistoryOptions{Since: 4}, 4, 7},
		{client.HistoryOptions{Since: 4, Until: 6}, 4, 3},
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Error(err)
		}
	})
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
