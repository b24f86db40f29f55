package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
	"github.com/parsec-gen/parsec-gen/runtime/transport/sse"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
	"github.com/parsec-gen/parsec-gen/server/interop/notes"
)

// target is a server both sides connect to.
type target struct {
	wsURL   string
	httpURL string
	apiKey  string
	// token mints a connection token for user with connection info.
	token func(t *testing.T, user, info string) string
	// disconnect forces every connection of user off with a reconnect advice.
	disconnect func(ctx context.Context, user string) error
}

func embedded(t *testing.T) target {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := server.Start(ctx, server.Config{})
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
	return target{
		wsURL: srv.URL(), httpURL: srv.HTTPURL(), apiKey: srv.APIKey(),
		token: func(t *testing.T, user, info string) string {
			tok, err := srv.TokenWithClaims(server.TokenClaims{User: user, ExpiresAt: time.Now().Add(time.Hour), Info: []byte(info)})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		},
		disconnect: func(_ context.Context, user string) error { return srv.Disconnect(user, true) },
	}
}

func centrifugo(t *testing.T) target {
	c := centrifugotest.Start(t, centrifugotest.Options{})
	return target{
		wsURL: "ws://" + c.Addr + "/connection/websocket", httpURL: c.URL, apiKey: c.APIKey,
		token: func(_ *testing.T, user, info string) string {
			return c.Token(centrifugotest.Claims{Sub: user, Info: json.RawMessage(info)})
		},
		disconnect: func(ctx context.Context, user string) error { return c.DisconnectUser(ctx, user, 0, "interop") },
	}
}

// eachServer runs f against the embedded server and against Centrifugo and
// returns what each run reported, by server name, for comparison.
func eachServer(t *testing.T, f func(t *testing.T, tg target) any) map[string]any {
	out := map[string]any{}
	for _, s := range []struct {
		name  string
		start func(*testing.T) target
	}{{"embedded", embedded}, {"centrifugo", centrifugo}} {
		var got any
		if t.Run(s.name, func(t *testing.T) { got = f(t, s.start(t)) }) {
			out[s.name] = got
		}
	}
	return out
}

// sameOnBoth fails unless both servers reported the same.
func sameOnBoth(t *testing.T, what string, got map[string]any) {
	t.Helper()
	if len(got) != 2 {
		return // a server's run failed and said why
	}
	if diff := cmp.Diff(got["embedded"], got["centrifugo"]); diff != "" {
		t.Errorf("%s differs between the servers (-embedded +centrifugo):\n%s", what, diff)
	}
}

// goClient is a runtime client with the typed notes client over a transport.
type goClient struct {
	*notes.Client
	rc   *client.Client
	errs *errLog
}

type errLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errLog) add(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.errs)
}

func newGoClient(t *testing.T, tr client.Transport, producer string) *goClient {
	t.Helper()
	strict, err := notes.NewValidator(schema.ModeStrict)
	if err != nil {
		t.Fatal(err)
	}
	errs := new(errLog)
	rc, err := client.New(client.WithTransport(tr), client.WithValidator(strict), client.WithErrorHandler(errs.add),
		client.WithProducer(envelope.Producer{ID: producer, Kind: envelope.ProducerService}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	if err := rc.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rc.Close(); err != nil {
			t.Errorf("close %s: %v", producer, err)
		}
	})
	return &goClient{Client: notes.NewClient(rc), rc: rc, errs: errs}
}

