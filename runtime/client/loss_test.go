package client

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// reportLog collects GapReports.
type reportLog struct {
	mu      sync.Mutex
	reports []GapReport
}

func (l *reportLog) add(r GapReport) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, r)
}

func (l *reportLog) all() []GapReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]GapReport(nil), l.reports...)
}

// lossRig is a subscriber over a MemoryTransport broker whose stream the
// test cuts and heals at chosen points, and a raw publisher that sends
// envelopes with chosen sequences and times.
type lossRig struct {
	t       *testing.T
	broker  *MemoryTransport
	raw     *MemoryTransport
	subT    *MemoryTransport
	g       *gatedSleep
	errs    errLog
	got     recorder
	gaps    gapLog
	reports reportLog
	c       *Client
	s       *Subscription
}

const lossChannel = "c"

// newLossRig subscribes to lossChannel with a broker keeping history
// publications, opts applied to the subscription.
func newLossRig(t *testing.T, history int, opts ...SubscribeOption) *lossRig {
	t.Helper()
	broker := NewMemoryTransport(MemoryHistorySize(history))
	r := &lossRig{t: t, broker: broker, raw: connected(t, broker.Peer()), subT: broker.Peer(),
		g: &gatedSleep{sleeping: make(chan time.Duration), gate: make(chan struct{})}}
	r.start(opts...)
	return r
}

// start subscribes a new client on the rig's subscriber transport.
func (r *lossRig) start(opts ...SubscribeOption) {
	r.t.Helper()
	r.c = newClient(r.t, r.subT, WithErrorHandler(r.errs.add), WithReconnect(ReconnectPolicy{Sleep: r.g.sleep}))
	r.s = subscribe(r.t, r.c, lossChannel, opts...)
	// The hooks first: dispatch begins with the envelope handler.
	r.s.OnGap(r.gaps.add)
	r.s.OnGapReport(r.reports.add)
	r.s.HandleEnvelope(r.got.handle)
	start(r.t, r.s)
}

// restart closes the subscriber's client and starts another with opts, as a
// restarted process would.
func (r *lossRig) restart(opts ...SubscribeOption) {
	r.t.Helper()
	if err := r.c.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.subT = r.broker.Peer()
	r.got = recorder{}
	r.start(opts...)
}

var lossEpoch = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// pub publishes producer's envelopes from..to, produced at base+seq seconds.
func (r *lossRig) pub(producer string, from, to int64, base time.Duration) {
	r.t.Helper()
	for seq := from; seq <= to; seq++ {
		data, err := envelope.Encode(&envelope.Envelope{Channel: lossChannel, Sequence: seq,
			ProducedAt: lossEpoch.Add(base + time.Duration(seq)*time.Second),
			Producer:   envelope.Producer{ID: producer, Kind: envelope.ProducerService}, Aspect: "a"})
		if err != nil {
			r.t.Fatal(err)
		}
		if err := r.raw.Publish(context.Background(), lossChannel, data); err != nil {
			r.t.Fatal(err)
		}
	}
}

// cut drops the subscriber's stream and waits until it is about to
// resubscribe; heal lets it.
func (r *lossRig) cut() {
	r.t.Helper()
	r.subT.DropSubscriptions(lossChannel)
	select {
	case <-r.g.sleeping:
	case <-time.After(10 * time.Second):
		r.t.Fatal("no resubscribe attempt")
	}
}

func (r *lossRig) heal() {
	r.t.Helper()
	select {
	case r.g.gate <- struct{}{}:
	case <-time.After(10 * time.Second):
		r.t.Fatal("resubscribe not waiting")
	}
}

func (r *lossRig) wait(n int) {
	r.t.Helper()
	waitFor(r.t, "deliveries", func() bool { return r.got.n() >= n })
}

// delivered returns the sequences delivered per producer.
func (r *lossRig) delivered() map[string][]int64 {
	r.got.mu.Lock()
	defer r.got.mu.Unlock()
	m := map[string][]int64{}
	for _, e := range r.got.envs {
		m[e.Producer.ID] = append(m[e.Producer.ID], e.Sequence)
	}
	return m
}

