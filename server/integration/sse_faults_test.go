package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/sse"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
	"github.com/parsec-gen/parsec-gen/server/internal/faultproxy"
)

// Fault 1: N subscribers x M messages from P producers through Centrifugo;
// each subscriber sees every message once, in order per producer, and so do
// the handlers of a runtime client on the same transport.
func TestSSEOrderedDelivery(t *testing.T) {
	const (
		subscribers = 4
		producers   = 2
		messages    = 300 // per producer
		channel     = "parsec:sse-ordered"
	)
	c := startCentrifugo(t, centrifugotest.Options{})
	var tallies []*tally
	for i := range subscribers {
		tr := newSSE(t, c, c.URL, fmt.Sprintf("sub-%d", i), nil)
		ta, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
		tallies = append(tallies, ta)
	}
	h := newHandlerLog()
	clientSubscribe(t, newSSE(t, c, c.URL, "client-sub", nil), channel, h)

	pub := newSSE(t, c, c.URL, "pub", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var waits []func()
	for p := range producers {
		producer := fmt.Sprintf("p%d", p)
		waits = append(waits, background(t, func() error {
			return publishTicks(ctx, t, pub, channel, producer, 1, messages, 0)
		}))
	}
	for _, w := range waits {
		w()
	}
	for i, ta := range tallies {
		for p := range producers {
			checkClean(t, fmt.Sprintf("subscriber %d", i), ta, fmt.Sprintf("p%d", p), messages)
		}
		figures(t, fmt.Sprintf("sse/ordered/sub%d", i), producers*messages, ta)
	}
	for p := range producers {
		checkHandled(t, "client", h, fmt.Sprintf("p%d", p), messages)
	}
	t.Logf("FIGURES sse/ordered/client: sent %d, %s", producers*messages, h)
}

// Fault 2: the server disconnects the subscribers with a reconnect code
// three times while a producer publishes: nothing is lost or duplicated,
// every reconnect is a recovery.
func TestSSEForcedReconnect(t *testing.T) {
	const (
		messages    = 600
		disconnects = 3
		channel     = "parsec:sse-forced"
		user        = "sse-forced"
	)
	c := startCentrifugo(t, centrifugotest.Options{})
	ta, _ := subscribe(t, newSSE(t, c, c.URL, user, nil), channel, client.SubscribeOptions{})
	h := newHandlerLog()
	clientSubscribe(t, newSSE(t, c, c.URL, user, nil), channel, h)
	pub := newSSE(t, c, c.URL, "pub", nil)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wait := background(t, func() error { return publishTicks(ctx, t, pub, channel, "p0", 1, messages, time.Millisecond) })
	for k := 1; k <= disconnects; k++ {
		// Spread the disconnects over the stream.
		waitFor(t, sseWaitDelivery, fmt.Sprintf("delivery before disconnect %d", k), func() bool {
			return ta.distinct("p0") >= k*messages/(disconnects+1)
		})
		if err := c.DisconnectUser(ctx, user, 3001, "test reconnect"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, sseWaitDelivery, fmt.Sprintf("resubscribe %d", k), func() bool {
			return ta.count(client.EventSubscribed) >= k+1
		})
	}
	wait()
	checkClean(t, "subscriber", ta, "p0", messages)
	checkHandled(t, "client", h, "p0", messages)
	if n := ta.count(client.EventRecovered); n != disconnects {
		t.Errorf("recoveries = %d, want %d: %s", n, disconnects, ta)
	}
	var dis *sse.DisconnectError
	for _, e := range ta.eventsOf(client.EventDisconnected) {
		if !errors.As(e.Err, &dis) || dis.Code != 3001 {
			t.Errorf("disconnect reason = %v, want the server's 3001", e.Err)
		}
	}
	figures(t, "sse/forced-reconnect", messages, ta)
	t.Logf("FIGURES sse/forced-reconnect/client: sent %d, %s", messages, h)
}

// Fault 3: hard network faults between the subscriber and Centrifugo, through
// a TCP proxy: a reset, a blackhole without FIN (detected by the ping
// timeout), then added latency. Resume is lossless each time.
func TestSSENetworkFaults(t *testing.T) {
	const (
		batch   = 100
		channel = "parsec:sse-net"
	)
	c := startCentrifugo(t, centrifugotest.Options{})
	proxy, err := faultproxy.Start(c.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := proxy.Close(); err != nil {
			t.Error(err)
		}
	})
	ta, _ := subscribe(t, newSSE(t, c, "http://"+proxy.Addr(), "sse-net", nil), channel, client.SubscribeOptions{})
	// A runtime client behind the same proxy: whether or not its stream
	// notices a fault before it heals, it must lose nothing.
	h := newHandlerLog()
	clientSubscribe(t, newSSE(t, c, "http://"+proxy.Addr(), "sse-net-client", nil), channel, h)
	pub := newSSE(t, c, c.URL, "pub", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	sent := 0
	publish := func(n int) {
		t.Helper()
		if err := publishTicks(ctx, t, pub, channel, "p0", sent+1, sent+n, 0); err != nil {
			t.Fatal(err)
		}
		sent += n
	}
	delivered := func(what string) {
		t.Helper()
		waitFor(t, sseWaitDelivery, what, func() bool { return ta.distinct("p0") == sent && h.distinct("p0") == sent })
	}

	publish(batch)
	delivered("delivery before faults")

	// Reset: both sides get an RST.
	proxy.Reset()
	publish(batch)
	delivered("delivery after reset")
	if ta.count(client.EventDisconnected) < 1 {
		t.Errorf("the reset went unnoticed: %s", ta)
	}

	// Blackhole: nothing arrives and nothing closes; only the ping timeout
	// can tell.
	before := ta.count(client.EventDisconnected)
	holed := time.Now()
	proxy.Blackhole()
	publish(batch)
	waitFor(t, 3*ssePingTimeout, "the blackhole to be detected", func() bool {
		return ta.count(client.EventDisconnected) > before
	})
	detected := time.Since(holed)
	if e := ta.eventsOf(client.EventDisconnected)[before]; !errors.Is(e.Err, sse.ErrPingTimeout) {
		t.Errorf("blackhole reported as %v, want the ping timeout", e.Err)
	}
	proxy.Heal()
	delivered("delivery after the blackhole healed")

	// Latency: slower, but no reconnect and nothing lost.
	before = ta.count(client.EventDisconnected)
	proxy.Latency(100 * time.Millisecond)
	publish(batch)
	delivered("delivery under latency")
	proxy.Heal()
	if n := ta.count(client.EventDisconnected); n != before {
		t.Errorf("latency below the ping timeout caused %d reconnects", n-before)
	}

	checkClean(t, "subscriber", ta, "p0", sent)
	checkHandled(t, "client", h, "p0", sent)
	figures(t, "sse/network-faults", sent, ta)
	t.Logf("FIGURES sse/network-faults/client: %s", h)
	t.Logf("FIGURES sse/network-faults: blackhole detected after %v (ping timeout %v)", detected.Round(time.Millisecond), ssePingTimeout)
}

// Fault 4: the subscriber misses more than the history holds. What history
// still holds is delivered, the loss is reported with its exact size, and
// the subscription goes on with new messages; the runtime client's OnGap
// hears of it.
func TestSSEUnrecoverableGap(t *testing.T) {
	const (
		history = 10
		first   = 20
		missed  = 30 // published while the subscriber is cut off
		lost    = missed - history
		after   = 5
		channel = "small:sse-gap"
	)
	ns := centrifugotest.DefaultNamespace()
	ns.Name, ns.HistorySize = "small", history
	c := startCentrifugo(t, centrifugotest.Options{Namespaces: []centrifugotest.Namespace{ns}})
	proxy, err := faultproxy.Start(c.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := proxy.Close(); err != nil {
			t.Error(err)
		}
	})
	ta, _ := subscribe(t, newSSE(t, c, "http://"+proxy.Addr(), "sse-gap", nil), channel, client.SubscribeOptions{})
	h := newHandlerLog()
	clientSubscribe(t, newSSE(t, c, "http://"+proxy.Addr(), "sse-gap-client", nil), channel, h)
	pub := newSSE(t, c, c.URL, "pub", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	if err := publishTicks(ctx, t, pub, channel, "p0", 1, first, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "first batch", func() bool { return ta.distinct("p0") == first && h.distinct("p0") == first })
	proxy.Blackhole()
	if err := publishTicks(ctx, t, pub, channel, "p0", first+1, first+missed, 0); err != nil {
		t.Fatal(err)
	}
	// Both streams must have given up the blackholed connection before it
	// heals, or the held bytes would still arrive on it.
	waitFor(t, 3*ssePingTimeout, "the cut to be detected", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return ta.count(client.EventDisconnected) > 0 && len(h.errs) > 0
	})
	proxy.Heal()
	// Both streams must be live again before the next batch, or what they
	// miss of it is rightly part of the loss.
	waitFor(t, sseWaitDelivery, "the loss reports", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return ta.count(client.EventUnrecoverable) > 0 && len(h.gaps) > 0
	})
	if err := publishTicks(ctx, t, pub, channel, "p0", first+missed+1, first+missed+after, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "messages after the gap", func() bool { return ta.distinct("p0") == first+history+after })

	un := ta.eventsOf(client.EventUnrecoverable)
	if len(un) != 1 || un[0].Missed != lost {
		t.Errorf("loss reports = %+v, want one of %d publications", un, lost)
	}
	if got := ta.missing("p0", first+missed+after); len(got) != lost || got[0] != first+1 || got[lost-1] != first+lost {
		t.Errorf("missing = %v, want exactly %d..%d", got, first+1, first+lost)
	}
	ta.mu.Lock()
	dups, reorder := ta.dups, ta.reorder
	ta.mu.Unlock()
	if dups != 0 || reorder != 0 {
		t.Errorf("after the gap: %s", ta)
	}
	waitFor(t, sseWaitDelivery, "client handlers after the gap", func() bool { return h.distinct("p0") == first+history+after })
	h.mu.Lock()
	gaps := append([]int64(nil), h.gaps...)
	h.mu.Unlock()
	found := false
	for _, g := range gaps {
		found = found || g == lost
	}
	if !found {
		t.Errorf("client OnGap calls = %v, want one reporting %d", gaps, lost)
	}
	figures(t, "sse/unrecoverable-gap", first+missed+after, ta)
	t.Logf("FIGURES sse/unrecoverable-gap/client: %s", h)
}

