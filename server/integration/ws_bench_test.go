package integration

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/server"
)

// recorder records per-message send times and delivery latencies, keyed by
// the envelope sequence.
type recorder struct {
	sent []atomic.Int64
	mu   sync.Mutex
	lat  []time.Duration
	got  atomic.Int64
	n    int64
	done chan struct{}
	step chan struct{} // one signal per delivery, for ping-pong runs
}

func newRecorder(n int) *recorder {
	return &recorder{sent: make([]atomic.Int64, n+1), n: int64(n), done: make(chan struct{}), step: make(chan struct{}, 1)}
}

func (r *recorder) delivered(seq int64) {
	now := time.Now().UnixNano()
	if seq < 1 || seq >= int64(len(r.sent)) {
		return
	}
	r.mu.Lock()
	r.lat = append(r.lat, time.Duration(now-r.sent[seq].Load()))
	r.mu.Unlock()
	select {
	case r.step <- struct{}{}:
	default:
	}
	if r.got.Add(1) == r.n {
		close(r.done)
	}
}

var seqKey = []byte(`"sequence":`)

// deliveredBytes finds the sequence in an encoded envelope without a full
// decode, so the raw and transport variants pay the same for it.
func (r *recorder) deliveredBytes(data []byte) {
	i := bytes.Index(data, seqKey)
	if i < 0 {
		return
	}
	rest := data[i+len(seqKey):]
	j := bytes.IndexAny(rest, ",}")
	seq, err := strconv.ParseInt(string(rest[:max(j, 0)]), 10, 64)
	if err == nil {
		r.delivered(seq)
	}
}

// pipe is one publish -> handler path; its receiving side reports to the
// current recorder.
type pipe struct {
	rec     atomic.Pointer[recorder]
	publish func(ctx context.Context, i int) error
}

func (p *pipe) use(r *recorder) { p.rec.Store(r) }

