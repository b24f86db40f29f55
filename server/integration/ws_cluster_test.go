package integration

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
	"github.com/parsec-gen/parsec-gen/server/internal/faultproxy"
)

// dialWSCentrifugo connects a WebSocket transport as user to a Centrifugo
// node and closes it after the test.
func dialWSCentrifugo(t testing.TB, c *centrifugotest.Centrifugo, user string) *ws.Transport {
	t.Helper()
	tr, err := ws.New("ws://"+c.Addr+"/connection/websocket", append(fastReconnect(),
		ws.WithTokenFunc(func(context.Context) (string, error) {
			return centrifugotest.SignHS256(c.Secret, centrifugotest.Claims{Sub: user, Exp: time.Now().Add(time.Hour).Unix()})
		}))...)
	if err != nil {
		t.Fatal(err)
	}
	connected(t, tr, 10*time.Second)
	return tr
}

// Fault 6 over WebSocket: two Centrifugo nodes share one redis-server; a
// WebSocket publisher on node A, a WebSocket subscriber (and a runtime
// client) on node B; node B is stopped mid-stream while A keeps publishing,
// then started again. History and epochs live in Redis, so the subscriber
// resumes on the restarted node without loss or duplicates.
func TestWSClusterNodeRestartLossless(t *testing.T) {
	const (
		messages = 600
		channel  = "parsec:ws-cluster"
	)
	redis := centrifugotest.StartRedis(t)
	nodeA := startCentrifugo(t, centrifugotest.Options{RedisAddr: redis.Addr, PingInterval: time.Second, PongTimeout: 500 * time.Millisecond})
	nodeB := startCentrifugo(t, centrifugotest.Options{RedisAddr: redis.Addr, PingInterval: time.Second, PongTimeout: 500 * time.Millisecond})

	ta, _ := subscribe(t, dialWSCentrifugo(t, nodeB, "ws-cluster-sub"), channel, client.SubscribeOptions{})
	rc := newRuntimeClient(t, dialWSCentrifugo(t, nodeB, "ws-cluster-client"), "ws-cluster-client")
	_, h := runtimeSubscribe(t, rc, channel)
	pub := dialWSCentrifugo(t, nodeA, "ws-cluster-pub")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var published atomic.Int64
	pubErr := make(chan error, 1)
	go func() {
		defer close(pubErr)
		// Paced so that node B's restart (about a second) misses fewer
		// publications than Centrifugo recovers in one go (its
		// recovery_max_publication_limit, 300 by default).
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 1; i <= messages; i++ {
			<-tick.C
			if err := pub.Publish(ctx, channel, encodeTick(t, channel, "p0", i)); err != nil {
				pubErr <- err
				return
			}
			published.Store(int64(i))
		}
	}()
	waitFor(t, 30*time.Second, "a third of the stream on node B", func() bool { return ta.distinct("p0") >= messages/3 })
	if err := nodeB.Stop(); err != nil {
		t.Fatal(err)
	}
	downFrom := published.Load()
	waitFor(t, 30*time.Second, "publications while node B is down", func() bool { return published.Load() >= downFrom+50 })
	downCount := published.Load() - downFrom
	if err := nodeB.Start(); err != nil {
		t.Fatal(err)
	}
	if err := testenv.Recv(t, pubErr, 2*time.Minute, "the publisher on node A"); err != nil {
		t.Fatalf("publish on node A: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			dumpEvents(t, ta)
			t.Logf("subscriber: %s; missing %v", ta, ta.missing("p0", messages))
		}
	})
	checkExactlyOnce(t, ta, "p0", messages)
	waitFor(t, 30*time.Second, "runtime client on node B", func() bool { return h.count("p0") == messages })
	ordered := h.inOrder("p0")
	h.mu.Lock()
	gaps, dups := len(h.gaps), h.dups
	h.mu.Unlock()
	if gaps != 0 || dups != 0 || !ordered {
		t.Errorf("runtime client: gaps %d, dups %d, in order %v", gaps, dups, ordered)
	}
	if ta.count(client.EventDisconnected) == 0 || ta.count(client.EventRecovered) == 0 || ta.count(client.EventUnrecoverable) != 0 {
		t.Errorf("node B's restart was not seen as a disconnect followed by a recovery: %s", ta)
	}
	figures(t, "ws/cluster-node-restart", messages, ta)
	t.Logf("FIGURES ws/cluster-node-restart: %d published while node B was down; runtime client handled %d, gaps %d, dups %d",
		downCount, h.count("p0"), gaps, dups)
}

