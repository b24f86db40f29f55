package integration

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// Fault 6: two Centrifugo nodes share one redis-server. A producer publishes
// on node A while an SSE subscriber (and a runtime client) read from node B;
// node B is restarted mid-stream. History and epochs live in Redis, so the
// subscriber resumes on the restarted node without loss or duplicates.
func TestClusterNodeRestartLossless(t *testing.T) {
	const (
		messages = 600
		channel  = "parsec:cluster"
	)
	redis := centrifugotest.StartRedis(t)
	nodeA := startCentrifugo(t, centrifugotest.Options{RedisAddr: redis.Addr})
	nodeB := startCentrifugo(t, centrifugotest.Options{RedisAddr: redis.Addr})

	ta, _ := subscribe(t, newSSE(t, nodeB, nodeB.URL, "cluster-sub", nil), channel, client.SubscribeOptions{})
	h := newHandlerLog()
	clientSubscribe(t, newSSE(t, nodeB, nodeB.URL, "cluster-client", nil), channel, h)
	pub := newSSE(t, nodeA, nodeA.URL, "cluster-pub", nil)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The producer pauses at gate until node B is back, so that the
	// subscriber never misses more than Centrifugo recovers in one go
	// (client.recovery_max_publication_limit, 300 by default) however slow
	// the restart is on a loaded machine.
	const gate = messages / 2
	var published atomic.Int64
	restarted := make(chan struct{})
	wait := background(t, func() error {
		for i := 1; i <= messages; i++ {
			if i == gate {
				select {
				case <-restarted:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if err := publishTicks(ctx, t, pub, channel, "p0", i, i, 2*time.Millisecond); err != nil {
				return err
			}
			published.Store(int64(i))
		}
		return nil
	})
	waitFor(t, sseWaitDelivery, "a quarter of the stream on node B", func() bool { return ta.distinct("p0") >= messages/4 })
	restartAt := ta.distinct("p0")
	if err := nodeB.Stop(); err != nil {
		close(restarted)
		t.Fatal(err)
	}
	// Node B stays down while node A takes publications: the subscriber
	// must get them from the shared history.
	downFrom := published.Load()
	waitFor(t, sseWaitDelivery, "publications while node B is down", func() bool { return published.Load() >= gate-1 })
	downCount := published.Load() - downFrom
	err := nodeB.Start()
	close(restarted)
	if err != nil {
		t.Fatal(err)
	}
	wait()
	checkClean(t, "subscriber on node B", ta, "p0", messages)
	checkHandled(t, "client on node B", h, "p0", messages)
	if ta.count(client.EventDisconnected) == 0 || ta.count(client.EventRecovered) == 0 {
		t.Errorf("node B's restart was not seen as a disconnect followed by a recovery: %s", ta)
	}
	// The epoch lives in Redis: the same before and after the restart.
	subs := ta.eventsOf(client.EventSubscribed)
	if first, last := subs[0].Position.Epoch, subs[len(subs)-1].Position.Epoch; first != last {
		t.Errorf("epoch changed across the node restart: %q -> %q", first, last)
	}
	figures(t, "sse/cluster-node-restart", messages, ta)
	t.Logf("FIGURES sse/cluster-node-restart: node B stopped after %d delivered, %d published while it was down; client %s", restartAt, downCount, h)
}
