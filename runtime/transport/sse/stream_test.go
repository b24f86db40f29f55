package sse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parsec-gen/parsec-gen/runtime/client"
)

// fakeServer is a scripted uni_sse endpoint: script runs once per connection
// with the connection's index and decoded connect request; the stream ends
// when script returns.
type fakeServer struct {
	t      *testing.T
	srv    *httptest.Server
	script func(n int, req connectRequest, w *sseWriter)
	mu     sync.Mutex
	reqs   []connectRequest
	// history, when set, answers /api/history.
	history  func(req historyRequest) historyResponse
	histReqs []historyRequest
}

// historyRequests returns the /api/history requests received so far.
func (f *fakeServer) historyRequests() []historyRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]historyRequest(nil), f.histReqs...)
}

// setHistory makes the server answer /api/history with h.
func (f *fakeServer) setHistory(h func(req historyRequest) historyResponse) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history = h
}

func (f *fakeServer) serveHistory(w http.ResponseWriter, r *http.Request) {
	var req historyRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad history request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	h := f.history
	f.histReqs = append(f.histReqs, req)
	f.mu.Unlock()
	if h == nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	b, err := json.Marshal(h(req))
	if err != nil {
		panic(err)
	}
	// A write error means the client went away.
	_, _ = w.Write(b) // see above
}

type sseWriter struct {
	w   http.ResponseWriter
	ctx context.Context
}

func (w *sseWriter) raw(s string) {
	// Write errors mean the client went away; the script ends soon after.
	_, _ = w.w.Write([]byte(s)) // see above
	w.w.(http.Flusher).Flush()
}

func (w *sseWriter) frame(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.raw("data: " + string(b) + "\n\n")
}

func (w *sseWriter) connect(channel string, res subscribeResult, ping uint32) {
	w.frame(push{Connect: &connectPush{Client: "c1", Subs: map[string]subscribeResult{channel: res}, Ping: ping}})
}

func (w *sseWriter) pub(channel string, offset uint64) {
	w.frame(push{Channel: channel, Pub: &publication{Data: payload(offset), Offset: offset}})
}

// hold keeps the stream open until the client goes away.
func (w *sseWriter) hold() { <-w.ctx.Done() }

func payload(i uint64) json.RawMessage { return json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)) }

func newFakeServer(t *testing.T, script func(n int, req connectRequest, w *sseWriter)) *fakeServer {
	f := &fakeServer{t: t, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == DefaultAPIPath+"/history" && r.Method == http.MethodPost {
			f.serveHistory(w, r)
			return
		}
		if r.URL.Path != DefaultSSEPath || r.Method != http.MethodPost {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		var req connectRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad connect request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, req)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		sw := &sseWriter{w: w, ctx: r.Context()}
		sw.raw("\r\n")
		f.script(n, req, sw)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) requests() []connectRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]connectRequest(nil), f.reqs...)
}

// events records stream events for assertions.
type events struct {
	mu  sync.Mutex
	evs []client.StreamEvent
	ch  chan struct{}
}

func newEvents() *events { return &events{ch: make(chan struct{}, 1)} }

func (e *events) on(ev client.StreamEvent) {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
	default:
	}
}

func (e *events) all() []client.StreamEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]client.StreamEvent(nil), e.evs...)
}

func (e *events) kinds() []client.StreamEventKind {
	var out []client.StreamEventKind
	for _, ev := range e.all() {
		out = append(out, ev.Kind)
	}
	return out
}

// waitFor waits until an event of kind has been seen n times.
func (e *events) waitFor(t *testing.T, kind client.StreamEventKind, n int) []client.StreamEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		var got []client.StreamEvent
		for _, ev := range e.all() {
			if ev.Kind == kind {
				got = append(got, ev)
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-e.ch:
		case <-deadline:
			t.Fatalf("waited 5s for %d events of kind %d; saw %v", n, kind, e.kinds())
		}
	}
}

func newTestTransport(t *testing.T, url string, mod func(*Config)) *Transport {
	t.Helper()
	cfg := Config{URL: url, ReconnectDelayMin: time.Millisecond, ReconnectDelayMax: 5 * time.Millisecond, ConnectTimeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Error(err)
		}
	})
	return tr
}

