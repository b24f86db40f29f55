package integration

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
	"github.com/parsec-gen/parsec-gen/server/internal/faultproxy"
)

// Exact loss accounting, at the runtime client, under real faults against
// Centrifugo, over both transports. In each scenario: the sum of what OnGap
// reports equals the sequence numbers really lost (numbers a producer used
// or skipped that were never delivered), each report names its producer and
// OnGapReport hears the same counts, nothing is delivered twice, and what
// history still held is delivered.

// lossTransport dials one transport kind to a Centrifugo address (direct or
// through a fault proxy).
type lossTransport struct {
	name string
	dial func(t testing.TB, c *centrifugotest.Centrifugo, addr, user string) client.Transport
}

var lossTransports = []lossTransport{
	{"ws", func(t testing.TB, c *centrifugotest.Centrifugo, addr, user string) client.Transport {
		t.Helper()
		tr, err := ws.New("ws://"+addr+"/connection/websocket", append(fastReconnect(),
			ws.WithTokenFunc(func(context.Context) (string, error) {
				return centrifugotest.SignHS256(c.Secret, centrifugotest.Claims{Sub: user, Exp: time.Now().Add(time.Hour).Unix()})
			}))...)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}},
	{"sse", func(t testing.TB, c *centrifugotest.Centrifugo, addr, user string) client.Transport {
		t.Helper()
		return newSSE(t, c, "http://"+addr, user, nil)
	}},
}

// lossLog records what one runtime subscription delivered and reported.
type lossLog struct {
	mu      sync.Mutex
	seen    map[string]map[int64]int
	order   map[string][]int64
	gaps    []int64
	reports []client.GapReport
	errs    []error
}

func newLossLog() *lossLog {
	return &lossLog{seen: map[string]map[int64]int{}, order: map[string][]int64{}}
}

func (l *lossLog) handle(_ context.Context, env *envelope.Envelope) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := env.Producer.ID
	if l.seen[p] == nil {
		l.seen[p] = map[int64]int{}
	}
	l.seen[p][env.Sequence]++
	l.order[p] = append(l.order[p], env.Sequence)
	return nil
}

func (l *lossLog) onGap(_ string, n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gaps = append(l.gaps, n)
}

func (l *lossLog) onReport(r client.GapReport) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, r)
}

func (l *lossLog) onError(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

// has reports whether producer's seq was delivered.
func (l *lossLog) has(producer string, seq int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[producer][seq] > 0
}

// disconnects counts the disconnects reported to the error hooks.
func (l *lossLog) disconnects() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, err := range l.errs {
		var se *client.StreamError
		if errors.As(err, &se) && se.Event.Kind == client.EventDisconnected {
			n++
		}
	}
	return n
}

// streamLosses returns the stream-level GapErrors (no producer).
func (l *lossLog) streamLosses() []*client.GapError {
	l.mu.Lock()
	defer l.mu.Unlock()
	return streamLosses(l.errs)
}

// streamLosses returns the stream-level GapErrors (no producer) in errs.
func streamLosses(errs []error) []*client.GapError {
	var out []*client.GapError
	for _, err := range errs {
		var ge *client.GapError
		if errors.As(err, &ge) && ge.Producer == "" {
			out = append(out, ge)
		}
	}
	return out
}

// lossSub is a runtime client subscribed to a channel, recording into log.
type lossSub struct {
	c   *client.Client
	s   *client.Subscription
	log *lossLog
}