// The embedded server's Redis mode: two embedded nodes share one
// redis-server; a subscriber on node B sees node A's publications, and
// resumes losslessly when node B restarts (history and epoch live in Redis).
func TestWSEmbeddedRedisCluster(t *testing.T) {
	const (
		channel = "orders:embedded-cluster"
		before  = 100
		during  = 100
		after   = 100
	)
	redis := centrifugotest.StartRedis(t)
	secret := []byte("cluster-secret")
	nodeA := startServer(t, server.Config{RedisAddr: redis.Addr, Secret: secret, Name: "a"})
	nodeB := startServer(t, server.Config{RedisAddr: redis.Addr, Secret: secret, Name: "b"})
	ta, _ := subscribe(t, dialWS(t, nodeB, nodeB.URL(), "sub"), channel, client.SubscribeOptions{})
	pub := dialWS(t, nodeA, nodeA.URL(), "pub")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	publish := func(from, to int) {
		for i := from; i <= to; i++ {
			if err := pub.Publish(ctx, channel, encodeTick(t, channel, "p", i)); err != nil {
				t.Fatalf("publish #%d: %v", i, err)
			}
		}
	}
	publish(1, before)
	waitFor(t, 20*time.Second, "node A's publications on node B", func() bool { return ta.distinct("p") == before })
	if err := nodeB.Close(ctx); err != nil {
		t.Fatal(err)
	}
	publish(before+1, before+during)
	var restarted *server.Server
	waitFor(t, 10*time.Second, "node B restarted", func() bool {
		var err error
		restarted, err = server.Start(ctx, server.Config{Addr: nodeB.Addr(), RedisAddr: redis.Addr, Secret: secret, Name: "b"})
		return err == nil
	})
	t.Cleanup(func() {
		if err := restarted.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	publish(before+during+1, before+during+after)
	checkExactlyOnce(t, ta, "p", before+during+after)
	if ta.count(client.EventRecovered) == 0 || ta.count(client.EventUnrecoverable) != 0 {
		t.Fatalf("node B's restart: %s", ta)
	}
	figures(t, "ws/embedded-redis-node-restart", before+during+after, ta)
}

// Centrifugo refuses to replay more than recovery_max_publication_limit
// (300) publications on resubscribe. A subscriber cut off while 700 are
// published catches up from history instead: everything arrives once, in
// order, and nothing is reported lost.
func TestWSCentrifugoCatchUpBeyondRecoveryLimit(t *testing.T) {
	const (
		channel = "parsec:catch-up"
		before  = 50
		outage  = 700
	)
	node := startCentrifugo(t, centrifugotest.Options{PingInterval: time.Second, PongTimeout: 500 * time.Millisecond})
	proxy, err := faultproxy.Start(node.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := proxy.Close(); err != nil {
			t.Error(err)
		}
	})
	tr, err := ws.New("ws://"+proxy.Addr()+"/connection/websocket", append(fastReconnect(),
		ws.WithTokenFunc(func(context.Context) (string, error) {
			return centrifugotest.SignHS256(node.Secret, centrifugotest.Claims{Sub: "behind", Exp: time.Now().Add(time.Hour).Unix()})
		}))...)
	if err != nil {
		t.Fatal(err)
	}
	connected(t, tr, 60*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ta, _ := subscribe(t, tr, channel, client.SubscribeOptions{})
	pub := dialWSCentrifugo(t, node, "publisher")
	publish := func(from, to int) {
		for i := from; i <= to; i++ {
			if err := pub.Publish(ctx, channel, encodeTick(t, channel, "p", i)); err != nil {
				t.Fatalf("publish #%d: %v", i, err)
			}
		}
	}
	publish(1, before)
	waitFor(t, 20*time.Second, "first batch", func() bool { return ta.distinct("p") == before })
	proxy.Blackhole()
	waitFor(t, 10*time.Second, "disconnect", func() bool { return ta.count(client.EventDisconnected) == 1 })
	publish(before+1, before+outage)
	proxy.Heal()
	checkExactlyOnce(t, ta, "p", before+outage)
	if ta.count(client.EventUnrecoverable) != 0 || ta.gapTotal != 0 {
		t.Fatalf("loss reported although history held everything: %s", ta)
	}
	// The server did refuse the plain recovery: the catch-up was needed.
	if !strings.Contains(node.Log(), `"code":112`) {
		t.Fatal("Centrifugo never refused the recovery; the test did not exercise the catch-up")
	}
	figures(t, "ws/centrifugo-catch-up", before+outage, ta)
}