// receive reads n payload offsets from out within a bounded time.
func receive(t *testing.T, out <-chan []byte, n int) []uint64 {
	t.Helper()
	var got []uint64
	deadline := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case b, ok := <-out:
			if !ok {
				t.Fatalf("channel closed after %v", got)
			}
			var p struct{ I uint64 }
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatalf("payload %q: %v", b, err)
			}
			got = append(got, p.I)
		case <-deadline:
			t.Fatalf("waited 5s for %d publications, got %v", n, got)
		}
	}
	return got
}

func seq(from, to uint64) []uint64 {
	var out []uint64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func subscribe(t *testing.T, tr *Transport, ch string, opts client.SubscribeOptions) (<-chan []byte, func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, stop, err := tr.Subscribe(ctx, ch, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return out, stop
}

func TestResumeDedupesAtBoundary(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch n {
		case 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1"}, 25)
			for i := uint64(1); i <= 3; i++ {
				w.pub(ch, i)
			}
			w.frame(push{Disconnect: &disconnectPush{Code: 3001, Reason: "shutdown"}})
		case 1:
			// Recovery returns publications the client already has (2, 3)
			// plus the missed one; live ones overlap again.
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Recovered: true, WasRecovering: true,
				Offset: 3, Publications: []*publication{{Data: payload(2), Offset: 2}, {Data: payload(3), Offset: 3}, {Data: payload(4), Offset: 4}}}, 25)
			w.pub(ch, 4)
			w.pub(ch, 5)
			w.hold()
		}
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, nil)
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	if got := receive(t, out, 5); !cmp.Equal(got, seq(1, 5)) {
		t.Fatalf("publications = %v, want 1..5 once each", got)
	}
	select {
	case b := <-out:
		t.Fatalf("unexpected extra publication %s", b)
	case <-time.After(50 * time.Millisecond):
	}
	reqs := f.requests()
	if diff := cmp.Diff(subscribeRequest{Recover: true, Epoch: "e1", Offset: 3}, reqs[1].Subs[ch]); diff != "" {
		t.Errorf("resume request (-want +got):\n%s", diff)
	}
	rec := ev.waitFor(t, client.EventRecovered, 1)
	if rec[0].Position != (client.StreamPosition{Offset: 4, Epoch: "e1"}) {
		t.Errorf("recovered position = %+v, want offset 4 epoch e1", rec[0].Position)
	}
	if sub := ev.waitFor(t, client.EventSubscribed, 2); sub[1].Position != (client.StreamPosition{Offset: 3, Epoch: "e1"}) {
		t.Errorf("resubscribed position = %+v, want e1/3: the recovered publications follow it", sub[1].Position)
	}
	var dis *DisconnectError
	if d := ev.waitFor(t, client.EventDisconnected, 1); !errors.As(d[0].Err, &dis) || dis.Code != 3001 || !dis.Reconnect {
		t.Errorf("disconnect event error = %v, want DisconnectError 3001 with reconnect", d[0].Err)
	}
	if k := ev.kinds(); !cmp.Equal(k, []client.StreamEventKind{client.EventSubscribed, client.EventDisconnected, client.EventSubscribed, client.EventRecovered}) {
		t.Errorf("event kinds = %v", k)
	}
}

func TestUnrecoverableReportsMissedAndGoesOn(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch n {
		case 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 2}, 25)
			w.pub(ch, 3)
		case 1:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 10, WasRecovering: true}, 25)
			w.pub(ch, 11)
		case 2:
			// Server restarted: new epoch, offsets start over.
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e2", Offset: 0, WasRecovering: true}, 25)
			w.pub(ch, 1)
		default:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e2", Offset: 1, Recovered: true, WasRecovering: true}, 25)
			w.pub(ch, 2)
			w.hold()
		}
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, nil)
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	if got := receive(t, out, 4); !cmp.Equal(got, []uint64{3, 11, 1, 2}) {
		t.Fatalf("publications = %v, want [3 11 1 2]", got)
	}
	un := ev.waitFor(t, client.EventUnrecoverable, 2)
	if un[0].Missed != 7 || un[0].Position != (client.StreamPosition{Offset: 10, Epoch: "e1"}) {
		t.Errorf("first unrecoverable = %+v, want 7 missed at e1/10", un[0])
	}
	if un[1].Missed != -1 || un[1].Position.Epoch != "e2" {
		t.Errorf("epoch change unrecoverable = %+v, want -1 missed at epoch e2", un[1])
	}
	reqs := f.requests()
	want := []subscribeRequest{{}, {Recover: true, Epoch: "e1", Offset: 3}, {Recover: true, Epoch: "e1", Offset: 11}, {Recover: true, Epoch: "e2", Offset: 1}}
	var got []subscribeRequest
	for _, r := range reqs[:4] {
		got = append(got, r.Subs[ch])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("subscribe requests (-want +got): the stale epoch must never be reused\n%s", diff)
	}
}