func lossSubscribe(t testing.TB, tr client.Transport, channel string, opts ...client.SubscribeOption) *lossSub {
	t.Helper()
	l := newLossLog()
	c, err := client.New(client.WithTransport(tr), client.WithErrorHandler(l.onError),
		client.WithReconnect(client.ReconnectPolicy{MinDelay: 20 * time.Millisecond, MaxDelay: 300 * time.Millisecond, MaxAttempts: -1}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	s, err := c.Subscribe(ctx, channel, opts...)
	if err != nil {
		t.Fatal(err)
	}
	// The hooks first: dispatch begins with the envelope handler.
	s.OnGap(l.onGap)
	s.OnGapReport(l.onReport)
	s.HandleEnvelope(l.handle)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	ls := &lossSub{c: c, s: s, log: l}
	t.Cleanup(func() { ls.close(t) })
	return ls
}

func (ls *lossSub) close(t testing.TB) {
	if err := ls.c.Close(); err != nil {
		t.Errorf("close client: %v", err)
	}
}

// lossPublisher publishes numbered envelopes through the server API, so the
// subscriber's faults do not touch it.
type lossPublisher struct {
	t       testing.TB
	tr      client.Transport
	channel string
	used    map[string]int64 // producer -> highest number used (published or skipped)
	sent    int
}

func newLossPublisher(t testing.TB, c *centrifugotest.Centrifugo, channel string) *lossPublisher {
	return &lossPublisher{t: t, tr: newSSE(t, c, c.URL, "publisher", nil), channel: channel, used: map[string]int64{}}
}

// publish sends producer's from..to.
func (p *lossPublisher) publish(producer string, from, to int64) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := publishTicks(ctx, p.t, p.tr, p.channel, producer, int(from), int(to), 0); err != nil {
		p.t.Fatal(err)
	}
	p.used[producer] = max(p.used[producer], to)
	p.sent += int(to - from + 1)
}

// skip makes producer skip its next n numbers: they will never be sent.
func (p *lossPublisher) skip(producer string, n int64) { p.used[producer] += n }

// settle waits until every producer's last number was delivered (each
// scenario ends with a batch that must arrive), then checks the accounting
// and returns the figures.
func settle(t testing.TB, ls *lossSub, pub *lossPublisher, wantLost map[string]int64) (delivered, lost, reported int64) {
	t.Helper()
	for producer, last := range pub.used {
		waitFor(t, sseWaitDelivery, fmt.Sprintf("%s #%d", producer, last), func() bool { return ls.log.has(producer, last) })
	}
	l := ls.log
	l.mu.Lock()
	defer l.mu.Unlock()
	lostBy := map[string]int64{}
	for producer, last := range pub.used {
		seen := l.seen[producer]
		for seq, n := range seen {
			if n > 1 {
				t.Errorf("%s #%d delivered %d times", producer, seq, n)
			}
		}
		if !slices.IsSorted(l.order[producer]) {
			t.Errorf("%s delivered out of order: %v", producer, l.order[producer])
		}
		delivered += int64(len(seen))
		lostBy[producer] = last - int64(len(seen))
		lost += lostBy[producer]
	}
	for _, g := range l.gaps {
		reported += g
	}
	reportedBy := map[string]int64{}
	var fromReports int64
	for _, r := range l.reports {
		if r.Producer == "" || r.Missed != r.Last-r.First+1 || r.Missed <= 0 {
			t.Errorf("malformed report %+v", r)
		}
		reportedBy[r.Producer] += r.Missed
		fromReports += r.Missed
		for seq := r.First; seq <= r.Last; seq++ {
			if l.seen[r.Producer][seq] > 0 {
				t.Errorf("report %+v names #%d, which was delivered", r, seq)
			}
		}
	}
	if reported != lost || fromReports != lost {
		t.Errorf("OnGap sums to %d (%v), OnGapReport to %d, really lost %d", reported, l.gaps, fromReports, lost)
	}
	for producer, want := range wantLost {
		if lostBy[producer] != want || reportedBy[producer] != want {
			t.Errorf("%s: lost %d, reported %d, want %d", producer, lostBy[producer], reportedBy[producer], want)
		}
	}
	for producer, n := range reportedBy {
		if n != lostBy[producer] {
			t.Errorf("%s: reported %d, lost %d", producer, n, lostBy[producer])
		}
	}
	return delivered, lost, reported
}

func lossFigures(t testing.TB, name string, pub *lossPublisher, delivered, lost, reported int64, ls *lossSub) {
	t.Helper()
	var stream []string
	for _, ge := range ls.log.streamLosses() {
		stream = append(stream, fmt.Sprint(ge.Missed))
	}
	t.Logf("FIGURES loss/%s: sent %d, delivered %d, really lost %d, reported %d, stream-level reports %v",
		name, pub.sent, delivered, lost, reported, stream)
}

// lossCentrifugo starts Centrifugo with a "small" namespace (history
// publications, otherwise the default), behind a fault proxy.
func lossCentrifugo(t testing.TB, history int) (*centrifugotest.Centrifugo, *faultproxy.Proxy) {
	t.Helper()
	ns := centrifugotest.DefaultNamespace()
	ns.Name, ns.HistorySize = "small", history
	c := startCentrifugo(t, centrifugotest.Options{Namespaces: []centrifugotest.Namespace{ns}, PingInterval: time.Second, PongTimeout: 500 * time.Millisecond})
	proxy, err := faultproxy.Start(c.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := proxy.Close(); err != nil {
			t.Error(err)
		}
	})
	return c, proxy
}