// Fault 5: Centrifugo (memory engine) restarts: the new epoch is detected
// and reported, the stream resubscribes, the old position is never used
// again (a later reconnect recovers from the new epoch).
func TestSSEServerRestart(t *testing.T) {
	// SIGTERM: the server says goodbye (disconnect 3001). SIGKILL: the
	// stream just ends.
	t.Run("graceful", func(t *testing.T) { testSSEServerRestart(t, (*centrifugotest.Centrifugo).Stop) })
	t.Run("killed", func(t *testing.T) { testSSEServerRestart(t, (*centrifugotest.Centrifugo).Kill) })
}

func testSSEServerRestart(t *testing.T, stop func(*centrifugotest.Centrifugo) error) {
	const (
		batch   = 50
		channel = "parsec:sse-restart"
		user    = "sse-restart"
	)
	c := startCentrifugo(t, centrifugotest.Options{})
	ta, _ := subscribe(t, newSSE(t, c, c.URL, user, nil), channel, client.SubscribeOptions{})
	pub := newSSE(t, c, c.URL, "pub", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	if err := publishTicks(ctx, t, pub, channel, "p0", 1, batch, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "delivery before restart", func() bool { return ta.distinct("p0") == batch })
	oldEpoch := ta.eventsOf(client.EventSubscribed)[0].Position.Epoch

	if err := stop(c); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "the epoch change report", func() bool { return ta.count(client.EventUnrecoverable) > 0 })
	un := ta.eventsOf(client.EventUnrecoverable)[0]
	if un.Position.Epoch == oldEpoch || un.Missed != -1 {
		t.Errorf("restart report = %+v, want a new epoch (old %q) and an unknown loss (-1)", un, oldEpoch)
	}

	if err := publishTicks(ctx, t, pub, channel, "p0", batch+1, 2*batch, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "delivery after restart", func() bool { return ta.distinct("p0") == 2*batch })

	// A reconnect now must resume in the new epoch, and recover.
	subs := ta.count(client.EventSubscribed)
	if err := c.DisconnectUser(ctx, user, 3001, "after restart"); err != nil {
		t.Fatal(err)
	}
	if err := publishTicks(ctx, t, pub, channel, "p0", 2*batch+1, 3*batch, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "resubscribe after restart", func() bool { return ta.count(client.EventSubscribed) > subs })
	waitFor(t, sseWaitDelivery, "delivery after the reconnect", func() bool { return ta.distinct("p0") == 3*batch })
	if n := ta.count(client.EventUnrecoverable); n != 1 {
		t.Errorf("loss reports = %d, want only the restart's: the new epoch's position must be used", n)
	}
	if n := ta.count(client.EventRecovered); n < 1 {
		t.Errorf("no recovery after the post-restart reconnect: %s", ta)
	}
	ta.mu.Lock()
	dups, reorder := ta.dups, ta.reorder
	ta.mu.Unlock()
	if dups != 0 || reorder != 0 {
		t.Errorf("%s", ta)
	}
	figures(t, "sse/server-restart/"+t.Name(), 3*batch, ta)
	t.Logf("FIGURES sse/server-restart/%s: first disconnect: %v", t.Name(), ta.eventsOf(client.EventDisconnected)[0].Err)
}

