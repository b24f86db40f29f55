package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/transport/sse"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// Timing of the SSE fault tests: Centrifugo pings every second, and the
// transport gives a silent stream one more second before it reconnects.
const (
	ssePing         = time.Second
	ssePingSlack    = time.Second
	ssePingTimeout  = ssePing + ssePingSlack
	sseWaitDelivery = 30 * time.Second
)

// startCentrifugo runs Centrifugo with the SSE tests' ping interval.
func startCentrifugo(t testing.TB, opts centrifugotest.Options) *centrifugotest.Centrifugo {
	t.Helper()
	if opts.PingInterval == 0 {
		opts.PingInterval = ssePing
	}
	return centrifugotest.Start(t, opts)
}

// newSSE returns an SSE transport for url (Centrifugo or a proxy in front of
// it) whose streams connect as user, closed after the test.
func newSSE(t testing.TB, c *centrifugotest.Centrifugo, url, user string, mod func(*sse.Config)) *sse.Transport {
	t.Helper()
	cfg := sse.Config{
		URL:               url,
		APIKey:            c.APIKey,
		Token:             c.TokenFunc(user),
		MaxPingDelay:      ssePingSlack,
		ConnectTimeout:    3 * time.Second,
		ReconnectDelayMin: 20 * time.Millisecond,
		ReconnectDelayMax: 300 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := sse.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	connected(t, tr, 5*time.Second)
	return tr
}

// publishTicks publishes envelopes from..to of producer on channel, one at a
// time, pausing pace between them.
func publishTicks(ctx context.Context, t testing.TB, tr client.Transport, channel, producer string, from, to int, pace time.Duration) error {
	for i := from; i <= to; i++ {
		if err := tr.Publish(ctx, channel, encodeTick(t, channel, producer, i)); err != nil {
			return fmt.Errorf("publish %s #%d: %w", producer, i, err)
		}
		if pace > 0 {
			time.Sleep(pace)
		}
	}
	return nil
}

// background runs f in a goroutine and returns a function that waits for it
// and fails the test with its error.
func background(t testing.TB, f func() error) (wait func()) {
	var wg sync.WaitGroup
	var err error
	wg.Add(1)
	go func() {
		defer wg.Done()
		err = f()
	}()
	return func() {
		t.Helper()
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkClean fails unless ta holds every index 1..n of producer exactly once,
// in order, with no loss report.
func checkClean(t testing.TB, name string, ta *tally, producer string, n int) {
	t.Helper()
	waitFor(t, sseWaitDelivery, fmt.Sprintf("%s to receive %d envelopes (%s)", name, n, ta), func() bool {
		return ta.distinct(producer) == n
	})
	ta.mu.Lock()
	dups, reorder, bad := ta.dups, ta.reorder, ta.bad
	ta.mu.Unlock()
	if dups != 0 || reorder != 0 || bad != 0 {
		t.Errorf("%s: %s", name, ta)
	}
	if k := ta.count(client.EventUnrecoverable) + ta.count(client.EventOverflow); k != 0 {
		t.Errorf("%s: %d loss reports where nothing was lost: %s", name, k, ta)
	}
}

// eventsOf returns the events of kind ta recorded so far.
func (ta *tally) eventsOf(kind client.StreamEventKind) []client.StreamEvent {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	var out []client.StreamEvent
	for _, e := range ta.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// handlerLog records, at the client level, what handlers and hooks saw.
type handlerLog struct {
	mu      sync.Mutex
	last    map[string]int64
	seen    map[string]map[int64]int
	got     int
	dups    int
	reorder int
	gaps    []int64
	errs    []error
	events  []client.StreamEvent // what the transport reported to the subscription
}

func newHandlerLog() *handlerLog {
	return &handlerLog{last: map[string]int64{}, seen: map[string]map[int64]int{}}
}

func (h *handlerLog) handle(_ context.Context, env *envelope.Envelope) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := env.Producer.ID
	if h.seen[p] == nil {
		h.seen[p] = map[int64]int{}
	}
	h.seen[p][env.Sequence]++
	if h.seen[p][env.Sequence] > 1 {
		h.dups++
	} else if env.Sequence <= h.last[p] {
		h.reorder++
	}
	h.last[p] = max(h.last[p], env.Sequence)
	h.got++
	return nil
}

func (h *handlerLog) onGap(_ string, gap int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gaps = append(h.gaps, gap)
}

func (h *handlerLog) onEvent(ev client.StreamEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

// count returns how many events of kind the transport reported.
func (h *handlerLog) count(kind client.StreamEventKind) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, e := range h.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func (h *handlerLog) onError(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.errs = append(h.errs, err)
}

func (h *handlerLog) distinct(producer string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.seen[producer])
}

func (h *handlerLog) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.String0()
}

// clientSubscribe builds a runtime client over tr, subscribes it to channel
// with h's handler and hooks, and starts dispatch.
func clientSubscribe(t testing.TB, tr client.Transport, channel string, h *handlerLog, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(append([]client.Option{client.WithTransport(tr), client.WithErrorHandler(h.onError)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	sub, err := c.Subscribe(ctx, channel, func(o *client.SubscribeOptions) { o.OnEvent = h.onEvent })
	if err != nil {
		t.Fatal(err)
	}
	sub.OnGap(h.onGap) // before the handler, which begins dispatch
	sub.HandleEnvelope(h.handle)
	if err := sub.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close client: %v", err)
		}
	})
	return c
}

// checkHandled fails unless the handlers saw 1..n of producer exactly once,
// in order, and no gap was reported.
func checkHandled(t testing.TB, name string, h *handlerLog, producer string, n int) {
	t.Helper()
	waitFor(t, sseWaitDelivery, fmt.Sprintf("%s handlers to see %d envelopes (%s)", name, n, h), func() bool {
		return h.distinct(producer) == n
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dups != 0 || h.reorder != 0 || len(h.gaps) != 0 {
		t.Errorf("%s: handled %d, duplicates %d, out of order %d, gaps %v", name, h.got, h.dups, h.reorder, h.gaps)
	}
}

// envelopeT shortens handler signatures.
type envelopeT = envelope.Envelope

// encodePadded is encodeTick with a payload padded by pad.
func encodePadded(t testing.TB, channel, producer string, i int, pad string) []byte {
	t.Helper()
	payload, err := json.Marshal(map[string]any{"i": i, "pad": pad})
	if err != nil {
		t.Fatal(err)
	}
	b, err := envelope.Encode(&envelope.Envelope{
		Channel:    channel,
		Sequence:   int64(i),
		ProducedAt: time.Unix(1_800_000_000, 0).UTC(),
		Producer:   envelope.Producer{ID: producer, Kind: envelope.ProducerService},
		Aspect:     "tick",
		Payload:    payload,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// String0 is String for callers that hold h.mu.
func (h *handlerLog) String0() string {
	return fmt.Sprintf("handled %d, duplicates %d, out of order %d, gaps %v, errors %d", h.got, h.dups, h.reorder, h.gaps, len(h.errs))
}

// tickIndex decodes a tick envelope and returns its index.
func tickIndex(t testing.TB, data []byte) int {
	t.Helper()
	env, err := envelope.Decode(data)
	if err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
	var p tick
	if err := json.Unmarshal(env.Payload, &p); err != nil {
		t.Fatalf("payload %q: %v", env.Payload, err)
	}
	return p.I
}
