// Package integration runs the real transports against real servers (the
// embedded centrifuge node, Centrifugo, Redis) and injects faults: forced
// reconnects, network resets and blackholes, server restarts, slow
// consumers, bad input. Every test is bounded: seeded randomness, message
// counts sized for a small CI machine, waits on conditions with deadlines.
package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

// TestMain fails the run when goroutines of the runtime packages or of
// centrifuge-go outlive the tests: every transport and client must be closed
// and must stop what it started.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(10 * time.Second)
		n, dump := projectGoroutines()
		for n > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			n, dump = projectGoroutines()
		}
		if n > 0 {
			fmt.Fprintf(os.Stderr, "%d goroutines of the runtime or centrifuge-go outlived the tests:\n%s", n, dump)
			code = 1
		}
	}
	os.Exit(code)
}

// inCI reports whether the tests run in CI, where a missing external tool is
// a failure rather than a skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// startServer runs an embedded node for the test and closes it afterwards.
func startServer(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return srv
}

// fastReconnect are transport options for tests: quick ping-loss detection
// and reconnects, so faults resolve within seconds.
func fastReconnect() []ws.Option {
	return []ws.Option{
		ws.WithReadTimeout(3 * time.Second),
		ws.WithPingTimeout(time.Second),
		ws.WithReconnectDelay(50*time.Millisecond, 500*time.Millisecond),
	}
}

// connected connects c within timeout, failing the test otherwise, and closes
// it when the test ends. Transports and runtime clients both fit.
func connected(t testing.TB, c interface {
	Connect(ctx context.Context, token string) error
	Close() error
}, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close %T: %v", c, err)
		}
	})
}

// dialWS connects a WebSocket transport as user to url, minting tokens from
// srv, and closes it after the test.
func dialWS(t testing.TB, srv *server.Server, url, user string, opts ...ws.Option) *ws.Transport {
	t.Helper()
	all := append([]ws.Option{ws.WithTokenFunc(func(context.Context) (string, error) {
		return srv.Token(user, time.Hour)
	})}, fastReconnect()...)
	tr, err := ws.New(url, append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	connected(t, tr, 10*time.Second)
	return tr
}

// tick is the payload of test envelopes: its index in the test's stream.
type tick struct {
	I int `json:"i"`
}

// encodeTick returns an envelope for producer carrying index i as both its
// sequence and its payload.
func encodeTick(t testing.TB, channel, producer string, i int) []byte {
	t.Helper()
	b, err := envelope.Encode(&envelope.Envelope{
		Channel:    channel,
		Sequence:   int64(i),
		ProducedAt: time.Unix(1_800_000_000, 0).UTC(),
		Producer:   envelope.Producer{ID: producer, Kind: envelope.ProducerService},
		Aspect:     "tick",
		Payload:    json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tally counts what one subscriber received, per producer, and the stream
// events reported to it.
type tally struct {
	mu       sync.Mutex
	last     map[string]int // producer -> highest index seen
	seen     map[string]map[int]int
	got      int
	dups     int
	reorder  int
	bad      int
	events   []client.StreamEvent
	gapTotal int64 // sum of known Missed in EventUnrecoverable / EventOverflow
	closed   bool
}

func newTally() *tally {
	return &tally{last: map[string]int{}, seen: map[string]map[int]int{}}
}

func (ta *tally) onEvent(e client.StreamEvent) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	ta.events = append(ta.events, e)
	if (e.Kind == client.EventUnrecoverable || e.Kind == client.EventOverflow) && e.Missed > 0 {
		ta.gapTotal += e.Missed
	}
}

// add records one delivered envelope.
func (ta *tally) add(data []byte) {
	env, err := envelope.Decode(data)
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if err != nil {
		ta.bad++
		return
	}
	var p tick
	if err := json.Unmarshal(env.Payload, &p); err != nil || int64(p.I) != env.Sequence {
		ta.bad++
		return
	}
	prod := env.Producer.ID
	if ta.seen[prod] == nil {
		ta.seen[prod] = map[int]int{}
	}
	ta.seen[prod][p.I]++
	if ta.seen[prod][p.I] > 1 {
		ta.dups++
	}
	if p.I <= ta.last[prod] && ta.seen[prod][p.I] == 1 {
		ta.reorder++
	}
	ta.last[prod] = max(ta.last[prod], p.I)
	ta.got++
}

// drain records everything from ch until it closes.
func (ta *tally) drain(ch <-chan []byte) {
	for b := range ch {
		ta.add(b)
	}
	ta.mu.Lock()
	ta.closed = true
	ta.mu.Unlock()
}

// distinct is the number of distinct indexes seen from producer.
func (ta *tally) distinct(producer string) int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return len(ta.seen[producer])
}

// missing lists indexes 1..n never seen from producer.
func (ta *tally) missing(producer string, n int) []int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	var out []int
	for i := 1; i <= n; i++ {
		if ta.seen[producer][i] == 0 {
			out = append(out, i)
		}
	}
	return out
}

func (ta *tally) count(kind client.StreamEventKind) int {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	n := 0
	for _, e := range ta.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func (ta *tally) String() string {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	kinds := map[client.StreamEventKind]int{}
	for _, e := range ta.events {
		kinds[e.Kind]++
	}
	return fmt.Sprintf("received %d, duplicates %d, out of order %d, undecodable %d, events %v, reported missed %d",
		ta.got, ta.dups, ta.reorder, ta.bad, kinds, ta.gapTotal)
}

// subscribe subscribes tr to channel, recording into a new tally.
func subscribe(t testing.TB, tr client.Transport, channel string, opts client.SubscribeOptions) (*tally, func()) {
	t.Helper()
	ta := newTally()
	opts.OnEvent = ta.onEvent
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, stop, err := tr.Subscribe(ctx, channel, opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); ta.drain(ch) }()
	t.Cleanup(func() { stop(); <-done })
	return ta, stop
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// projectGoroutines counts live goroutines running code of the runtime
// packages or of centrifuge-go (which the WebSocket transport owns).
func projectGoroutines() (int, string) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	var dump strings.Builder
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "parsec-gen/runtime/") || strings.Contains(g, "centrifugal/centrifuge-go") {
			n++
			dump.WriteString(g)
			dump.WriteString("\n\n")
		}
	}
	return n, dump.String()
}

// figures logs a fault test's counts in one greppable line.
func figures(t testing.TB, name string, sent int, ta *tally) {
	t.Helper()
	t.Logf("FIGURES %s: sent %d, %s", name, sent, ta)
}

// dumpEvents logs every event a tally recorded.
func dumpEvents(t testing.TB, ta *tally) {
	t.Helper()
	ta.mu.Lock()
	defer ta.mu.Unlock()
	for _, e := range ta.events {
		t.Logf("event %s pos %+v missed %d err %v", e.Kind, e.Position, e.Missed, e.Err)
	}
}
