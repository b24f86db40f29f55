// Package apitest is a program written only against the documented surface
// of package client (listed in client's package documentation): every
// function, method and type it names is used with its documented signature,
// over the MemoryTransport and a Transport written here that wraps it. It
// must keep compiling and passing unchanged; a change to a documented
// signature or behaviour breaks it.
package apitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// The documented signatures, checked by the compiler.
var (
	_ error = client.ErrNotImplemented

	_ func(client.Transport) client.ClientOption                                             = client.WithTransport
	_ func(envelope.Producer) client.ClientOption                                            = client.WithProducer
	_ func(*envelope.SequenceTracker) client.ClientOption                                    = client.WithSequenceTracker
	_ func(client.SequenceSnapshotter) client.ClientOption                                   = client.WithSnapshotter
	_ func(context.Context, string) error                                                    = (*client.Client)(nil).Connect
	_ func() error                                                                           = (*client.Client)(nil).Close
	_ func(context.Context, string, envelope.Envelope) error                                 = (*client.Client)(nil).Publish
	_ func(context.Context, string, ...client.SubscribeOption) (*client.Subscription, error) = (*client.Client)(nil).Subscribe
	_ func(context.Context, string, client.HistoryOptions) ([]envelope.Envelope, error)      = (*client.Client)(nil).History

	_ func(...string) client.SubscribeOption = client.WithAspectFilter
	_ func(int64) client.SubscribeOption     = client.WithFromSequence

	_ func() string                                                             = (*client.Subscription)(nil).Channel
	_ func(func(envelope.Envelope))                                             = (*client.Subscription)(nil).OnEnvelope
	_ func(string, func(envelope.Envelope))                                     = (*client.Subscription)(nil).OnAspect
	_ func(*client.Subscription, string, func(order, envelope.Envelope))        = client.OnAspectTyped[order]
	_ func(func(channel string, gap int64))                                     = (*client.Subscription)(nil).OnGap
	_ func(context.Context, string, []byte) error                               = (*client.Subscription)(nil).PublishDerived
	_ func(context.Context, client.HistoryOptions) ([]envelope.Envelope, error) = (*client.Subscription)(nil).History
	_ func(context.Context) ([]client.PresenceEntry, error)                     = (*client.Subscription)(nil).Presence
	_ func() error                                                              = (*client.Subscription)(nil).Unsubscribe

	_ func(string) *client.FileSnapshotter        = client.NewFileSnapshotter
	_ func(client.FileIO) *client.FileSnapshotter = (*client.FileSnapshotter)(nil).WithFileIO
	_ func() (map[string]int64, error)            = (*client.FileSnapshotter)(nil).Load
	_ func(map[string]int64) error                = (*client.FileSnapshotter)(nil).Save
	_ client.SequenceSnapshotter                  = (*client.FileSnapshotter)(nil)
	_ string                                      = client.FileSnapshotter{}.Path

	_ func() *client.MemoryTransport                                                        = func() *client.MemoryTransport { return client.NewMemoryTransport() }
	_ client.Transport                                                                      = (*client.MemoryTransport)(nil)
	_ func(context.Context, string) error                                                   = (*client.MemoryTransport)(nil).Connect
	_ func() error                                                                          = (*client.MemoryTransport)(nil).Close
	_ func(context.Context, string, []byte) error                                           = (*client.MemoryTransport)(nil).Publish
	_ func(context.Context, string, client.SubscribeOptions) (<-chan []byte, func(), error) = (*client.MemoryTransport)(nil).Subscribe
	_ func(context.Context, string, client.HistoryOptions) ([][]byte, error)                = (*client.MemoryTransport)(nil).History
	_ func(context.Context, string) ([]client.PresenceEntry, error)                         = (*client.MemoryTransport)(nil).Presence

	_ client.Transport           = (*wrapping)(nil)
	_ client.SequenceSnapshotter = (*mapSnapshotter)(nil)

	// Users write their own SubscribeOption.
	_ client.SubscribeOption = func(o *client.SubscribeOptions) { o.FromSequence = 1 }

	_ int64           = client.SubscribeOptions{}.FromSequence
	_ int             = client.HistoryOptions{}.Limit
	_ int64           = client.HistoryOptions{}.Since
	_ int64           = client.HistoryOptions{}.Until
	_ string          = client.PresenceEntry{}.UserID
	_ string          = client.PresenceEntry{}.ClientID
	_ json.RawMessage = client.PresenceEntry{}.ConnInfo
)