// rawPipe: centrifuge-go publisher and subscriber, no runtime code.
func rawPipe(b *testing.B, srv *server.Server, channel string, msgs [][]byte) *pipe {
	p := &pipe{}
	token := func(user string) string {
		tok, err := srv.Token(user, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		return tok
	}
	subC := centrifugego.NewProtobufClient(srv.URL(), centrifugego.Config{Token: token("raw-sub")})
	b.Cleanup(subC.Close)
	pubC := centrifugego.NewProtobufClient(srv.URL(), centrifugego.Config{Token: token("raw-pub")})
	b.Cleanup(pubC.Close)
	sub, err := subC.NewSubscription(channel, centrifugego.SubscriptionConfig{Positioned: true, Recoverable: true})
	if err != nil {
		b.Fatal(err)
	}
	subscribed := make(chan struct{}, 1)
	sub.OnSubscribed(func(centrifugego.SubscribedEvent) { subscribed <- struct{}{} })
	sub.OnPublication(func(e centrifugego.PublicationEvent) { p.rec.Load().deliveredBytes(e.Data) })
	for _, err := range []error{subC.Connect(), pubC.Connect(), sub.Subscribe()} {
		if err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-subscribed:
	case <-time.After(10 * time.Second):
		b.Fatal("raw subscriber not subscribed")
	}
	p.publish = func(ctx context.Context, i int) error {
		_, err := pubC.Publish(ctx, channel, msgs[i])
		return err
	}
	return p
}

// wsPipe: the same bytes through two ws.Transports.
func wsPipe(b *testing.B, srv *server.Server, channel string, msgs [][]byte) *pipe {
	p := &pipe{}
	sub := dialWS(b, srv, srv.URL(), "ws-sub")
	pub := dialWS(b, srv, srv.URL(), "ws-pub")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, stop, err := sub.Subscribe(ctx, channel, client.SubscribeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	go func() {
		for data := range ch {
			p.rec.Load().deliveredBytes(data)
		}
	}()
	p.publish = func(ctx context.Context, i int) error { return pub.Publish(ctx, channel, msgs[i]) }
	return p
}

// clientPipe: runtime clients on both ends, a typed payload published with
// Client.Publish and handled by an OnAspect handler on the decoded envelope.
// The publishing client assigns sequences in publish order, so it is used
// with a single publisher; the i-th publication carries sequence offset+i.
func clientPipe(b *testing.B, srv *server.Server, channel string) *pipe {
	p := &pipe{}
	sub := newRuntimeClient(b, dialWS(b, srv, srv.URL(), "cl-sub"), "cl-sub")
	pub := newRuntimeClient(b, dialWS(b, srv, srv.URL(), "cl-pub"), "bench")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := sub.Subscribe(ctx, channel)
	if err != nil {
		b.Fatal(err)
	}
	var base atomic.Int64 // sequences already used by earlier recorders
	s.HandleAspect("tick", func(_ context.Context, env *envelope.Envelope) error {
		p.rec.Load().delivered(env.Sequence - base.Load())
		return nil
	})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	var last atomic.Int64
	p.publish = func(ctx context.Context, i int) error {
		if i == 1 {
			base.Store(last.Load())
		}
		env, err := pub.PublishAspect(ctx, channel, "tick", tick{I: i})
		if err == nil {
			last.Store(env.Sequence)
		}
		return err
	}
	return p
}

// typedTick is tick with hand-written JSON methods, as generated types have:
// the typed handler decodes it without reflection.
type typedTick struct {
	I int
}

// MarshalJSON encodes t as {"i":N}.
func (t typedTick) MarshalJSON() ([]byte, error) {
	return append(strconv.AppendInt(append(make([]byte, 0, 24), `{"i":`...), int64(t.I), 10), '}'), nil
}

var typedTickPrefix = []byte(`{"i":`)

// UnmarshalJSON decodes {"i":N} as MarshalJSON writes it and rejects
// anything else.
func (t *typedTick) UnmarshalJSON(data []byte) error {
	rest, ok := bytes.CutPrefix(data, typedTickPrefix)
	if !ok || len(rest) < 2 || rest[len(rest)-1] != '}' {
		return fmt.Errorf("typedTick: want {\"i\":N}, got %q", data)
	}
	n, err := strconv.Atoi(string(rest[:len(rest)-1]))
	if err != nil {
		return fmt.Errorf("typedTick: field \"i\": %w", err)
	}
	t.I = n
	return nil
}

// typedClientPipe is clientPipe with a HandleAspectTyped handler that decodes
// each payload into a typedTick and records its index.
func typedClientPipe(b *testing.B, srv *server.Server, channel string) *pipe {
	p := &pipe{}
	sub := newRuntimeClient(b, dialWS(b, srv, srv.URL(), "ty-sub"), "ty-sub")
	pub := newRuntimeClient(b, dialWS(b, srv, srv.URL(), "ty-pub"), "bench")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := sub.Subscribe(ctx, channel)
	if err != nil {
		b.Fatal(err)
	}
	s.OnError(func(err error) { b.Error(err) })
	client.HandleAspectTyped(s, "tick", func(_ context.Context, _ *envelope.Envelope, m *typedTick) error {
		p.rec.Load().delivered(int64(m.I))
		return nil
	})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	p.publish = func(ctx context.Context, i int) error {
		_, err := pub.PublishAspect(ctx, channel, "tick", typedTick{I: i})
		return err
	}
	return p
}

// throughput publishes n messages from `publishers` goroutines (each an
// interleaved share) and waits for all deliveries.
func throughput(b *testing.B, p *pipe, n, publishers int) (*recorder, time.Duration) {
	r := newRecorder(n)
	p.use(r)
	ctx, cancel := context.WithTimeout(context.Background(), benchWait)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w + 1; i <= n; i += publishers {
				r.sent[i].Store(time.Now().UnixNano())
				if err := p.publish(ctx, i); err != nil {
					b.Errorf("publish #%d: %v", i, err)
					return
				}
			}
		}()
	}
	published := make(chan struct{})
	go func() {
		wg.Wait()
		close(published)
	}()
	select {
	case <-published:
	case <-ctx.Done():
		b.Fatalf("publishers still running after %v", benchWait)
	}
	if b.Failed() {
		b.FailNow() // a publisher failed: its share will never arrive
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		b.Fatalf("received %d of %d", r.got.Load(), n)
	}
	return r, time.Since(start)
}