// cutOff blackholes the proxy and waits until the subscriber noticed.
func cutOff(t testing.TB, proxy *faultproxy.Proxy, ls *lossSub) {
	t.Helper()
	before := ls.log.disconnects()
	proxy.Blackhole()
	waitFor(t, 5*ssePingTimeout, "the cut to be noticed", func() bool { return ls.log.disconnects() > before })
}

func forEachTransport(t *testing.T, f func(t *testing.T, lt lossTransport)) {
	for _, lt := range lossTransports {
		t.Run(lt.name, func(t *testing.T) { f(t, lt) })
	}
}

// History overflow: while the subscriber is cut off, more is published than
// history holds. What history held is delivered; the rest is reported once,
// by the producer, at its true size.
func TestLossHistoryOverflow(t *testing.T) {
	forEachTransport(t, func(t *testing.T, lt lossTransport) {
		const (
			history = 20
			outage  = 100
		)
		channel := "small:loss-overflow-" + lt.name
		c, proxy := lossCentrifugo(t, history)
		ls := lossSubscribe(t, lt.dial(t, c, proxy.Addr(), "sub"), channel)
		pub := newLossPublisher(t, c, channel)
		pub.publish("p1", 1, 30)
		waitFor(t, sseWaitDelivery, "first batch", func() bool { return ls.log.has("p1", 30) })
		cutOff(t, proxy, ls)
		pub.publish("p1", 31, 30+outage)
		proxy.Heal()
		waitFor(t, sseWaitDelivery, "what history held", func() bool { return ls.log.has("p1", 30+outage) })
		for seq := int64(30 + outage - history + 1); seq <= 30+outage; seq++ {
			if !ls.log.has("p1", seq) {
				t.Errorf("#%d was in history but not delivered", seq)
			}
		}
		pub.publish("p1", 31+outage, 40+outage)
		d, l, r := settle(t, ls, pub, map[string]int64{"p1": outage - history})
		lossFigures(t, "history-overflow/"+lt.name, pub, d, l, r, ls)
		if n := len(ls.log.streamLosses()); n != 0 {
			t.Errorf("%d stream-level loss reports, want none: the producer accounts for all", n)
		}
	})
}

// Two producers, of which one loses messages: p2 publishes beyond history
// during the cut, p1's few publications after it stay in history. Only p2
// is reported, with its exact count.
func TestLossTwoProducersOneLoses(t *testing.T) {
	forEachTransport(t, func(t *testing.T, lt lossTransport) {
		const history = 20
		channel := "small:loss-two-" + lt.name
		c, proxy := lossCentrifugo(t, history)
		ls := lossSubscribe(t, lt.dial(t, c, proxy.Addr(), "sub"), channel)
		pub := newLossPublisher(t, c, channel)
		pub.publish("p1", 1, 10)
		pub.publish("p2", 1, 10)
		waitFor(t, sseWaitDelivery, "first batch", func() bool { return ls.log.has("p1", 10) && ls.log.has("p2", 10) })
		cutOff(t, proxy, ls)
		pub.publish("p2", 11, 70) // history keeps p2 #56..#70 after p1's 5
		pub.publish("p1", 11, 15)
		proxy.Heal()
		waitFor(t, sseWaitDelivery, "what history held", func() bool { return ls.log.has("p1", 15) })
		pub.publish("p1", 16, 20)
		pub.publish("p2", 71, 75)
		d, l, r := settle(t, ls, pub, map[string]int64{"p1": 0, "p2": 45})
		lossFigures(t, "two-producers/"+lt.name, pub, d, l, r, ls)
	})
}

// A blackhole longer than the ping timeout, while less than history holds
// is published: the cut is noticed, nothing is lost, nothing is reported.
func TestLossBlackholeBeyondPingTimeout(t *testing.T) {
	forEachTransport(t, func(t *testing.T, lt lossTransport) {
		channel := "small:loss-blackhole-" + lt.name
		c, proxy := lossCentrifugo(t, 200)
		ls := lossSubscribe(t, lt.dial(t, c, proxy.Addr(), "sub"), channel)
		pub := newLossPublisher(t, c, channel)
		pub.publish("p1", 1, 20)
		waitFor(t, sseWaitDelivery, "first batch", func() bool { return ls.log.has("p1", 20) })
		start := time.Now()
		cutOff(t, proxy, ls)
		pub.publish("p1", 21, 120)
		time.Sleep(ssePingTimeout) // stay cut well past the ping timeout
		proxy.Heal()
		held := time.Since(start)
		pub.publish("p1", 121, 130)
		d, l, r := settle(t, ls, pub, map[string]int64{"p1": 0})
		lossFigures(t, "blackhole/"+lt.name, pub, d, l, r, ls)
		t.Logf("FIGURES loss/blackhole/%s: cut for %v", lt.name, held.Round(time.Millisecond))
		if n := len(ls.log.streamLosses()); n != 0 {
			t.Errorf("%d stream-level loss reports, want none", n)
		}
	})
}

