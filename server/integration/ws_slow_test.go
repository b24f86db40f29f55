package integration

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

// stalledSubscribe subscribes without reading: the returned function starts
// draining into the tally.
func stalledSubscribe(t *testing.T, tr *ws.Transport, channel string) (*tally, func()) {
	t.Helper()
	ta := newTally()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, stop, err := tr.Subscribe(ctx, channel, client.SubscribeOptions{OnEvent: ta.onEvent})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	started := false
	t.Cleanup(func() {
		stop()
		if started {
			testenv.Recv(t, done, 30*time.Second, "the subscription channel to close after stop")
		}
	})
	return ta, func() {
		started = true
		go func() { defer close(done); ta.drain(ch) }()
	}
}

// slowConsumerErrors counts EventError reports wrapping ws.ErrSlowConsumer.
func (ta *tally) slowConsumerErrors() int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	n := 0
	for _, e := range ta.events {
		if e.Kind == client.EventError && errors.Is(e.Err, ws.ErrSlowConsumer) {
			n++
		}
	}
	return n
}

// checkReadLoopAlive proves the connection still serves requests while the
// subscriber's consumer is stalled: publish and history need the read loop.
func checkReadLoopAlive(t *testing.T, tr *ws.Transport) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Publish(ctx, "side", encodeTick(t, "side", "side", 1)); err != nil {
		t.Fatalf("publish while the consumer is stalled: %v", err)
	}
	if h, err := tr.History(ctx, "side", client.HistoryOptions{}); err != nil || len(h) != 1 {
		t.Fatalf("history while the consumer is stalled: %d items, %v", len(h), err)
	}
}

// Fault 7a: a consumer that stops reading while 400 messages arrive. The
// transport's queue (16) overflows; the overflow is reported, nothing is
// buffered beyond the queue, the read loop keeps serving, and once the
// consumer reads again every message arrives exactly once, in order,
// replayed from the server's history.
func TestWSSlowConsumerRecovers(t *testing.T) {
	const (
		channel  = "orders:slow"
		messages = 400
	)
	srv := startServer(t, server.Config{})
	tr := dialWS(t, srv, srv.URL(), "slow", ws.WithQueueSize(16))
	ta, start := stalledSubscribe(t, tr, channel)
	publishServerSide(t, srv, channel, "p", 1, messages, nil)
	checkReadLoopAlive(t, tr)
	start()
	checkExactlyOnce(t, ta, "p", messages)
	// Reports travel in stream order, so the consumer meets the overflow
	// report right where the skipped publications were.
	if ta.slowConsumerErrors() == 0 {
		t.Fatalf("no overflow report: %s", ta)
	}
	if n := ta.count(client.EventUnrecoverable); n != 0 || ta.gapTotal != 0 {
		t.Fatalf("loss reported although history held everything: %s", ta)
	}
	figures(t, "ws/slow-consumer-recovered", messages, ta)
	t.Logf("slow-consumer reports: %d (one per overflow cycle)", ta.slowConsumerErrors())
}

// Fault 7b: the same with a history too short to replay the backlog: the
// loss is reported with its exact size, and received + reported == sent.
func TestWSSlowConsumerBeyondHistory(t *testing.T) {
	const (
		channel  = "orders:slow-gap"
		messages = 400
		history  = 50
	)
	srv := startServer(t, server.Config{HistorySize: history})
	tr := dialWS(t, srv, srv.URL(), "slow", ws.WithQueueSize(16))
	ta, start := stalledSubscribe(t, tr, channel)
	publishServerSide(t, srv, channel, "p", 1, messages, nil)
	checkReadLoopAlive(t, tr)
	start()
	waitFor(t, 20*time.Second, "gap report", func() bool { return ta.count(client.EventUnrecoverable) == 1 })
	publishServerSide(t, srv, channel, "p", messages+1, messages+10, nil)
	waitFor(t, 20*time.Second, "live messages after the gap", func() bool {
		ta.mu.Lock()
		defer ta.mu.Unlock()
		return ta.last["p"] == messages+10
	})
	ta.mu.Lock()
	got, missed, dups := ta.got, ta.gapTotal, ta.dups
	ta.mu.Unlock()
	if dups != 0 || int64(got)+missed != messages+10 {
		t.Fatalf("received %d + reported missed %d != sent %d (dups %d): %s", got, missed, messages+10, dups, ta)
	}
	figures(t, "ws/slow-consumer-beyond-history", messages+10, ta)
}

// Fault 9: the transport is closed while consumers are inside their
// handlers and publications are in flight: no panic, every channel closes,
// and no goroutine of the runtime or of centrifuge-go outlives Close.
func TestWSCloseDuringInflightHandlers(t *testing.T) {
	srv := startServer(t, server.Config{})
	baseline, _ := projectGoroutines()

	tr := dialWS(t, srv, srv.URL(), "closer", ws.WithQueueSize(8))
	release := make(chan struct{})
	inHandler := make(chan struct{}, 3)
	var streams []<-chan []byte
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ch, _, err := tr.Subscribe(ctx, fmt.Sprintf("orders:close-%d", i), client.SubscribeOptions{OnEvent: func(client.StreamEvent) {}})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, ch)
	}
	done := make(chan int, len(streams))
	for _, ch := range streams {
		go func() {
			n := 0
			for range ch {
				if n == 0 {
					inHandler <- struct{}{}
					select { // a handler that is busy when Close comes
					case <-release:
					case <-time.After(30 * time.Second):
					}
				}
				n++
			}
			done <- n
		}()
	}
	stopPub := make(chan struct{})
	pubDone := make(chan struct{})
	go func() {
		defer close(pubDone)
		for i := 1; ; i++ {
			select {
			case <-stopPub:
				return
			default:
			}
			for c := range 3 {
				ch := fmt.Sprintf("orders:close-%d", c)
				if _, _, err := srv.Publish(ch, encodeTick(t, ch, "p", i)); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		}
	}()
	for range streams {
		select {
		case <-inHandler:
		case <-time.After(10 * time.Second):
			t.Fatal("handlers never started")
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	close(release)
	for range streams {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("a subscription channel stayed open after Close")
		}
	}
	close(stopPub)
	testenv.Recv(t, pubDone, 30*time.Second, "the publisher to stop")
	var n int
	var dump string
	waitFor(t, 10*time.Second, "goroutines to end", func() bool {
		n, dump = projectGoroutines()
		return n <= baseline
	})
	if t.Failed() {
		t.Log(dump)
	}
	t.Logf("FIGURES ws/close-inflight: project goroutines before %d, after Close %d", baseline, n)
}
