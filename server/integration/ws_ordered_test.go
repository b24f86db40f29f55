package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/server"
)

// Fault 1: N subscribers x M messages from P producers; each subscriber sees
// every message once, in order per producer.
func TestWSOrderedDelivery(t *testing.T) {
	const (
		subscribers = 4
		producers   = 2
		messages    = 400 // per producer
		channel     = "orders:ordered"
	)
	srv := startServer(t, server.Config{})
	var tallies []*tally
	for i := range subscribers {
		tr := dialWS(t, srv, srv.URL(), fmt.Sprintf("sub-%d", i))
		ta, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
		tallies = append(tallies, ta)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for p := range producers {
		pub := dialWS(t, srv, srv.URL(), fmt.Sprintf("pub-%d", p))
		producer := fmt.Sprintf("p%d", p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= messages; i++ {
				if err := pub.Publish(ctx, channel, encodeTick(t, channel, producer, i)); err != nil {
					errs <- fmt.Errorf("%s #%d: %w", producer, i, err)
					return
				}
			}
		}()
	}
	testenv.Wait(t, &wg, 5*time.Minute, "the publishers")
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, ta := range tallies {
		waitFor(t, 30*time.Second, fmt.Sprintf("subscriber %d to receive everything", i), func() bool {
			return ta.distinct("p0") == messages && ta.distinct("p1") == messages
		})
		ta.mu.Lock()
		dups, reorder, bad := ta.dups, ta.reorder, ta.bad
		ta.mu.Unlock()
		if dups != 0 || reorder != 0 || bad != 0 {
			t.Errorf("subscriber %d: %s", i, ta)
		}
		if n := ta.count(client.EventUnrecoverable) + ta.count(client.EventOverflow); n != 0 {
			t.Errorf("subscriber %d: %d loss reports on a clean run: %s", i, n, ta)
		}
		figures(t, fmt.Sprintf("ws/ordered/sub%d", i), producers*messages, ta)
	}
}