// pingPong publishes n messages one at a time, each after the previous one
// reached the handler: the latencies are the path's own, not queueing.
func pingPong(b *testing.B, p *pipe, n int) *recorder {
	r := newRecorder(n)
	p.use(r)
	ctx, cancel := context.WithTimeout(context.Background(), benchWait)
	defer cancel()
	for i := 1; i <= n; i++ {
		r.sent[i].Store(time.Now().UnixNano())
		if err := p.publish(ctx, i); err != nil {
			b.Fatalf("publish #%d: %v", i, err)
		}
		select {
		case <-r.step:
		case <-ctx.Done():
			b.Fatalf("message %d not delivered", i)
		}
	}
	return r
}

// benchWait bounds each phase of a round (all publishes and deliveries of
// one throughput or latency run): past it the benchmark fails.
const benchWait = 2 * time.Minute

// tallyRuns merges rounds: throughput is total messages over total time,
// percentiles are over every latency; ratios and p99Ratios keep each
// round's throughput ratio and p99 latency ratio against the base variant
// of the same round.
type tallyRuns struct {
	msgs      int
	elapsed   time.Duration
	lat       []time.Duration
	ratios    []float64
	p99Ratios []float64
}

func (m *tallyRuns) addThroughput(n int, d time.Duration) { m.msgs += n; m.elapsed += d }

// addLatency merges r's latencies and returns r's own p99.
func (m *tallyRuns) addLatency(r *recorder) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.lat = append(m.lat, r.lat...)
	return percentile(slices.Clone(r.lat), 0.99)
}

func (m *tallyRuns) perSec() float64 { return float64(m.msgs) / m.elapsed.Seconds() }

func (m *tallyRuns) pct(p float64) time.Duration { return percentile(m.lat, p) }

// percentile sorts lat and returns its p-th percentile (nearest rank: the
// smallest latency at least a fraction p of them do not exceed).
func percentile(lat []time.Duration, p float64) time.Duration {
	slices.Sort(lat)
	return lat[max(0, min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1))]
}

// median is the median of the per-round ratios: a burst of background load
// spoils a round or two, not the figure.
func median(ratios []float64) float64 {
	r := slices.Clone(ratios)
	slices.Sort(r)
	if len(r)%2 == 1 {
		return r[len(r)/2]
	}
	return (r[len(r)/2-1] + r[len(r)/2]) / 2
}

// benchRounds alternates the variants so that background load on a shared
// machine weighs on both alike.
const benchRounds = 20

// benchSizes returns the messages per variant and round for throughput
// (b.N over the rounds) and for latency: enough ping-pongs per round that
// the round's p99 is not its slowest sample (with 500, five lie above it).
func benchSizes(b *testing.B) (n, latN int) {
	n = max(b.N/benchRounds, 100)
	return n, max(n, 500)
}

// benchMessages encodes the envelopes a raw or ws pipe publishes: enough
// for either phase of a round.
func benchMessages(b *testing.B, channel string) [][]byte {
	n, latN := benchSizes(b)
	n = max(n, latN)
	msgs := make([][]byte, n+1)
	for i := 1; i <= n; i++ {
		msgs[i] = encodeTick(b, channel, "bench", i)
	}
	return msgs
}