// Fault 7: a consumer that does not read while a producer publishes several
// megabytes. The transport's memory stays bounded, the stream never
// deadlocks (the consumer still gets everything afterwards), and anything the
// server dropped for the slow connection is recovered or reported.
func TestSSESlowConsumer(t *testing.T) {
	const (
		messages = 1500
		padding  = 2 << 10
		channel  = "parsec:sse-slow"
	)
	ns := centrifugotest.DefaultNamespace()
	ns.HistorySize = 4000
	c := startCentrifugo(t, centrifugotest.Options{Namespaces: []centrifugotest.Namespace{ns}, ClientQueueMaxSize: 64 << 10})
	// A small receive buffer makes the kernel push back after a few
	// kilobytes instead of megabytes, so the server meets the slow reader.
	tr := newSSE(t, c, c.URL, "sse-slow", func(cfg *sse.Config) {
		cfg.Buffer = 8
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
			Control: func(_, _ string, rc syscall.RawConn) error {
				var serr error
				if err := rc.Control(func(fd uintptr) {
					serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
				}); err != nil {
					return err
				}
				return serr
			},
		}).DialContext}}
	})
	ta := newTally()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, stop, err := tr.Subscribe(ctx, channel, client.SubscribeOptions{OnEvent: ta.onEvent})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	// A runtime client whose handler is slow: dispatch pushes back on the
	// transport the same way.
	h := newHandlerLog()
	slow := newSSE(t, c, c.URL, "sse-slow-client", func(cfg *sse.Config) { cfg.Buffer = 8 })
	slowClient, err := client.New(client.WithTransport(slow), client.WithErrorHandler(h.onError))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := slowClient.Close(); err != nil {
			t.Error(err)
		}
	})
	slowSub, err := slowClient.Subscribe(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	slowSub.HandleEnvelope(func(hctx context.Context, env *envelopeT) error {
		time.Sleep(200 * time.Microsecond)
		return h.handle(hctx, env)
	})
	slowSub.OnGap(h.onGap)
	if err := slowSub.Start(); err != nil {
		t.Fatal(err)
	}
	pub := newSSE(t, c, c.URL, "pub", nil)

	heapBefore := heapInUse()
	pad := make([]byte, padding)
	for i := range pad {
		pad[i] = 'x'
	}
	for i := 1; i <= messages; i++ {
		data := encodePadded(t, channel, "p0", i, string(pad))
		if err := pub.Publish(ctx, channel, data); err != nil {
			t.Fatal(err)
		}
	}
	heapBlocked := heapInUse()
	// Nobody read so far: the transport holds at most its buffer.
	if n := len(out); n > 8 {
		t.Errorf("delivery channel holds %d, above its capacity", n)
	}
	done := make(chan struct{})
	go func() { defer close(done); ta.drain(out) }()
	waitFor(t, 60*time.Second, "the slow consumer to catch up", func() bool {
		ta.mu.Lock()
		defer ta.mu.Unlock()
		return int64(ta.got)+ta.gapTotal >= messages
	})
	stop()
	<-done
	ta.mu.Lock()
	got, dups, reorder, gap := ta.got, ta.dups, ta.reorder, ta.gapTotal
	ta.mu.Unlock()
	if dups != 0 || reorder != 0 || int64(got)+gap != messages {
		t.Errorf("received %d + reported missed %d != sent %d (%s)", got, gap, messages, ta)
	}
	waitFor(t, 60*time.Second, "the slow handler to catch up", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		lost := int64(0)
		for _, g := range h.gaps {
			lost += max(g, 0)
		}
		return int64(len(h.seen["p0"]))+lost >= messages
	})
	h.mu.Lock()
	if h.dups != 0 || h.reorder != 0 {
		t.Errorf("slow handler: %s", h.String0())
	}
	h.mu.Unlock()
	// 1500 x 2 KiB = 3 MiB went through; the stream must not have kept it.
	growth := int64(heapBlocked) - int64(heapBefore)
	if growth > 2<<20 {
		t.Errorf("heap grew by %d bytes while the consumer was blocked", growth)
	}
	figures(t, "sse/slow-consumer", messages, ta)
	var reasons []string
	for _, e := range ta.eventsOf(client.EventDisconnected) {
		reasons = append(reasons, e.Err.Error())
	}
	t.Logf("FIGURES sse/slow-consumer: heap growth while blocked %d KiB, disconnects %d %q; slow client handler: %s",
		growth>>10, len(reasons), reasons, h)
}