// withValidator: WithValidator accepts a *schema.Validator.
func withValidator(v *schema.Validator) client.ClientOption { return client.WithValidator(v) }

func TestDocumentedTypes(t *testing.T) {
	// ClientOption is func(*clientConfig).
	ot := reflect.TypeOf(client.ClientOption(nil))
	if ot.Kind() != reflect.Func || ot.NumIn() != 1 || ot.In(0).Kind() != reflect.Pointer || ot.In(0).Elem().Name() != "clientConfig" || ot.NumOut() != 0 {
		t.Errorf("ClientOption is %v, want func(*clientConfig)", ot)
	}
	if st := reflect.TypeOf(client.SubscribeOption(nil)); st.In(0) != reflect.TypeOf(&client.SubscribeOptions{}) {
		t.Errorf("SubscribeOption is %v, want func(*SubscribeOptions)", st)
	}
	pt := reflect.TypeOf(client.PresenceEntry{})
	for name, tag := range map[string]string{"UserID": "user_id", "ClientID": "client_id", "ConnInfo": "conn_info,omitempty"} {
		f, ok := pt.FieldByName(name)
		if !ok || f.Tag.Get("json") != tag {
			t.Errorf("PresenceEntry.%s: json tag %q, want %q", name, f.Tag.Get("json"), tag)
		}
	}
	data, err := json.Marshal(client.PresenceEntry{UserID: "u", ClientID: "c", ConnInfo: json.RawMessage(`{"tier":"gold"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"user_id":"u","client_id":"c","conn_info":{"tier":"gold"}}`; string(data) != want {
		t.Errorf("PresenceEntry JSON %s, want %s (conn_info is raw JSON)", data, want)
	}
	if reflect.TypeOf(client.FileIO(nil)) != nil || reflect.TypeOf((*client.FileIO)(nil)).Elem().Kind() != reflect.Interface {
		t.Error("FileIO is not an interface")
	}
	if _, ok := reflect.TypeOf(client.FileSnapshotter{}).FieldByName("Path"); !ok {
		t.Error("FileSnapshotter has no Path field")
	}
}

// order is the payload of the "order_placed" aspect.
type order struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

// wrapping is a user-written Transport around another: it records the
// connection token, counts publishes, can drop the next publish (a loss the
// subscribers see as a gap) and can hide presence.
type wrapping struct {
	inner client.Transport

	mu         sync.Mutex
	token      string
	published  int
	dropNext   bool
	noPresence bool
}

func (w *wrapping) Connect(ctx context.Context, token string) error {
	w.mu.Lock()
	w.token = token
	w.mu.Unlock()
	return w.inner.Connect(ctx, token)
}

func (w *wrapping) Close() error { return w.inner.Close() }

func (w *wrapping) Publish(ctx context.Context, channel string, payload []byte) error {
	w.mu.Lock()
	drop := w.dropNext
	w.dropNext = false
	w.published++
	w.mu.Unlock()
	if drop {
		return nil // lost on the way
	}
	return w.inner.Publish(ctx, channel, payload)
}

func (w *wrapping) Subscribe(ctx context.Context, channel string, opts client.SubscribeOptions) (<-chan []byte, func(), error) {
	return w.inner.Subscribe(ctx, channel, opts)
}

func (w *wrapping) History(ctx context.Context, channel string, opts client.HistoryOptions) ([][]byte, error) {
	return w.inner.History(ctx, channel, opts)
}

func (w *wrapping) Presence(ctx context.Context, channel string) ([]client.PresenceEntry, error) {
	w.mu.Lock()
	hide := w.noPresence
	w.mu.Unlock()
	if hide {
		return nil, client.ErrNotImplemented
	}
	return w.inner.Presence(ctx, channel)
}

// mapSnapshotter is a user-written SequenceSnapshotter.
type mapSnapshotter struct {
	mu    sync.Mutex
	state map[string]int64
}

func (m *mapSnapshotter) Save(state map[string]int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = make(map[string]int64, len(state))
	for k, v := range state {
		m.state[k] = v
	}
	return nil
}

func (m *mapSnapshotter) Load() (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.state))
	for k, v := range m.state {
		out[k] = v
	}
	return out, nil
}

var producer = envelope.Producer{ID: "checkout-1", Kind: envelope.ProducerService}

const wait = 10 * time.Second

func newClient(t *testing.T, opts ...client.ClientOption) *client.Client {
	t.Helper()
	c, err := client.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func publish(t *testing.T, c *client.Client, channel, aspect, payload string) {
	t.Helper()
	if err := c.Publish(context.Background(), channel, envelope.Envelope{Aspect: aspect, Payload: json.RawMessage(payload)}); err != nil {
		t.Fatal(err)
	}
}

// recorder collects strings from handlers and waits for them with a bound.
type recorder struct {
	mu  sync.Mutex
	got []string
	ch  chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1024)} }

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.got = append(r.got, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	r.ch <- struct{}{}
}