// publish publishes msg with the typed client and returns the envelope's
// bytes as the client encoded them.
func (c *goClient) publish(ctx context.Context, t *testing.T, channel string, msg *notes.NotePosted) string {
	t.Helper()
	env, err := c.PublishNotePosted(ctx, channel, msg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := envelope.Encode(env)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wsClient(t *testing.T, tg target, user, info string) *goClient {
	t.Helper()
	tr, err := ws.New(tg.wsURL, ws.WithToken(tg.token(t, user, info)), ws.WithReconnectDelay(100*time.Millisecond, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return newGoClient(t, tr, user)
}

func sseClient(t *testing.T, tg target, user string) *goClient {
	t.Helper()
	tr, err := sse.New(sse.Config{URL: tg.httpURL, APIKey: tg.apiKey})
	if err != nil {
		t.Fatal(err)
	}
	return newGoClient(t, tr, user)
}

func jsPeer(t *testing.T, tg target, user, info, channel string) *peer {
	t.Helper()
	p := startPeer(t)
	p.call("connect", map[string]any{"url": tg.wsURL, "token": tg.token(t, user, info)})
	p.waitFor("connected", isEv("connected", ""))
	p.call("subscribe", map[string]any{"channel": channel})
	p.waitFor("subscribed", isEv("subscribed", channel))
	return p
}

const (
	jsInfo = `{"name":"JS <peer> & co","ua":"centrifuge-js"}`
	goInfo = `{"name":"Go <service> & co"}`
)

// A note whose text is made of what HTML-escaping encoders rewrite.
func htmlNote(id string, n int) *notes.NotePosted {
	text := strings.Repeat("<a href=\"x?a=1&b=2\">&amp;</a> ", n)
	return &notes.NotePosted{NoteID: id, Text: text, Words: int64(n)}
}

// Go -> JS: the bytes centrifuge-js receives are the bytes the Go client
// encoded, over the WebSocket transport and over the SSE transport's HTTP
// publish; a Go subscriber receives the same envelopes, including one that
// an HTML-escaping hop would have pushed past its size limit. A client
// publication carries the publisher's info, an API publication none.
func TestGoToJSBytes(t *testing.T) {
	got := eachServer(t, func(t *testing.T, tg target) any {
		const channel = "parsec:go-to-js"
		p := jsPeer(t, tg, "js-reader", jsInfo, channel)
		goSub := wsClient(t, tg, "go-reader", goInfo)
		var mu sync.Mutex
		var received []*envelope.Envelope
		s, err := goSub.Subscribe(context.Background(), channel)
		if err != nil {
			t.Fatal(err)
		}
		s.OnNotePosted(func(_ context.Context, env *envelope.Envelope, _ *notes.NotePosted) error {
			mu.Lock()
			received = append(received, env)
			mu.Unlock()
			return nil
		})
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		viaWS := wsClient(t, tg, "go-ws", goInfo)
		viaSSE := sseClient(t, tg, "go-sse")
		ctx, cancel := context.WithTimeout(context.Background(), waitBound)
		defer cancel()
		var want []string
		publish := func(c *goClient, msg *notes.NotePosted) {
			want = append(want, c.publish(ctx, t, channel, msg))
		}
		// 12.6 KB of '<': HTML-escaped, 75.6 KB, past a Go subscriber's
		// 65,536-byte limit.
		lts := &notes.NotePosted{NoteID: "n-2", Text: strings.Repeat("<", 12600), Words: 1}
		for _, c := range []*goClient{viaWS, viaSSE} {
			publish(c, htmlNote("n-1", 1))
			publish(c, lts)
			publish(c, htmlNote("n-3", 3))
		}
		wire := p.waitN("6 publications on the wire", len(want), isEv("wire", channel))
		type seen struct {
			Via, User, ConnInfo string
			Bytes               int
		}
		var report []seen
		for i, w := range wire {
			if got := w.raw(t); got != want[i] {
				t.Errorf("publication %d: centrifuge-js received %d bytes\n%.300s\nwant the %d bytes Go encoded\n%.300s",
					i, len(got), got, len(want[i]), want[i])
			}
			var info struct {
				User     string          `json:"user"`
				ConnInfo json.RawMessage `json:"conn_info"`
			}
			if len(w.Info) > 0 {
				if err := json.Unmarshal([]byte(w.rawInfo(t)), &info); err != nil {
					t.Fatal(err)
				}
			}
			via := "ws"
			if i >= 3 {
				via = "sse"
			}
			report = append(report, seen{Via: via, User: info.User, ConnInfo: string(info.ConnInfo), Bytes: len(want[i])})
		}
		for i, r := range report {
			switch {
			case r.Via == "ws" && (r.User != "go-ws" || r.ConnInfo != goInfo):
				t.Errorf("publication %d over WebSocket: info user %q conn_info %s, want go-ws with %s", i, r.User, r.ConnInfo, goInfo)
			case r.Via == "sse" && (r.User != "" || r.ConnInfo != ""):
				t.Errorf("publication %d over the HTTP API: info user %q conn_info %s, want none", i, r.User, r.ConnInfo)
			}
		}
		// What centrifuge-js parsed is what Go encoded, too.
		pubs := p.waitN("6 publication events", len(want), isEv("publication", channel))
		for i, e := range pubs {
			if !jsonEqual(t, e.Data, []byte(want[i])) {
				t.Errorf("publication %d: centrifuge-js parsed %.200s, want %.200s", i, e.Data, want[i])
			}
		}
		waitUntil(t, "the Go subscriber to receive 6 envelopes", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(received) == len(want)
		})
		mu.Lock()
		for i, env := range received {
			if b, err := envelope.Encode(env); err != nil || string(b) != want[i] {
				t.Errorf("Go subscriber envelope %d re-encodes to %.200s (%v), want %.200s", i, b, err, want[i])
			}
		}
		mu.Unlock()
		if errs := goSub.errs.all(); len(errs) > 0 {
			t.Errorf("Go subscriber reported %v", errs)
		}
		return report
	})
	sameOnBoth(t, "publication info and sizes", got)
}

// rawInfo returns the raw bytes of a "wire" event's info.
func (e event) rawInfo(t *testing.T) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(e.Info, &s); err != nil {
		t.Fatalf("wire info %s is not a string: %v", e.Info, err)
	}
	return s
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return cmp.Equal(x, y)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitBound, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// jsEnvelope is an envelope as a JavaScript producer writes it: the keys in
// the order Go's codec writes them, so that a faithful Go re-encode gives
// the same bytes, plus a top-level key this version does not know.
func jsEnvelope(channel string, seq int, kind, payload string) string {
	return fmt.Sprintf(`{"channel":%q,"sequence":%d,"produced_at":"2026-05-27T14:22:09.331Z",`+
		`"producer":{"id":"js-writer","kind":%q},"aspect":"note_posted","schema_ref":"note_posted.json",`+
		`"payload":%s,"trace":{"span":"s-%d","via":"<js>"}}`, channel, seq, kind, payload, seq)
}

// JS -> Go: centrifuge-js publishes envelopes; the typed Go handler gets the
// valid ones with strict validation, an unknown key survives a Go re-encode
// byte for byte, and bad input reaches the error hook with a report that
// says what was wrong.
func TestJSToGo(t *testing.T) {
	got := eachServer(t, func(t *testing.T, tg target) any {
		const channel = "parsec:js-to-go"
		sub := wsClient(t, tg, "go-typed", goInfo)
		type handled struct {
			env *envelope.Envelope
			msg *notes.NotePosted
		}
		var mu sync.Mutex
		var got []handled
		s, err := sub.Subscribe(context.Background(), channel)
		if err != nil {
			t.Fatal(err)
		}
		s.OnNotePosted(func(_ context.Context, env *envelope.Envelope, msg *notes.NotePosted) error {
			mu.Lock()
			got = append(got, handled{env, msg})
			mu.Unlock()
			return nil
		})
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		p := jsPeer(t, tg, "js-writer", jsInfo, channel)
		inputs := []struct {
			name string
			data string
			want func(error) bool // nil: delivered to the handler
			msg  string
		}{
			{name: "valid", data: jsEnvelope(channel, 1, "user", `{"note_id":"n-1","text":"<b>hi</b> & bye","words":3,"tags":["a"]}`)},
			{name: "not an envelope", data: `{"hello":"world","n":1}`,
				want: func(err error) bool { return errors.Is(err, envelope.ErrNotEnvelope) }, msg: `keys "hello", "n"`},
			{name: "array", data: `[1,2,3]`,
				want: func(err error) bool { return errors.Is(err, envelope.ErrNotEnvelope) }, msg: "got array starting `[1,2,3]`"},
			{name: "payload violates the schema", data: jsEnvelope(channel, 2, "user", `{"note_id":"bad","text":"x","words":1}`),
				want: func(err error) bool { return err != nil }, msg: "note_id"},
			// Never decoded, so never counted: the next valid one is #3.
			{name: "bad producer kind", data: jsEnvelope(channel, 3, "robot", `{"note_id":"n-3","text":"x","words":1}`),
				want: func(err error) bool { return errors.Is(err, envelope.ErrProducerKind) }, msg: `"robot"`},
			{name: "valid again", data: jsEnvelope(channel, 3, "agent", `{"note_id":"n-4","text":"&lt;","words":1}`)},
		}
		var reports []string
		for _, in := range inputs {
			p.call("publish", map[string]any{"channel": channel, "data": in.data})
		}
		sent := p.waitN("6 publishes", len(inputs), isEv("sent", channel))
		waitUntil(t, "2 envelopes handled and 4 errors reported", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(got) == 2 && len(sub.errs.all()) >= 4
		})
		errs := sub.errs.all()
		if len(errs) != 4 {
			t.Errorf("errors reported: %d, want 4: %v", len(errs), errs)
		}
		bad := 0
		for i, in := range inputs {
			if in.want == nil {
				continue
			}
			if bad >= len(errs) {
				break
			}
			err := errs[bad]
			bad++
			var de *client.DeliveryError
			if !errors.As(err, &de) || !in.want(err) || !strings.Contains(err.Error(), in.msg) {
				t.Errorf("%s: reported %v, want a *client.DeliveryError containing %q", in.name, err, in.msg)
			}
			if de != nil && de.Envelope == nil && string(de.Data) != sent[i].raw(t) {
				t.Errorf("%s: the report carries %s, want the bytes received %s", in.name, de.Data, sent[i].raw(t))
			}
			reports = append(reports, err.Error())
		}
		mu.Lock()
		defer mu.Unlock()
		for i, h := range got {
			in := sent[[]int{0, 5}[i]].raw(t)
			if want := `{"span":"s-` + fmt.Sprint(h.env.Sequence) + `","via":"<js>"}`; string(h.env.Extra) != `{"trace":`+want+`}` {
				t.Errorf("envelope #%d: Extra = %s, want the trace key", h.env.Sequence, h.env.Extra)
			}
			out, err := envelope.Encode(h.env)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != in {
				t.Errorf("envelope #%d re-encoded by Go:\n%s\nwant what centrifuge-js sent:\n%s", h.env.Sequence, out, in)
			}
		}
		if len(got) == 2 && (got[0].msg.NoteID != "n-1" || got[0].msg.Text != "<b>hi</b> & bye" || got[1].msg.NoteID != "n-4") {
			t.Errorf("typed messages = %+v, %+v", got[0].msg, got[1].msg)
		}
		return reports
	})
	sameOnBoth(t, "error reports", got)
}

// Presence: the connection info from each token is what both a JS and a Go
// client see, the same on both servers.
func TestPresenceConnInfo(t *testing.T) {
	got := eachServer(t, func(t *testing.T, tg target) any {
		const channel = "parsec:presence"
		p := jsPeer(t, tg, "js-present", jsInfo, channel)
		g := wsClient(t, tg, "go-present", goInfo)
		s, err := g.Subscribe(context.Background(), channel)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitBound)
		defer cancel()
		want := map[string]string{"js-present": jsInfo, "go-present": goInfo}
		var entries []client.PresenceEntry
		waitUntil(t, "both clients in presence", func() bool {
			entries, err = g.rc.Presence(ctx, channel)
			return err == nil && len(entries) == 2
		})
		fromGo := map[string]string{}
		for _, e := range entries {
			fromGo[e.UserID] = string(e.ConnInfo)
		}
		if diff := cmp.Diff(want, fromGo); diff != "" {
			t.Errorf("presence seen from Go (-want +got):\n%s", diff)
		}
		r := p.call("presence", map[string]any{"channel": channel})
		var clients map[string]struct {
			User     string          `json:"user"`
			ConnInfo json.RawMessage `json:"connInfo"`
		}
		if err := json.Unmarshal(r.Clients, &clients); err != nil {
			t.Fatal(err)
		}
		fromJS := map[string]any{}
		for _, c := range clients {
			var v any
			if len(c.ConnInfo) > 0 {
				if err := json.Unmarshal(c.ConnInfo, &v); err != nil {
					t.Fatalf("conn_info %s: %v", c.ConnInfo, err)
				}
			}
			fromJS[c.User] = v
		}
		wantJS := map[string]any{}
		for u, info := range want {
			var v any
			if err := json.Unmarshal([]byte(info), &v); err != nil {
				t.Fatal(err)
			}
			wantJS[u] = v
		}
		if diff := cmp.Diff(wantJS, fromJS); diff != "" {
			t.Errorf("presence seen from centrifuge-js (-want +got):\n%s", diff)
		}
		return fromGo
	})
	sameOnBoth(t, "presence conn_info", got)
}

// JS recovery: forced disconnects while Go keeps publishing; centrifuge-js
// recovers what it missed from history and delivers every envelope once, in
// order.
func TestJSRecovery(t *testing.T) {
	const rounds, before, during = 3, 10, 10
	got := eachServer(t, func(t *testing.T, tg target) any {
		const channel = "parsec:recovery"
		p := jsPeer(t, tg, "js-recovering", jsInfo, channel)
		pub := wsClient(t, tg, "go-pub", goInfo)
		ctx, cancel := context.WithTimeout(context.Background(), 3*waitBound)
		defer cancel()
		var want []string
		publishN := func(n int) {
			for range n {
				want = append(want, pub.publish(ctx, t, channel, htmlNote(fmt.Sprintf("n-%d", len(want)), 1)))
			}
		}
		publishN(before)
		p.waitN("the first publications", len(want), isEv("publication", channel))
		type round struct{ Recovered, WasRecovering, Replayed bool }
		var report []round
		replayedSoFar := func() int { return len(p.all(func(e event) bool { return e.Ev == "wire" && e.Recovered })) }
		for r := range rounds {
			before := replayedSoFar()
			if err := tg.disconnect(ctx, "js-recovering"); err != nil {
				t.Fatal(err)
			}
			p.waitN("the forced disconnect", r+1, func(e event) bool { return e.Ev == "connecting" && e.Code >= 3000 })
			publishN(during)
			sub := p.waitN("the resubscribe", r+2, isEv("subscribed", channel))[r+1]
			p.waitN("every publication", len(want), isEv("publication", channel))
			// The peer reconnects after at least minReconnectDelay, longer
			// than the publishes take: some arrive only by replay.
			replayed := replayedSoFar() > before
			report = append(report, round{Recovered: sub.Recovered, WasRecovering: sub.WasRecovering, Replayed: replayed})
			if !sub.Recovered || !sub.WasRecovering || !replayed {
				t.Errorf("round %d: subscribed %+v, replayed %v; want a recovery that replayed what was missed", r, sub, replayed)
			}
		}
		pubs := p.all(isEv("publication", channel))
		wire := p.all(isEv("wire", channel))
		if len(pubs) != len(want) || len(wire) != len(want) {
			t.Fatalf("centrifuge-js delivered %d publications (%d on the wire), want %d exactly once", len(pubs), len(wire), len(want))
		}
		for i := range want {
			if got := wire[i].raw(t); got != want[i] {
				t.Errorf("publication %d: %s, want %s", i, got, want[i])
			}
			if pubs[i].Offset == nil || *pubs[i].Offset != uint64(i+1) {
				t.Errorf("publication %d: offset %v, want %d", i, pubs[i].Offset, i+1)
			}
		}
		return report
	})
	sameOnBoth(t, "recovery", got)
}

// Integers beyond 2^53 reach centrifuge-js rounded, as the README's type
// mapping warns: the wire carries the exact digits, JavaScript keeps 53 bits.
func TestJSRoundsIntegersBeyond2To53(t *testing.T) {
	eachServer(t, func(t *testing.T, tg target) any {
		const channel = "parsec:big-ints"
		p := jsPeer(t, tg, "js-big", jsInfo, channel)
		pub := wsClient(t, tg, "go-big", goInfo)
		ctx, cancel := context.WithTimeout(context.Background(), waitBound)
		defer cancel()
		sent := pub.publish(ctx, t, channel, &notes.NotePosted{NoteID: "n-1", Text: "big", Words: 1<<53 + 1})
		if w := p.waitFor("the publication on the wire", isEv("wire", channel)); w.raw(t) != sent ||
			!strings.Contains(sent, `"words":9007199254740993`) {
			t.Errorf("wire %s, want the exact digits Go sent: %s", w.raw(t), sent)
		}
		e := p.waitFor("the publication", isEv("publication", channel))
		var parsed struct {
			Payload struct {
				Words json.Number `json:"words"`
			} `json:"payload"`
		}
		if err := json.Unmarshal(e.Data, &parsed); err != nil {
			t.Fatal(err)
		}
		if parsed.Payload.Words != "9007199254740992" {
			t.Errorf("centrifuge-js parsed words as %s, want 9007199254740992 (2^53+1 rounded)", parsed.Payload.Words)
		}
		return nil
	})
}