// Fault 9: Close while handlers are in flight: no panic, Close waits for
// them, and no goroutine of the runtime survives.
func TestSSECloseDuringHandlers(t *testing.T) {
	const (
		messages = 50
		channel  = "parsec:sse-close"
	)
	c := startCentrifugo(t, centrifugotest.Options{})
	baseline, _ := projectGoroutines()
	pub := newSSE(t, c, c.URL, "pub", nil)

	var (
		mu      sync.Mutex
		running int
		handled int
		entered = make(chan struct{}, messages)
	)
	tr, err := sse.New(sse.Config{URL: c.URL, APIKey: c.APIKey, Token: c.TokenFunc("sse-close")})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := client.New(client.WithTransport(tr))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	sub, err := cl.Subscribe(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	sub.HandleEnvelope(func(hctx context.Context, _ *envelopeT) error {
		mu.Lock()
		running++
		mu.Unlock()
		entered <- struct{}{}
		select {
		case <-hctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
		mu.Lock()
		running--
		handled++
		mu.Unlock()
		return nil
	})
	if err := sub.Start(); err != nil {
		t.Fatal(err)
	}
	if err := publishTicks(ctx, t, pub, channel, "p0", 1, messages, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("no handler ran")
	}
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if running != 0 {
		t.Errorf("%d handlers still running after Close returned", running)
	}
	h := handled
	mu.Unlock()
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	var dump string
	waitFor(t, 10*time.Second, "runtime goroutines to end", func() bool {
		n, dump = projectGoroutines()
		return n <= baseline
	})
	if n > baseline {
		t.Errorf("%d runtime goroutines left (baseline %d):\n%s", n, baseline, dump)
	}
	t.Logf("FIGURES sse/close-during-handlers: published %d, handled %d before Close, goroutines after %d (baseline %d)", messages, h, n, baseline)
}