// Centrifugo restarts (memory engine: the stream and its history are gone).
// What the old server accepted while the subscriber was cut off is lost and
// reported by the producer; what the new server holds is delivered; the
// stream's unknown count is reported once to the error hooks, not to OnGap.
func TestLossServerRestart(t *testing.T) {
	for _, how := range []struct {
		name string
		stop func(*centrifugotest.Centrifugo) error
	}{{"graceful", (*centrifugotest.Centrifugo).Stop}, {"killed", (*centrifugotest.Centrifugo).Kill}} {
		t.Run(how.name, func(t *testing.T) {
			forEachTransport(t, func(t *testing.T, lt lossTransport) {
				channel := "small:loss-restart-" + lt.name
				c, proxy := lossCentrifugo(t, 200)
				ls := lossSubscribe(t, lt.dial(t, c, proxy.Addr(), "sub"), channel)
				pub := newLossPublisher(t, c, channel)
				pub.publish("p1", 1, 30)
				waitFor(t, sseWaitDelivery, "first batch", func() bool { return ls.log.has("p1", 30) })
				cutOff(t, proxy, ls)
				pub.publish("p1", 31, 40) // accepted by the old server only
				if err := how.stop(c); err != nil {
					t.Fatal(err)
				}
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
				pub.publish("p1", 41, 60) // in the new epoch's history before the subscriber is back
				proxy.Heal()
				waitFor(t, sseWaitDelivery, "the new epoch", func() bool { return ls.log.has("p1", 60) })
				for seq := int64(41); seq <= 60; seq++ {
					if !ls.log.has("p1", seq) {
						t.Errorf("#%d was in the new epoch's history but not delivered", seq)
					}
				}
				pub.publish("p1", 61, 70)
				d, l, r := settle(t, ls, pub, map[string]int64{"p1": 10})
				lossFigures(t, "server-restart/"+how.name+"/"+lt.name, pub, d, l, r, ls)
				if sl := ls.log.streamLosses(); len(sl) != 1 || sl[0].Missed != -1 {
					t.Errorf("stream-level reports %v, want one of unknown size", sl)
				}
			})
		})
	}
}

// A subscriber process restarts and resumes from its persisted state while a
// producer skipped numbers: the skip is reported after the resume, and what
// was published meanwhile is delivered once.
func TestLossSubscriberRestartResumesState(t *testing.T) {
	forEachTransport(t, func(t *testing.T, lt lossTransport) {
		channel := "small:loss-resume-" + lt.name
		c, _ := lossCentrifugo(t, 200)
		first := lossSubscribe(t, lt.dial(t, c, c.Addr, "sub"), channel)
		pub := newLossPublisher(t, c, channel)
		pub.publish("p1", 1, 20)
		pub.publish("p2", 1, 5)
		waitFor(t, sseWaitDelivery, "first run", func() bool { return first.log.has("p1", 20) && first.log.has("p2", 5) })
		state, err := first.s.ResumeState().MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		first.close(t)

		pub.skip("p1", 4) // #21..#24 never sent
		pub.publish("p1", 25, 40)
		pub.publish("p2", 6, 10)

		var st client.ResumeState
		if err := st.UnmarshalBinary(state); err != nil {
			t.Fatal(err)
		}
		second := lossSubscribe(t, lt.dial(t, c, c.Addr, "sub"), channel, client.WithResumeState(st))
		pub.publish("p1", 41, 45)
		// The second run accounts for what it owes: everything after the
		// state, including the skip.
		second.log.mu.Lock()
		for p, seen := range first.log.seen {
			if second.log.seen[p] == nil {
				second.log.seen[p] = map[int64]int{}
			}
			for seq, n := range seen {
				second.log.seen[p][seq] += n
			}
			second.log.order[p] = append(slices.Clone(first.log.order[p]), second.log.order[p]...)
		}
		second.log.mu.Unlock()
		d, l, r := settle(t, second, pub, map[string]int64{"p1": 4, "p2": 0})
		lossFigures(t, "subscriber-restart/"+lt.name, pub, d, l, r, second)
	})
}
