package integration

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/server"
	"github.com/parsec-gen/parsec-gen/server/internal/faultproxy"
)

// publishServerSide publishes ticks from..to (inclusive) for producer from
// the server, so publishing is unaffected by faults on the subscriber's side.
func publishServerSide(t testing.TB, srv *server.Server, channel, producer string, from, to int, each func(i int)) {
	t.Helper()
	for i := from; i <= to; i++ {
		if _, _, err := srv.Publish(channel, encodeTick(t, channel, producer, i)); err != nil {
			t.Fatalf("publish #%d: %v", i, err)
		}
		if each != nil {
			each(i)
		}
	}
}

// checkExactlyOnce fails unless the subscriber saw 1..n once each, in order.
func checkExactlyOnce(t testing.TB, ta *tally, producer string, n int) {
	t.Helper()
	waitFor(t, 30*time.Second, "every message", func() bool { return ta.distinct(producer) == n })
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if ta.dups != 0 || ta.reorder != 0 || ta.bad != 0 || ta.got != n {
		t.Fatalf("want %d messages exactly once and in order: %s", n, ta.stringLocked())
	}
}

func (ta *tally) stringLocked() string {
	ta.mu.Unlock()
	defer ta.mu.Lock()
	return ta.String()
}

// Fault 2: the server disconnects the subscriber with a reconnect code while
// a WebSocket publisher is publishing: no loss, no duplicates, each
// reconnect reported and recovered.
func TestWSForcedReconnect(t *testing.T) {
	const (
		channel    = "orders:reconnect"
		messages   = 600
		reconnects = 4
	)
	srv := startServer(t, server.Config{})
	sub := dialWS(t, srv, srv.URL(), "subscriber")
	pub := dialWS(t, srv, srv.URL(), "publisher")
	ta, _ := subscribe(t, sub, channel, client.SubscribeOptions{})

	rng := rand.New(rand.NewPCG(2, 2))
	kicks := map[int]bool{}
	for len(kicks) < reconnects {
		kicks[50+rng.IntN(messages-100)] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	kicked := 0
	for i := 1; i <= messages; i++ {
		if err := pub.Publish(ctx, channel, encodeTick(t, channel, "p", i)); err != nil {
			t.Fatalf("publish #%d: %v", i, err)
		}
		if kicks[i] {
			// A kick while the subscriber is still reconnecting would find
			// nobody to disconnect: let the previous recovery finish.
			waitFor(t, 10*time.Second, "previous recovery", func() bool { return ta.count(client.EventRecovered) == kicked })
			if err := srv.Disconnect("subscriber", true); err != nil {
				t.Fatal(err)
			}
			kicked++
		}
	}
	checkExactlyOnce(t, ta, "p", messages)
	waitFor(t, 10*time.Second, "recoveries reported: "+ta.String(), func() bool {
		return ta.count(client.EventRecovered) == reconnects
	})
	if n := ta.count(client.EventDisconnected); n != reconnects {
		t.Errorf("%d disconnects reported, want %d", n, reconnects)
	}
	if n := ta.count(client.EventUnrecoverable); n != 0 {
		t.Errorf("%d unrecoverable reports, want none: %s", n, ta)
	}
	figures(t, "ws/forced-reconnect", messages, ta)
}

// proxied starts a fault proxy in front of srv and returns it with the
// WebSocket URL through it.
func proxied(t testing.TB, srv *server.Server) (*faultproxy.Proxy, string) {
	t.Helper()
	p, err := faultproxy.Start(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p, "ws://" + p.Addr() + server.WebsocketPath
}

// eventAfter reports whether an event of kind arrived after the first n
// events.
func (ta *tally) eventAfter(n int, kind client.StreamEventKind) bool {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	for _, e := range ta.events[min(n, len(ta.events)):] {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

func (ta *tally) nEvents() int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return len(ta.events)
}

// Fault 3: hard network faults through a loopback proxy (reset, blackhole
// without FIN, latency) while the server publishes: each loss is detected
// within the ping bound and the stream resumes without loss or duplicates.
func TestWSNetworkFaults(t *testing.T) {
	const channel = "orders:netfaults"
	// Ping every second; the client allows 1s more: a dead path is noticed
	// within 2s, checked against that bound plus scheduling slack.
	srv := startServer(t, server.Config{PingInterval: time.Second, PongTimeout: 500 * time.Millisecond})
	proxy, url := proxied(t, srv)
	sub := dialWS(t, srv, url, "subscriber")
	ta, _ := subscribe(t, sub, channel, client.SubscribeOptions{})
	const detectBound = 2*time.Second + 3*time.Second

	n := 0
	publish := func(k int) {
		publishServerSide(t, srv, channel, "p", n+1, n+k, nil)
		n += k
	}
	var detect []time.Duration
	// fault injects a fault, keeps publishing into it, waits for the loss
	// to be noticed, heals and waits for the recovery.
	fault := func(name string, inject func()) {
		before := ta.nEvents()
		start := time.Now()
		inject()
		publish(100)
		waitFor(t, detectBound, name+" detected", func() bool { return ta.eventAfter(before, client.EventDisconnected) })
		detect = append(detect, time.Since(start))
		proxy.Heal()
		waitFor(t, 20*time.Second, name+" recovered", func() bool { return ta.eventAfter(before, client.EventRecovered) })
	}
	publish(100)
	fault("reset", proxy.Reset)
	fault("blackhole", proxy.Blackhole)
	proxy.Latency(20 * time.Millisecond)
	publish(100)
	proxy.Heal()
	publish(100)
	checkExactlyOnce(t, ta, "p", n)
	if ta.gapTotal != 0 || ta.count(client.EventUnrecoverable) != 0 {
		t.Errorf("loss reported on a recoverable run: %s", ta)
	}
	t.Logf("loss detected after %v (bound %v)", detect, detectBound)
	figures(t, "ws/network-faults", n, ta)
}

// Fault 4: the subscriber misses more than the history holds. The transport
// resumes from the oldest publication still in history, reports exactly the
// publications that are gone, and goes on with new messages.
func TestWSUnrecoverableGap(t *testing.T) {
	const (
		channel = "orders:gap"
		history = 20
		before  = 50
		outage  = 75 // published while the subscriber is cut off
		after   = 50
		lost    = outage - history
	)
	srv := startServer(t, server.Config{HistorySize: history, PingInterval: time.Second, PongTimeout: 500 * time.Millisecond})
	proxy, url := proxied(t, srv)
	sub := dialWS(t, srv, url, "subscriber")
	ta, _ := subscribe(t, sub, channel, client.SubscribeOptions{})

	publishServerSide(t, srv, channel, "p", 1, before, nil)
	waitFor(t, 10*time.Second, "first batch", func() bool { return ta.distinct("p") == before })
	proxy.Blackhole()
	waitFor(t, 10*time.Second, "disconnect", func() bool { return ta.count(client.EventDisconnected) == 1 })
	publishServerSide(t, srv, channel, "p", before+1, before+outage, nil)
	healed := ta.nEvents()
	proxy.Heal()
	waitFor(t, 20*time.Second, "gap report", func() bool { return ta.count(client.EventUnrecoverable) == 1 })
	// The subscription is live again only once the transport has caught up
	// from history and resubscribed; publishing earlier would push more than
	// the history holds past it, a real second loss.
	waitFor(t, 20*time.Second, "resubscribed", func() bool { return ta.eventAfter(healed, client.EventSubscribed) })
	publishServerSide(t, srv, channel, "p", before+outage+1, before+outage+after, nil)
	waitFor(t, 20*time.Second, "new messages", func() bool { return ta.distinct("p") == before+history+after })

	ta.mu.Lock()
	var gap client.StreamEvent
	for _, e := range ta.events {
		if e.Kind == client.EventUnrecoverable {
			gap = e
		}
	}
	dups, got, reorder := ta.dups, ta.got, ta.reorder
	ta.mu.Unlock()
	if gap.Missed != lost {
		t.Errorf("gap reported Missed=%d, want %d (%v)", gap.Missed, lost, gap.Err)
	}
	if missing := ta.missing("p", before+outage+after); len(missing) != lost || missing[0] != before+1 || missing[lost-1] != before+lost {
		t.Errorf("missing %v, want exactly %d..%d", missing, before+1, before+lost)
	}
	if dups != 0 || reorder != 0 || got != before+history+after {
		t.Errorf("received %d with %d duplicates, %d out of order; want %d once each, in order", got, dups, reorder, before+history+after)
	}
	figures(t, "ws/unrecoverable-gap", before+outage+after, ta)
}

// Fault 5: the server restarts (memory engine: new epoch). The subscriber
// detects it, reports the stream as unrecoverable with an unknown size,
// resubscribes and receives the new stream, whose offsets restart at 1 and
// must not be mistaken for duplicates of the old ones.
func TestWSServerRestart(t *testing.T) {
	const (
		channel = "orders:restart"
		before  = 100
		after   = 100
	)
	secret := []byte("restart-secret")
	srv := startServer(t, server.Config{Secret: secret})
	sub := dialWS(t, srv, srv.URL(), "subscriber")
	ta, _ := subscribe(t, sub, channel, client.SubscribeOptions{})
	publishServerSide(t, srv, channel, "p", 1, before, nil)
	waitFor(t, 10*time.Second, "first epoch", func() bool { return ta.distinct("p") == before })
	_, oldEpoch, err := srv.StreamTop(channel)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	var srv2 *server.Server
	waitFor(t, 10*time.Second, "restart on the same address", func() bool {
		s, err := server.Start(ctx, server.Config{Addr: srv.Addr(), Secret: secret})
		if err != nil && !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
		srv2 = s
		return err == nil
	})
	t.Cleanup(func() {
		if err := srv2.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	waitFor(t, 20*time.Second, "epoch change reported", func() bool { return ta.count(client.EventUnrecoverable) == 1 })
	publishServerSide(t, srv2, channel, "p", before+1, before+after, nil)
	waitFor(t, 20*time.Second, "second epoch", func() bool { return ta.distinct("p") == before+after })

	ta.mu.Lock()
	var gap client.StreamEvent
	for _, e := range ta.events {
		if e.Kind == client.EventUnrecoverable {
			gap = e
		}
	}
	dups, got := ta.dups, ta.got
	ta.mu.Unlock()
	if gap.Missed != -1 || gap.Position.Epoch == oldEpoch || gap.Position.Epoch == "" {
		t.Errorf("restart reported %+v, want Missed -1 and a new epoch (old %q)", gap, oldEpoch)
	}
	if dups != 0 || got != before+after {
		t.Errorf("received %d with %d duplicates, want %d once each", got, dups, before+after)
	}
	figures(t, "ws/server-restart", before+after, ta)
}