func (r *recorder) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(wait)
	for {
		r.mu.Lock()
		if len(r.got) >= n {
			out := append([]string(nil), r.got...)
			r.mu.Unlock()
			return out
		}
		r.mu.Unlock()
		select {
		case <-r.ch:
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("timed out waiting for %d entries; have %q", n, r.got)
		}
	}
}

// captureLog sends the standard logger's output to a buffer for the test:
// without error hooks (which the documented surface does not name), the
// client reports there.
func captureLog(t *testing.T) *syncBuffer {
	t.Helper()
	var b syncBuffer
	out, flags := log.Writer(), log.Flags()
	log.SetOutput(&b)
	log.SetFlags(0)
	t.Cleanup(func() { log.SetOutput(out); log.SetFlags(flags) })
	return &b
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) waitFor(t *testing.T, sub string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		ok := strings.Contains(s.b.String(), sub)
		s.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Fatalf("log never said %q; it holds:\n%s", sub, s.b.String())
}

func TestDocumentedClient(t *testing.T) {
	logged := captureLog(t)
	ctx := context.Background()
	v, err := schema.NewValidator(schema.ModeStrict, []schema.Aspect{{
		Name: "order_placed", SchemaRef: "order_placed.json",
		Schema: []byte(`{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}}`),
	}, {Name: "note", SchemaRef: "note.json", Schema: []byte(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	tr := &wrapping{inner: client.NewMemoryTransport()}
	snaps := &mapSnapshotter{}
	c := newClient(t, client.WithTransport(tr), client.WithProducer(producer),
		client.WithSequenceTracker(envelope.NewSequenceTracker()), client.WithSnapshotter(snaps), withValidator(v))
	if err := c.Connect(ctx, "token-1"); err != nil {
		t.Fatal(err)
	}
	if tr.token != "token-1" {
		t.Errorf("the transport got token %q, want the one given to Connect", tr.token)
	}

	// Subscribe, register handlers, done: no other call.
	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if sub.Channel() != "orders" {
		t.Errorf("Channel() = %q", sub.Channel())
	}
	rec := newRecorder()
	sub.OnEnvelope(func(env envelope.Envelope) { rec.add("any %s #%d", env.Aspect, env.Sequence) })
	sub.OnAspect("order_placed", func(env envelope.Envelope) { rec.add("aspect #%d", env.Sequence) })
	client.OnAspectTyped(sub, "order_placed", func(o order, env envelope.Envelope) {
		rec.add("typed #%d %s x%d", env.Sequence, o.ID, o.Qty)
	})
	var gaps []string
	var gapMu sync.Mutex
	sub.OnGap(func(channel string, gap int64) {
		gapMu.Lock()
		gaps = append(gaps, fmt.Sprintf("%s:%d", channel, gap))
		gapMu.Unlock()
	})

	publish(t, c, "orders", "order_placed", `{"id":"o-1","qty":2}`)
	publish(t, c, "orders", "note", `"hello"`)
	publish(t, c, "orders", "order_placed", `{"id":"o-2","qty":1}`)
	want := []string{
		"any order_placed #1", "aspect #1", "typed #1 o-1 x2", // registration order
		"any note #2",
		"any order_placed #3", "aspect #3", "typed #3 o-2 x1",
	}
	if got := rec.wait(t, len(want)); !reflect.DeepEqual(got, want) {
		t.Errorf("handlers saw\n%q\nwant\n%q", got, want)
	}

	// A payload the typed handler cannot decode reaches the error report
	// (here the standard logger) and not the handler.
	publish(t, c, "orders", "order_placed", `{"id":"o-3","qty":"many"}`)
	want = append(want, "any order_placed #4", "aspect #4")
	logged.waitFor(t, `does not decode into apitest_test.order`)
	if got := rec.wait(t, len(want)); !reflect.DeepEqual(got, want) {
		t.Errorf("after a bad payload handlers saw\n%q\nwant\n%q", got, want)
	}

	// The validator refuses a payload without "id" on publish.
	if err := c.Publish(ctx, "orders", envelope.Envelope{Aspect: "order_placed", Payload: json.RawMessage(`{"qty":1}`)}); err == nil {
		t.Error("publish of a payload the schema rejects succeeded")
	}

	// A publish lost on the way is a gap of 1 for producer checkout-1.
	tr.mu.Lock()
	tr.dropNext = true
	tr.mu.Unlock()
	publish(t, c, "orders", "note", `1`) // #5, dropped
	publish(t, c, "orders", "note", `2`) // #6
	want = append(want, "any note #6")
	rec.wait(t, len(want))
	gapMu.Lock()
	if !reflect.DeepEqual(gaps, []string{"orders:1"}) {
		t.Errorf("gaps %q, want [orders:1]", gaps)
	}
	gapMu.Unlock()

	// History: Since exclusive, Until inclusive, Limit the most recent.
	for _, tc := range []struct {
		opts client.HistoryOptions
		want []int64
	}{
		{client.HistoryOptions{}, []int64{1, 2, 3, 4, 6}},
		{client.HistoryOptions{Since: 1, Until: 3}, []int64{2, 3}},
		{client.HistoryOptions{Since: 3}, []int64{4, 6}},
		{client.HistoryOptions{Until: 2}, []int64{1, 2}},
		{client.HistoryOptions{Limit: 2}, []int64{4, 6}},
	} {
		h, err := c.History(ctx, "orders", tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := sub.History(ctx, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got, got2 := seqs(h), seqs(hs); !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(got2, tc.want) {
			t.Errorf("History(%+v) = %v (subscription: %v), want %v", tc.opts, got, got2, tc.want)
		}
	}

	// Presence: the memory transport lists its one subscriber; a transport
	// that has none says ErrNotImplemented.
	p, err := sub.Presence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || p[0].ClientID == "" {
		t.Errorf("presence %+v, want one entry", p)
	}
	tr.mu.Lock()
	tr.noPresence = true
	tr.mu.Unlock()
	if _, err := sub.Presence(ctx); !errors.Is(err, client.ErrNotImplemented) {
		t.Errorf("presence over a transport without it: %v, want ErrNotImplemented", err)
	}

	// Replay: WithFromSequence, a user-written option, and WithAspectFilter.
	replay := newRecorder()
	from, err := c.Subscribe(ctx, "orders", client.WithFromSequence(2), client.WithAspectFilter("note"))
	if err != nil {
		t.Fatal(err)
	}
	from.OnEnvelope(func(env envelope.Envelope) { replay.add("%s #%d", env.Aspect, env.Sequence) })
	if got, want := replay.wait(t, 1), []string{"note #6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("replay from 3 filtered to notes: %q, want %q", got, want)
	}
	own := newRecorder()
	mine, err := c.Subscribe(ctx, "orders", func(o *client.SubscribeOptions) { o.FromSequence = 3 })
	if err != nil {
		t.Fatal(err)
	}
	mine.OnEnvelope(func(env envelope.Envelope) { own.add("#%d", env.Sequence) })
	if got, want := own.wait(t, 2), []string{"#4", "#6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("replay with a user-written option: %q, want %q", got, want)
	}
	for _, s := range []*client.Subscription{from, mine} {
		if err := s.Unsubscribe(); err != nil {
			t.Fatal(err)
		}
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// Close stored the exact numbers through the user's snapshotter.
	if st, _ := snaps.Load(); st["orders"] != 6 {
		t.Errorf("snapshot after Close: %v, want orders:6", st)
	}
}

func seqs(envs []envelope.Envelope) []int64 {
	var out []int64
	for _, e := range envs {
		out = append(out, e.Sequence)
	}
	return out
}

// TestDocumentedDerivedCausation: PublishDerived from a documented handler
// (which gets no context from the runtime) derives from the envelope that
// handler handles, while another subscription is in the middle of handling
// its own. The handlers are ordered so that the other subscription's handler
// starts after this one and is still running when this one derives: an
// implementation that keeps one "current envelope" per client, or takes the
// latest dispatched one, fails every run.
func TestDocumentedDerivedCausation(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, client.WithTransport(client.NewMemoryTransport()), client.WithProducer(producer))
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()
	if err := c.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	a, err := c.Subscribe(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Subscribe(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	aIn, bIn, aDone, bDone := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	errs := make(chan error, 2)
	a.OnAspect("cause", func(env envelope.Envelope) {
		close(aIn)
		select { // b's handler is now running
		case <-bIn:
		case <-time.After(wait):
			errs <- errors.New("b's handler never started")
		}
		errs <- a.PublishDerived(ctx, "effect", []byte(`{"from":"a"}`))
		close(aDone)
	})
	b.OnAspect("cause", func(env envelope.Envelope) {
		close(bIn)
		select { // a derived while this handler ran
		case <-aDone:
		case <-time.After(wait):
			errs <- errors.New("a's handler never derived")
		}
		errs <- b.PublishDerived(ctx, "effect", []byte(`{"from":"b"}`))
		close(bDone)
	})
	// Two envelopes before the causes, so the channels' sequences differ
	// from the causes'.
	publish(t, c, "a", "warmup", `1`)
	publish(t, c, "a", "cause", `{}`) // a #2
	select {
	case <-aIn:
	case <-time.After(wait):
		t.Fatal("a's handler never started")
	}
	publish(t, c, "b", "cause", `{}`) // b #1, handled while a's handler waits
	for _, done := range []chan struct{}{aDone, bDone} {
		select {
		case <-done:
		case <-time.After(wait):
			t.Fatal("handlers did not finish")
		}
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for ch, want := range map[string]envelope.Causation{
		"a": {ParentChannel: "a", ParentSequence: 2, ParentProducer: producer.ID},
		"b": {ParentChannel: "b", ParentSequence: 1, ParentProducer: producer.ID},
	} {
		h, err := c.History(ctx, ch, client.HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		effect := h[len(h)-1]
		if effect.Aspect != "effect" || effect.Causation == nil || *effect.Causation != want {
			t.Errorf("derived envelope on %s: %s with causation %+v, want %+v", ch, effect.Aspect, effect.Causation, want)
		}
	}
	// Outside a handler there is nothing to derive from.
	idle, err := c.Subscribe(ctx, "idle")
	if err != nil {
		t.Fatal(err)
	}
	if err := idle.PublishDerived(ctx, "effect", nil); err == nil {
		t.Error("PublishDerived outside a handler succeeded")
	}
}

// TestDocumentedLateHandlers: handlers registered one after the other each
// receive every envelope, even when the first one has already handled them
// all before the next is registered (the test waits for that).
func TestDocumentedLateHandlers(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, client.WithTransport(client.NewMemoryTransport()), client.WithProducer(producer))
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()
	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		publish(t, c, "orders", "order_placed", `{"id":"o","qty":1}`)
	}
	first, second, third := newRecorder(), newRecorder(), newRecorder()
	sub.OnEnvelope(func(env envelope.Envelope) { first.add("#%d", env.Sequence) })
	want := []string{"#1", "#2", "#3"}
	if got := first.wait(t, 3); !reflect.DeepEqual(got, want) {
		t.Fatalf("first handler: %q, want %q", got, want)
	}
	// Every envelope was dispatched before these exist.
	sub.OnAspect("order_placed", func(env envelope.Envelope) { second.add("#%d", env.Sequence) })
	client.OnAspectTyped(sub, "order_placed", func(o order, env envelope.Envelope) { third.add("#%d", env.Sequence) })
	publish(t, c, "orders", "order_placed", `{"id":"o","qty":1}`)
	want = append(want, "#4")
	for name, r := range map[string]*recorder{"first": first, "second": second, "third": third} {
		if got := r.wait(t, 4); !reflect.DeepEqual(got, want) {
			t.Errorf("%s handler: %q, want %q", name, got, want)
		}
	}
}

// TestDocumentedSnapshotRoundTrip: a FileSnapshotter keeps the numbering
// across a restart of the publishing client.
func TestDocumentedSnapshotRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seq.json")
	broker := client.NewMemoryTransport()
	run := func(n int) {
		snap := client.NewFileSnapshotter(path).WithFileIO(nil)
		if snap.Path != path {
			t.Fatalf("Path = %q, want %q", snap.Path, path)
		}
		c := newClient(t, client.WithTransport(broker), client.WithProducer(producer), client.WithSnapshotter(snap))
		if err := c.Connect(ctx, ""); err != nil {
			t.Fatal(err)
		}
		for range n {
			publish(t, c, "orders", "note", `1`)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	run(3)
	st, err := client.NewFileSnapshotter(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if st["orders"] != 3 {
		t.Fatalf("snapshot %v, want orders:3", st)
	}
	run(2)
	// Close closed the broker's transport; Connect opens it again.
	if err := broker.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	raw, err := broker.History(ctx, "orders", client.HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range raw {
		var env envelope.Envelope
		if err := json.Unmarshal(r, &env); err != nil {
			t.Fatal(err)
		}
		got = append(got, env.Sequence)
	}
	if want := []int64{1, 2, 3, 4, 5}; !reflect.DeepEqual(got, want) {
		t.Errorf("sequences across the restart %v, want %v", got, want)
	}
	snap := client.NewFileSnapshotter(path)
	if err := snap.Save(map[string]int64{"x": 7}); err != nil {
		t.Fatal(err)
	}
	if st, err := snap.Load(); err != nil || !reflect.DeepEqual(st, map[string]int64{"x": 7}) {
		t.Errorf("Load after Save: %v %v", st, err)
	}
}

// TestDocumentedMemoryTransport: publish and subscribe work without
// Connect; FromSequence replays the history above that position.
func TestDocumentedMemoryTransport(t *testing.T) {
	ctx := context.Background()
	m := client.NewMemoryTransport()
	for i := 1; i <= 3; i++ {
		if err := m.Publish(ctx, "c", []byte(fmt.Sprint(i))); err != nil {
			t.Fatalf("publish without Connect: %v", err)
		}
	}
	out, cancel, err := m.Subscribe(ctx, "c", client.SubscribeOptions{FromSequence: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 2 {
		select {
		case b := <-out:
			got = append(got, string(b))
		case <-time.After(wait):
			t.Fatal("replay did not arrive")
		}
	}
	if want := []string{"2", "3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("replay from 2: %q, want %q", got, want)
	}
	cancel()
	if err := m.Connect(ctx, "ignored"); err != nil {
		t.Fatal(err)
	}
	if p, err := m.Presence(ctx, "c"); err != nil || len(p) != 0 {
		t.Errorf("presence after cancel: %v %v", p, err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}