func TestPingTimeoutReconnects(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: uint64(n), Recovered: n > 0}, 1)
		w.pub(ch, uint64(n+1))
		// Silence without closing: a blackholed connection.
		w.hold()
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.PingTimeout = 200 * time.Millisecond })
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	start := time.Now()
	if got := receive(t, out, 2); !cmp.Equal(got, []uint64{1, 2}) {
		t.Fatalf("publications = %v, want [1 2]", got)
	}
	d := ev.waitFor(t, client.EventDisconnected, 1)
	if !errors.Is(d[0].Err, ErrPingTimeout) {
		t.Errorf("disconnect error = %v, want ErrPingTimeout", d[0].Err)
	}
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Errorf("reconnected after %v, before the ping timeout", el)
	}
}

func TestPingTimeoutDerivedFromServer(t *testing.T) {
	tr := newTestTransport(t, "http://127.0.0.1:1", func(c *Config) { c.MaxPingDelay = 3 * time.Second })
	s := newStream(tr, "c", client.SubscribeOptions{})
	if got := s.pingTimeout(25); got != 28*time.Second {
		t.Errorf("pingTimeout(25) = %v, want 28s", got)
	}
	if got := s.pingTimeout(0); got != 0 {
		t.Errorf("pingTimeout(0) = %v, want 0 (server pings disabled)", got)
	}
}

func TestBadFramesReportedStreamSurvives(t *testing.T) {
	const ch = "parsec:a"
	big := strings.Repeat("z", 2048)
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch n {
		case 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1"}, 25)
			w.pub(ch, 1)
			w.raw("data: {not json\n\n")
			w.pub(ch, 2)
			w.raw(`data: {"channel":"parsec:a","pub":{"data":"` + big + `","offset":3}}` + "\n\n")
			w.pub(ch, 4) // the hole at 3 is the reported oversized frame
			w.raw(`data: {"channel":"parsec:a","pub":{"data":{"i":5},"offs`)
			// The cut frame must not be delivered; the connection ends here.
		default:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 4, Recovered: true,
				Publications: []*publication{{Data: payload(5), Offset: 5}}}, 25)
			w.hold()
		}
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.MaxFrameSize = 1024 })
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	if got := receive(t, out, 4); !cmp.Equal(got, []uint64{1, 2, 4, 5}) {
		t.Fatalf("publications = %v, want [1 2 4 5]", got)
	}
	errs := ev.waitFor(t, client.EventError, 2)
	if string(errs[0].Data) != "{not json" {
		t.Errorf("malformed frame event data = %q", errs[0].Data)
	}
	var tooBig *FrameTooLargeError
	if !errors.As(errs[1].Err, &tooBig) || tooBig.Limit != 1024 {
		t.Errorf("second error = %v, want FrameTooLargeError with limit 1024", errs[1].Err)
	}
	if len(f.requests()) != 2 {
		t.Errorf("connections = %d, want 2: bad frames must not cost a reconnect, only the cut stream", len(f.requests()))
	}
	if got := f.requests()[1].Subs[ch]; got.Offset != 4 {
		t.Errorf("resume offset = %d, want 4 (the cut publication 5 was not delivered)", got.Offset)
	}
}

func TestLiveHoleResumes(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch n {
		case 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1"}, 25)
			w.pub(ch, 1)
			w.pub(ch, 3) // 2 went missing in transit
			w.hold()
		default:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 1, Recovered: true,
				Publications: []*publication{{Data: payload(2), Offset: 2}, {Data: payload(3), Offset: 3}}}, 25)
			w.hold()
		}
	})
	tr := newTestTransport(t, f.srv.URL, nil)
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{})
	if got := receive(t, out, 3); !cmp.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("publications = %v, want [1 2 3]", got)
	}
	if got := f.requests()[1].Subs[ch]; got != (subscribeRequest{Recover: true, Epoch: "e1", Offset: 1}) {
		t.Errorf("resume request = %+v, want recover from e1/1", got)
	}
}