// comparePipes runs base and other in alternating rounds, the one that goes
// first alternating too (ABBA), so drift in background load cancels: a
// saturating throughput phase with `publishers` concurrent publishers, then
// a ping-pong latency phase. It reports both and their ratios:
// throughput_ratio (other/base messages per second) and p99_ratio
// (other/base p99 latency) are the medians of the per-round ratios, the
// figures the targets name; p99_ratio_pooled is the ratio of the p99s over
// every round's latencies, which one noisy round can move.
func comparePipes(b *testing.B, base, other *pipe, name string, publishers int) {
	n, latN := benchSizes(b)
	var rb, ro tallyRuns
	b.ResetTimer()
	for round := range benchRounds {
		var db, do time.Duration
		if round%2 == 0 {
			_, db = throughput(b, base, n, publishers)
			_, do = throughput(b, other, n, publishers)
		} else {
			_, do = throughput(b, other, n, publishers)
			_, db = throughput(b, base, n, publishers)
		}
		rb.addThroughput(n, db)
		ro.addThroughput(n, do)
		ro.ratios = append(ro.ratios, float64(db)/float64(do))
		var pb, po time.Duration
		if round%2 == 0 {
			pb = rb.addLatency(pingPong(b, base, latN))
			po = ro.addLatency(pingPong(b, other, latN))
		} else {
			po = ro.addLatency(pingPong(b, other, latN))
			pb = rb.addLatency(pingPong(b, base, latN))
		}
		ro.p99Ratios = append(ro.p99Ratios, float64(po)/float64(pb))
	}
	b.StopTimer()
	b.ReportMetric(rb.perSec(), "raw_msg/s")
	b.ReportMetric(ro.perSec(), name+"_msg/s")
	b.ReportMetric(median(ro.ratios), "throughput_ratio")
	b.ReportMetric(float64(rb.pct(0.50).Microseconds()), "raw_p50_us")
	b.ReportMetric(float64(ro.pct(0.50).Microseconds()), name+"_p50_us")
	b.ReportMetric(float64(rb.pct(0.99).Microseconds()), "raw_p99_us")
	b.ReportMetric(float64(ro.pct(0.99).Microseconds()), name+"_p99_us")
	b.ReportMetric(median(ro.p99Ratios), "p99_ratio")
	b.ReportMetric(float64(ro.pct(0.99))/float64(rb.pct(0.99)), "p99_ratio_pooled")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkWSPublishToHandler compares publish -> handler over WebSocket to
// the embedded node: raw centrifuge-go against the ws transport, identical
// bytes, 4 concurrent publishers for throughput, one message in flight for
// latency. b.N is the number of messages per variant for throughput, over
// 20 rounds, and as many (at least 500 a round) for latency; use
// -benchtime=15000x.
func BenchmarkWSPublishToHandler(b *testing.B) {
	srv := startServer(b, server.Config{HistorySize: 100})
	raw := rawPipe(b, srv, "bench:raw", benchMessages(b, "bench:raw"))
	ws := wsPipe(b, srv, "bench:ws", benchMessages(b, "bench:ws"))
	comparePipes(b, raw, ws, "ws", 4)
}

// BenchmarkWSClientPublishToHandler is the same path through the runtime
// client (envelope encoding, sequencing, gap detection, typed dispatch),
// against raw centrifuge-go, both with one publisher.
func BenchmarkWSClientPublishToHandler(b *testing.B) {
	srv := startServer(b, server.Config{HistorySize: 100})
	raw := rawPipe(b, srv, "bench:raw1", benchMessages(b, "bench:raw1"))
	cl := clientPipe(b, srv, "bench:client")
	comparePipes(b, raw, cl, "client", 1)
}

// BenchmarkWSClientTypedPublishToHandler is BenchmarkWSClientPublishToHandler
// with a typed payload (hand-written MarshalJSON/UnmarshalJSON, as generated
// code has) and a HandleAspectTyped handler.
func BenchmarkWSClientTypedPublishToHandler(b *testing.B) {
	srv := startServer(b, server.Config{HistorySize: 100})
	raw := rawPipe(b, srv, "bench:raw2", benchMessages(b, "bench:raw2"))
	cl := typedClientPipe(b, srv, "bench:typed")
	comparePipes(b, raw, cl, "typed", 1)
}