func seqs(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// Rule: one loss, one report. Two producers; the stream loses 10
// publications beyond history, 6 of p1 and 4 of p2. OnGap hears 6 and 4 and
// nothing else; the reports name the producers and the numbers; the error
// hooks hear nothing (the producers accounted for the whole loss); what
// history held is delivered once.
func TestLossOneReportPerProducer(t *testing.T) {
	r := newLossRig(t, 4)
	r.pub("p1", 1, 2, 0)
	r.pub("p2", 1, 2, 0)
	r.wait(4)
	r.cut()
	// Offsets 5..18: p1 #3..#9 and p2 #3..#9 interleaved; history keeps the
	// last 4 (p1 #8,#9 and p2 #8,#9).
	for seq := int64(3); seq <= 9; seq++ {
		r.pub("p1", seq, seq, 0)
		r.pub("p2", seq, seq, 0)
	}
	r.heal()
	r.wait(8)
	r.pub("p1", 10, 10, 0)
	r.wait(9)
	want := []GapReport{
		{Channel: lossChannel, Producer: "p1", First: 3, Last: 7, Missed: 5, Detection: GapUnrecoverable},
		{Channel: lossChannel, Producer: "p2", First: 3, Last: 7, Missed: 5, Detection: GapUnrecoverable},
	}
	if diff := cmp.Diff(want, r.reports.all()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{5, 5}, r.gaps.all()); diff != "" {
		t.Errorf("OnGap (-want +got): the same counts, once\n%s", diff)
	}
	if e := r.errs.all(); len(e) != 0 {
		t.Errorf("errors = %v, want none", e)
	}
	wantGot := map[string][]int64{"p1": {1, 2, 8, 9, 10}, "p2": {1, 2, 8, 9}}
	if diff := cmp.Diff(wantGot, r.delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// Rule: what no producer accounts for is reported once, to the error hooks,
// as a stream-level loss: here a producer never heard from again after the
// loss. It is settled when the subscription ends.
func TestLossUnattributedReportedOnce(t *testing.T) {
	r := newLossRig(t, 2)
	r.pub("p1", 1, 1, 0)
	r.pub("gone", 1, 1, 0)
	r.wait(2)
	r.cut()
	r.pub("gone", 2, 4, 0) // offsets 3..5, lost: the producer then stops
	r.pub("p1", 2, 3, 0)   // offsets 6..7, kept
	r.heal()
	r.wait(4)
	if diff := cmp.Diff([]int64{}, append([]int64{}, r.gaps.all()...)); diff != "" {
		t.Errorf("OnGap (-want +got): p1 lost nothing\n%s", diff)
	}
	if e := r.errs.all(); len(e) != 0 {
		t.Errorf("errors before the loss settled = %v, want none yet", e)
	}
	if err := r.s.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	<-r.s.Done()
	var ge *GapError
	if e := r.errs.all(); len(e) != 1 || !errors.As(e[0], &ge) || ge.Producer != "" || ge.Missed != 3 {
		t.Errorf("errors = %v, want one stream-level GapError of 3", e)
	}
}

// Rule: a loss of unknown size (the stream's epoch changed) is reported
// once to the error hooks at once; the producers' own numbers still give
// OnGap their exact losses.
func TestLossUnknownCountThenProducerCounts(t *testing.T) {
	r := newLossRig(t, 100)
	r.pub("p1", 1, 3, 0)
	r.wait(3)
	r.cut()
	r.broker.ResetChannel(lossChannel) // server restart: history and offsets gone
	r.pub("p1", 6, 7, 0)               // #4, #5 were accepted by the old server and lost with it
	r.heal()
	r.wait(5)
	want := []GapReport{{Channel: lossChannel, Producer: "p1", First: 4, Last: 5, Missed: 2, Detection: GapUnrecoverable}}
	if diff := cmp.Diff(want, r.reports.all()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	var ge *GapError
	if e := r.errs.all(); len(e) != 1 || !errors.As(e[0], &ge) || ge.Producer != "" || ge.Missed != -1 {
		t.Errorf("errors = %v, want one stream-level GapError of unknown size", e)
	}
	if diff := cmp.Diff(map[string][]int64{"p1": {1, 2, 3, 6, 7}}, r.delivered()); diff != "" {
		t.Errorf("delivered (-want +got): the new epoch from its start\n%s", diff)
	}
}

// Rule: a plain sequence jump on a lossless stream is reported once, may
// still be filled, and a late arrival into it is delivered.
func TestLossSequenceJump(t *testing.T) {
	r := newLossRig(t, 100)
	r.pub("p1", 1, 2, 0)
	r.pub("p1", 5, 5, 0)
	r.pub("p1", 3, 3, 0)
	r.wait(4)
	want := []GapReport{{Channel: lossChannel, Producer: "p1", First: 3, Last: 4, Missed: 2, Detection: GapSequenceJump, MayFill: true}}
	if diff := cmp.Diff(want, r.reports.all()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]int64{"p1": {1, 2, 5, 3}}, r.delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// Rule: a restarted producer is delivered whatever its clock says; the new
// run's numbers that never arrived are its loss.
func TestLossRestartWithClockBehind(t *testing.T) {
	r := newLossRig(t, 100)
	r.pub("p1", 1, 5, time.Hour)
	r.wait(5)
	r.pub("p1", 3, 4, 0) // restarted an hour behind; #1, #2 of the new run lost
	r.wait(7)
	if diff := cmp.Diff(map[string][]int64{"p1": {1, 2, 3, 4, 5, 3, 4}}, r.delivered()); diff != "" {
		t.Errorf("delivered (-want +got): the restart must not be dropped\n%s", diff)
	}
	want := []GapReport{{Channel: lossChannel, Producer: "p1", First: 1, Last: 2, Missed: 2, Detection: GapRestart}}
	if diff := cmp.Diff(want, r.reports.all()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if e := r.errs.all(); len(e) != 1 || !errors.Is(e[0], ErrSequenceRestart) {
		t.Errorf("errors = %v, want the restart reported", e)
	}
	if st := r.s.Stats(); st.Duplicates != 0 {
		t.Errorf("stats = %+v, want no duplicate", st)
	}
}

// Rule: a replay overlapping what was delivered is dropped, not taken for
// a restart: the subscriber resubscribes from a position older than what it
// handled.
func TestLossReplayIsDuplicate(t *testing.T) {
	r := newLossRig(t, 100)
	r.pub("p1", 1, 3, 0)
	r.wait(3)
	if err := r.c.Close(); err != nil {
		t.Fatal(err)
	}
	r.subT = r.broker.Peer()
	r.got = recorder{}
	// Marks without a position, and a replay from offset 2: #2 and #3 are
	// copies. (A replayed #1 would fall under the restart rule for a
	// stream whose times are unknown: a fallback to 1.)
	st := ResumeState{Producers: map[string]int64{"p1": 3}}
	r.start(WithResumeState(st), WithFromSequence(1))
	r.pub("p1", 4, 4, 0)
	r.wait(1)
	waitFor(t, "replay dropped", func() bool { return r.s.Stats().Duplicates == 2 })
	if diff := cmp.Diff(map[string][]int64{"p1": {4}}, r.delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	if n := len(r.reports.all()); n != 0 {
		t.Errorf("reports = %v, want none", r.reports.all())
	}
}

// Rule: the resume state carries the producers' marks: a producer's numbers
// skipped while the subscriber process was down are reported after it
// resumes, and nothing is delivered twice.
func TestLossResumeStateAcrossRestart(t *testing.T) {
	r := newLossRig(t, 100)
	r.pub("p1", 1, 3, 0)
	r.pub("p2", 1, 1, 0)
	r.wait(4)
	data, err := r.s.ResumeState().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.Close(); err != nil {
		t.Fatal(err)
	}
	r.pub("p1", 7, 8, 0) // #4..#6 skipped while the subscriber is down
	r.pub("p2", 2, 2, 0)
	var st ResumeState
	if err := st.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ResumeState{Position: StreamPosition{Offset: 4, Epoch: st.Position.Epoch}, PositionKnown: true,
		Producers: map[string]int64{"p1": 3, "p2": 1}}, st); diff != "" || st.Position.Epoch == "" {
		t.Errorf("resume state (-want +got):\n%s", diff)
	}
	r.subT = r.broker.Peer()
	r.got = recorder{}
	r.start(WithResumeState(st))
	r.wait(3)
	want := []GapReport{{Channel: lossChannel, Producer: "p1", First: 4, Last: 6, Missed: 3, Detection: GapSequenceJump, MayFill: true}}
	if diff := cmp.Diff(want, r.reports.all()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]int64{"p1": {7, 8}, "p2": {2}}, r.delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// The encoded resume state: a round trip, deterministic bytes, and clear
// errors for what it cannot be.
func TestResumeStateEncoding(t *testing.T) {
	st := ResumeState{Position: StreamPosition{Offset: 7, Epoch: "e"}, PositionKnown: true, Producers: map[string]int64{"b": 2, "a": 9}}
	data, err := st.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"v":1,"offset":7,"epoch":"e","known":true,"producers":{"a":9,"b":2}}`; string(data) != want {
		t.Errorf("encoded = %s, want %s", data, want)
	}
	var back ResumeState
	if err := back.UnmarshalBinary(data); err != nil || !cmp.Equal(st, back) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	for _, bad := range []string{`{"v":2}`, `{"v":1,"producers":{"a":0}}`, `[`} {
		if err := back.UnmarshalBinary([]byte(bad)); err == nil {
			t.Errorf("UnmarshalBinary(%s) succeeded", bad)
		}
	}
	if err := back.UnmarshalBinary(make([]byte, MaxResumeStateSize+1)); err == nil {
		t.Error("an oversized state was accepted")
	}
}

// scriptedTransport hands the test the stream and the event hook of its one
// subscription, so data and events can be interleaved exactly.
type scriptedTransport struct {
	*MemoryTransport
	out     chan []byte
	onEvent func(StreamEvent)
}

func (f *scriptedTransport) Subscribe(context.Context, string, SubscribeOptions) (<-chan []byte, func(), error) {
	return f.out, func() {}, nil
}

// Rule: a transport event is handled after the publications the transport
// put on the stream before it, even when they are still buffered: the
// producer known from them accounts for the loss the event reports.
func TestLossEventsKeepStreamOrder(t *testing.T) {
	tr := &scriptedTransport{MemoryTransport: NewMemoryTransport(), out: make(chan []byte, 10)}
	var errs errLog
	c := newClient(t, tr, WithErrorHandler(errs.add))
	s := subscribe(t, c, lossChannel, WithManualStart())
	tr.onEvent = func(ev StreamEvent) { s.onEvent(1, ev) }
	var reports reportLog
	var got recorder
	s.OnGapReport(reports.add)
	s.HandleEnvelope(got.handle)
	put := func(seq int64) {
		data, err := envelope.Encode(&envelope.Envelope{Channel: lossChannel, Sequence: seq, ProducedAt: lossEpoch,
			Producer: envelope.Producer{ID: "p1", Kind: envelope.ProducerService}, Aspect: "a"})
		if err != nil {
			t.Fatal(err)
		}
		tr.out <- data
	}
	// Buffered before dispatch starts: #1, #2, then the loss of 3, then #6.
	tr.onEvent(StreamEvent{Kind: EventSubscribed, Position: StreamPosition{Offset: 0, Epoch: "e"}})
	put(1)
	put(2)
	tr.onEvent(StreamEvent{Kind: EventUnrecoverable, Position: StreamPosition{Offset: 5, Epoch: "e"}, Missed: 3})
	put(6)
	start(t, s)
	waitFor(t, "3 deliveries", func() bool { return got.n() == 3 })
	want := []GapReport{{Channel: lossChannel, Producer: "p1", First: 3, Last: 5, Missed: 3, Detection: GapUnrecoverable}}
	if diff := cmp.Diff(want, reports.all()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if e := errs.all(); len(e) != 0 {
		t.Errorf("errors = %v, want none: p1 accounts for the loss", e)
	}
}