func TestTerminalDisconnectEndsSubscription(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		w.connect(ch, subscribeResult{Epoch: "e1", Positioned: true}, 25)
		w.frame(push{Disconnect: &disconnectPush{Code: 3503, Reason: "force disconnect"}})
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, nil)
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	select {
	case _, ok := <-out:
		if ok {
			t.Fatal("unexpected publication")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after a terminal disconnect")
	}
	d := ev.waitFor(t, client.EventDisconnected, 1)
	var dis *DisconnectError
	if !errors.As(d[0].Err, &dis) || dis.Reconnect {
		t.Errorf("event error = %v, want a DisconnectError without reconnect", d[0].Err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("connections = %d, want 1", n)
	}
}

func TestSubscribeFailures(t *testing.T) {
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		if req.Token == "bad" {
			w.frame(push{Disconnect: &disconnectPush{Code: 3500, Reason: "invalid token"}})
			return
		}
		// Subscribed to nothing: the token does not allow the channel.
		w.frame(push{Connect: &connectPush{Client: "c1"}})
		w.hold()
	})
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"invalid token", "bad", "invalid token"},
		{"channel not allowed", "ok", `server did not subscribe the stream to channel "parsec:a"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestTransport(t, f.srv.URL, func(c *Config) {
				c.Token = func(context.Context, string) (string, error) { return tc.token, nil }
			})
			_, _, err := tr.Subscribe(context.Background(), "parsec:a", client.SubscribeOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Subscribe error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	t.Run("http status", func(t *testing.T) {
		tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.SSEPath = "/nope" })
		_, _, err := tr.Subscribe(context.Background(), "parsec:a", client.SubscribeOptions{})
		if err == nil || !strings.Contains(err.Error(), "http status 404") {
			t.Fatalf("Subscribe error = %v, want http status 404", err)
		}
	})
	t.Run("not an event stream", func(t *testing.T) {
		html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>login</html>")
		}))
		t.Cleanup(html.Close)
		tr := newTestTransport(t, html.URL, nil)
		_, _, err := tr.Subscribe(context.Background(), "parsec:a", client.SubscribeOptions{})
		if err == nil || !strings.Contains(err.Error(), `content type "text/html"`) {
			t.Fatalf("Subscribe error = %v, want the content type named", err)
		}
	})
	t.Run("token error", func(t *testing.T) {
		tr := newTestTransport(t, f.srv.URL, func(c *Config) {
			c.Token = func(context.Context, string) (string, error) { return "", errors.New("vault sealed") }
		})
		_, _, err := tr.Subscribe(context.Background(), "parsec:a", client.SubscribeOptions{})
		if err == nil || !strings.Contains(err.Error(), "vault sealed") {
			t.Fatalf("Subscribe error = %v, want the token error", err)
		}
	})
}

func TestConnectTimeout(t *testing.T) {
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) { w.hold() })
	tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.ConnectTimeout = 100 * time.Millisecond })
	_, _, err := tr.Subscribe(context.Background(), "parsec:a", client.SubscribeOptions{})
	if err == nil || !strings.Contains(err.Error(), "no connect frame within 100ms") {
		t.Fatalf("Subscribe error = %v, want a connect timeout", err)
	}
}

func TestFromSequenceAndSinceRequests(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 9, WasRecovering: true}, 25)
		w.hold()
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, nil)
	subscribe(t, tr, ch, client.SubscribeOptions{FromSequence: 4, OnEvent: ev.on})
	subscribe(t, tr, ch, client.SubscribeOptions{Since: &client.StreamPosition{Offset: 7, Epoch: "e1"}})
	reqs := f.requests()
	if got := reqs[0].Subs[ch]; got != (subscribeRequest{Recover: true, Offset: 4}) {
		t.Errorf("FromSequence 4 request = %+v, want recover after offset 4 in any epoch", got)
	}
	if got := reqs[1].Subs[ch]; got != (subscribeRequest{Recover: true, Offset: 7, Epoch: "e1"}) {
		t.Errorf("Since request = %+v, want recover after e1/7", got)
	}
	// The server could not replay 5..9: five publications are lost.
	if un := ev.waitFor(t, client.EventUnrecoverable, 1); un[0].Missed != 5 {
		t.Errorf("missed = %d, want 5", un[0].Missed)
	}
}

func TestSlowConsumerCancelAndClose(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1"}, 25)
		for i := uint64(1); i <= 50; i++ {
			w.pub(ch, i)
		}
		w.hold()
	})
	tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.Buffer = 2 })
	out, cancel := subscribe(t, tr, ch, client.SubscribeOptions{})
	if got := receive(t, out, 3); !cmp.Equal(got, seq(1, 3)) {
		t.Fatalf("publications = %v", got)
	}
	// The stream is now blocked on the full channel; cancel must still end it.
	cancel()
	cancel() // idempotent
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-out:
			if !ok {
				goto closed
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
closed:
	out2, _ := subscribe(t, tr, ch, client.SubscribeOptions{})
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	// Close waited for the stream: the channel is closed now, after at most
	// the buffered publications.
	n := 0
	for range out2 {
		n++
	}
	if n > 2 {
		t.Errorf("drained %d publications after Close, want at most the buffer (2)", n)
	}
	if _, _, err := tr.Subscribe(context.Background(), ch, client.SubscribeOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if err := tr.Publish(context.Background(), ch, []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing url", Config{}, "URL is required"},
		{"bad scheme", Config{URL: "ws://x"}, "scheme must be http or https"},
		{"no host", Config{URL: "http://"}, "host is missing"},
		{"client timeout", Config{URL: "http://x", HTTPClient: &http.Client{Timeout: time.Second}}, "Timeout must be zero"},
		{"negative duration", Config{URL: "http://x", PingTimeout: -1}, "PingTimeout is -1ns"},
		{"negative buffer", Config{URL: "http://x", Buffer: -1}, "must be >= 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestUnencodablePublicationSkipsRecovery(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch {
		case n == 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1"}, 25)
			w.pub(ch, 1)
			// Publication 2 is binary: Centrifugo cannot send it to a JSON client.
			w.frame(push{Disconnect: &disconnectPush{Code: 3506, Reason: "inappropriate protocol"}})
		case req.Subs[ch].Recover:
			// The replay holds publication 2 again.
			w.frame(push{Disconnect: &disconnectPush{Code: 3506, Reason: "inappropriate protocol"}})
		default:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 3}, 25)
			w.pub(ch, 4)
			w.hold()
		}
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, nil)
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	if got := receive(t, out, 2); !cmp.Equal(got, []uint64{1, 4}) {
		t.Fatalf("publications = %v, want [1 4]", got)
	}
	un := ev.waitFor(t, client.EventUnrecoverable, 1)
	if un[0].Missed != 2 {
		t.Errorf("missed = %d, want 2 (the binary publication and the one after it)", un[0].Missed)
	}
	reqs := f.requests()
	if len(reqs) != 3 || !reqs[1].Subs[ch].Recover || reqs[2].Subs[ch].Recover {
		t.Errorf("requests = %+v, want a recovering attempt then one without recovery", reqs)
	}
}

// sseGoroutines counts goroutines running this package's code, other than
// the test's own.
func sseGoroutines() (int, string) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	var dump strings.Builder
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "transport/sse.") && !strings.Contains(g, "transport/sse.Test") && !strings.Contains(g, "sse.sseGoroutines") {
			n++
			dump.WriteString(g + "\n\n")
		}
	}
	return n, dump.String()
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1"}, 1)
		for i := uint64(1); i <= 20; i++ {
			w.pub(ch, i)
		}
		w.hold()
	})
	tr, err := New(Config{URL: f.srv.URL, Buffer: 1, PingTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := tr.Subscribe(context.Background(), ch, client.SubscribeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Nobody reads: every stream is blocked on its full channel.
	if n, _ := sseGoroutines(); n < 3 {
		t.Fatalf("%d stream goroutines before Close, want at least 3", n)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, dump := sseGoroutines()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after Close:\n%s", n, dump)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestBackoffBounds(t *testing.T) {
	tr := newTestTransport(t, "http://127.0.0.1:1", func(c *Config) {
		c.ReconnectDelayMin, c.ReconnectDelayMax = 100*time.Millisecond, 2*time.Second
	})
	tests := []struct {
		attempt int
		ceiling time.Duration
	}{
		{0, 100 * time.Millisecond}, {1, 200 * time.Millisecond}, {3, 800 * time.Millisecond},
		{4, 1600 * time.Millisecond}, {5, 2 * time.Second},
		{1000, 2 * time.Second}, // far past the cap: no shift overflow
	}
	for _, tc := range tests {
		for range 50 {
			if d := tr.backoff(tc.attempt); d < tc.ceiling/2 || d > tc.ceiling {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tc.attempt, d, tc.ceiling/2, tc.ceiling)
			}
		}
	}
}

func TestServerUnsubscribe(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch n {
		case 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1"}, 25)
			w.pub(ch, 1)
			// 2500 and above: resubscribe (here: insufficient state).
			w.frame(push{Channel: ch, Unsubscribe: &unsubscribePush{Code: 2500, Reason: "insufficient state"}})
		case 1:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 1, Recovered: true,
				Publications: []*publication{{Data: payload(2), Offset: 2}}}, 25)
			// Another channel's unsubscribe is not ours.
			w.frame(push{Channel: "parsec:other", Unsubscribe: &unsubscribePush{Code: 2000}})
			w.pub(ch, 3)
			// Below 2500: unsubscribed for good.
			w.frame(push{Channel: ch, Unsubscribe: &unsubscribePush{Code: 2000, Reason: "server unsubscribe"}})
			w.hold()
		}
	})
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, nil)
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	var got []uint64
	for b := range out {
		var p struct{ I uint64 }
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		got = append(got, p.I)
	}
	if !cmp.Equal(got, seq(1, 3)) {
		t.Errorf("publications = %v, want 1..3 then the end of the channel", got)
	}
	d := ev.waitFor(t, client.EventDisconnected, 2)
	var u *UnsubscribedError
	if !errors.As(d[0].Err, &u) || !u.Resubscribe || u.Code != 2500 {
		t.Errorf("first end = %v, want a resubscribe (2500)", d[0].Err)
	}
	if !errors.As(d[1].Err, &u) || u.Resubscribe || u.Code != 2000 {
		t.Errorf("second end = %v, want a final unsubscribe (2000)", d[1].Err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
}

// historyOf answers a history request from the publications from..to of
// epoch, keeping those after the request's since offset.
func historyOf(epoch string, from, to uint64) func(historyRequest) historyResponse {
	return func(req historyRequest) historyResponse {
		var resp historyResponse
		resp.Result = &struct {
			Publications []*publication `json:"publications"`
			Epoch        string         `json:"epoch"`
			Offset       uint64         `json:"offset"`
		}{Epoch: epoch, Offset: to}
		for off := from; off <= to; off++ {
			if req.Since == nil || off > req.Since.Offset {
				resp.Result.Publications = append(resp.Result.Publications, &publication{Data: payload(off), Offset: off})
			}
		}
		return resp
	}
}

// A refused recovery in the same epoch: what history still holds is
// delivered once (the live publication that history also returned is not
// delivered twice), and exactly the offsets history lost are reported.
func TestUnrecoverableRefillsFromHistory(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch n {
		case 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 2}, 25)
			w.pub(ch, 3)
		default:
			// History kept 6..11; 4 and 5 are gone.
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 10, WasRecovering: true}, 25)
			w.pub(ch, 11)
			w.pub(ch, 12)
			w.hold()
		}
	})
	f.setHistory(historyOf("e1", 6, 11))
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.APIKey = "k" })
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	if got := receive(t, out, 8); !cmp.Equal(got, []uint64{3, 6, 7, 8, 9, 10, 11, 12}) {
		t.Fatalf("publications = %v, want 3 then 6..12 once each", got)
	}
	un := ev.waitFor(t, client.EventUnrecoverable, 1)
	if un[0].Missed != 2 || un[0].Position != (client.StreamPosition{Offset: 5, Epoch: "e1"}) {
		t.Errorf("unrecoverable = %+v, want 2 missed, resuming after e1/5", un[0])
	}
	subs := ev.waitFor(t, client.EventSubscribed, 2)
	if subs[1].Position != (client.StreamPosition{Offset: 5, Epoch: "e1"}) {
		t.Errorf("second subscribed = %+v, want the position before the refill (e1/5)", subs[1])
	}
	hr := f.historyRequests()
	if len(hr) != 1 || hr[0].Since == nil || *hr[0].Since != (streamPosition{Offset: 3, Epoch: "e1"}) || hr[0].Limit != -1 {
		t.Errorf("history requests = %+v, want one for everything after e1/3", hr)
	}
	if n := len(ev.waitFor(t, client.EventUnrecoverable, 1)); n != 1 {
		t.Errorf("%d unrecoverable reports, want 1", n)
	}
}

// After an epoch change the new epoch's history is delivered from its
// oldest publication; the old epoch's tail is reported as unknown (-1).
func TestEpochChangeRefillsNewEpoch(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		switch n {
		case 0:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e1", Offset: 2}, 25)
			w.pub(ch, 3)
		default:
			w.connect(ch, subscribeResult{Recoverable: true, Positioned: true, Epoch: "e2", Offset: 4, WasRecovering: true}, 25)
			w.pub(ch, 5)
			w.hold()
		}
	})
	f.setHistory(historyOf("e2", 1, 4))
	ev := newEvents()
	tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.APIKey = "k" })
	out, _ := subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	if got := receive(t, out, 6); !cmp.Equal(got, []uint64{3, 1, 2, 3, 4, 5}) {
		t.Fatalf("publications = %v, want 3 then the new epoch's 1..5", got)
	}
	un := ev.waitFor(t, client.EventUnrecoverable, 1)
	if un[0].Missed != -1 || un[0].Position != (client.StreamPosition{Offset: 0, Epoch: "e2"}) {
		t.Errorf("unrecoverable = %+v, want -1 missed, resuming at the start of e2", un[0])
	}
	hr := f.historyRequests()
	if len(hr) != 1 || hr[0].Since != nil {
		t.Errorf("history requests = %+v, want one for the whole new epoch", hr)
	}
}

// TestConnectToken: the token passed to Connect is the streams' connection
// token, unless Config.Token is set, which wins.
func TestConnectToken(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		w.connect(ch, subscribeResult{}, 25)
		w.hold()
	})
	for _, tc := range []struct {
		name, connect, configured, want string
	}{
		{"from Connect", "from-connect", "", "from-connect"},
		{"configured wins", "from-connect", "configured", "configured"},
		{"none", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestTransport(t, f.srv.URL, func(c *Config) {
				if tc.configured != "" {
					c.Token = func(context.Context, string) (string, error) { return tc.configured, nil }
				}
			})
			if err := tr.Connect(context.Background(), tc.connect); err != nil {
				t.Fatal(err)
			}
			before := len(f.requests())
			subscribe(t, tr, ch, client.SubscribeOptions{})
			reqs := f.requests()
			if len(reqs) != before+1 || reqs[before].Token != tc.want {
				t.Errorf("connect request token %q, want %q", reqs[len(reqs)-1].Token, tc.want)
			}
		})
	}
}

// TestLoggerReportsLostStream: Config.Logger gets a Warn record for a lost
// stream.
func TestLoggerReportsLostStream(t *testing.T) {
	const ch = "parsec:a"
	f := newFakeServer(t, func(n int, req connectRequest, w *sseWriter) {
		w.connect(ch, subscribeResult{}, 25)
		if n == 0 {
			w.frame(push{Disconnect: &disconnectPush{Code: 3001, Reason: "shutdown"}})
			return
		}
		w.hold()
	})
	var buf lockedBuffer
	tr := newTestTransport(t, f.srv.URL, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&buf, nil)) })
	ev := newEvents()
	subscribe(t, tr, ch, client.SubscribeOptions{OnEvent: ev.on})
	ev.waitFor(t, client.EventDisconnected, 1)
	// The record follows the event.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(buf.String(), "stream lost") && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if got := buf.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "sse: stream lost") || !strings.Contains(got, "channel=parsec:a") {
		t.Errorf("log %q, want a Warn record naming the channel", got)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
