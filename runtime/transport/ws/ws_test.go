package ws

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	centrifuge "github.com/centrifugal/centrifuge-go"

	"github.com/parsec-gen/parsec-gen/runtime/client"
)

func TestNewRejectsBadOptions(t *testing.T) {
	for name, tc := range map[string]struct {
		url  string
		opts []Option
		want string
	}{
		"empty url":     {"", nil, "empty URL"},
		"zero queue":    {"ws://x", []Option{WithQueueSize(0)}, "queue size 0"},
		"zero timeout":  {"ws://x", []Option{WithReadTimeout(0)}, "timeouts must be positive"},
		"zero max size": {"ws://x", []Option{WithMaxMessageSize(0)}, "max message size 0"},
	} {
		if _, err := New(tc.url, tc.opts...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
	}
}

func TestPublishChecksSizeAndClose(t *testing.T) {
	tr, err := New("ws://127.0.0.1:1/connection/websocket", WithMaxMessageSize(8))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Publish(context.Background(), "ch", []byte("0123456789"))
	if err == nil || !strings.Contains(err.Error(), "10 bytes exceed the 8-byte limit") {
		t.Fatalf("oversized publish: %v", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Publish(context.Background(), "ch", []byte("1")); !errors.Is(err, ErrClosed) {
		t.Fatalf("publish after Close: %v, want ErrClosed", err)
	}
	if _, _, err := tr.Subscribe(context.Background(), "ch", client.SubscribeOptions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("subscribe after Close: %v, want ErrClosed", err)
	}
	if err := tr.Connect(context.Background(), ""); !errors.Is(err, ErrClosed) {
		t.Fatalf("connect after Close: %v, want ErrClosed", err)
	}
}

func TestSubscribeBeforeConnect(t *testing.T) {
	tr, err := New("ws://127.0.0.1:1/connection/websocket")
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, _, err = tr.Subscribe(context.Background(), "ch", client.SubscribeOptions{})
	if err == nil || !strings.Contains(err.Error(), "not connected: Connect was not called") {
		t.Fatalf("subscribe before Connect: %v", err)
	}
}

func TestConnectFailsOnUnreachableServer(t *testing.T) {
	tr, err := New("ws://127.0.0.1:1/connection/websocket", WithReconnectDelay(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := tr.Connect(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("connect to a closed port: %v, want the context's deadline", err)
	}
}

// newTestStream builds a stream detached from any connection, fed by
// calling its centrifuge-go handlers directly.
func newTestStream(t *testing.T, queue int) (*stream, *[]client.StreamEvent, chan struct{}) {
	t.Helper()
	tr := &Transport{cfg: config{queueSize: queue, maxMessageSize: 16}, streams: map[*stream]struct{}{}}
	var events []client.StreamEvent // read by the test only after the pump reported through evCh or ended
	evCh := make(chan struct{}, 100)
	s := &stream{
		t: tr, channel: "ch",
		onEvent:  func(e client.StreamEvent) { events = append(events, e); evCh <- struct{}{} },
		out:      make(chan []byte, min(queue, outBuffer)),
		done:     make(chan struct{}),
		pumpDone: make(chan struct{}),
		wake:     make(chan struct{}, 1),
		first:    make(chan error, 1),
	}
	tr.streams[s] = struct{}{}
	go s.pump()
	t.Cleanup(func() { s.cancel(); waitClosed(t, s.pumpDone, "the pump to stop") })
	return s, &events, evCh
}

func pub(off uint64, data string) centrifuge.PublicationEvent {
	return centrifuge.PublicationEvent{Publication: centrifuge.Publication{Offset: off, Data: []byte(data)}}
}

func TestStreamDedupesReportsGapsAndOversize(t *testing.T) {
	s, events, _ := newTestStream(t, 64)
	s.onSubscribed(0, centrifuge.SubscribedEvent{Positioned: true, Recoverable: true,
		StreamPosition: &centrifuge.StreamPosition{Offset: 5, Epoch: "e1"}})
	s.onPublication(0, pub(6, "six"))
	s.onPublication(0, pub(6, "six again")) // replayed: dropped
	s.onPublication(0, pub(8, "eight"))     // 7 skipped: reported
	s.onPublication(0, pub(9, "nine-is-far-too-long"))
	s.onPublication(0, pub(10, "ten"))
	s.onPublication(1, pub(11, "stale generation")) // ignored

	var got []string
	for range 3 {
		select {
		case b := <-s.out:
			got = append(got, string(b))
		case <-time.After(5 * time.Second):
			t.Fatalf("got only %q", got)
		}
	}
	if strings.Join(got, ",") != "six,eight,ten" {
		t.Fatalf("delivered %q, want six, eight, ten", got)
	}
	// Events are reported in stream order, before the data behind them; by
	// the time "ten" is out, all three were reported.
	kinds := []client.StreamEventKind{client.EventSubscribed, client.EventUnrecoverable, client.EventError}
	if len(*events) != len(kinds) {
		t.Fatalf("events %+v, want kinds %v", *events, kinds)
	}
	for i, e := range *events {
		if e.Kind != kinds[i] {
			t.Fatalf("event %d is %s, want %s", i, e.Kind, kinds[i])
		}
	}
	if e := (*events)[0]; e.Position != (client.StreamPosition{Offset: 5, Epoch: "e1"}) {
		t.Errorf("subscribed at %+v, want offset 5 of e1", e.Position)
	}
	if e := (*events)[1]; e.Missed != 1 {
		t.Errorf("gap Missed = %d, want 1", e.Missed)
	}
	if e := (*events)[2]; !strings.Contains(e.Err.Error(), "over the 16-byte limit") || len(e.Data) != 16 {
		t.Errorf("oversize report %v with %d bytes", e.Err, len(e.Data))
	}
}

func TestStreamNewEpochIsNotADuplicate(t *testing.T) {
	s, events, evCh := newTestStream(t, 64)
	s.onSubscribed(0, centrifuge.SubscribedEvent{StreamPosition: &centrifuge.StreamPosition{Offset: 50, Epoch: "old"}})
	select {
	case <-evCh:
	case <-time.After(5 * time.Second):
		t.Fatal("no event for the first subscribe")
	}
	// A server that does not reject unrecoverable positions resubscribes
	// into a new epoch whose offsets start again at 1.
	s.onSubscribed(0, centrifuge.SubscribedEvent{WasRecovering: true, Recovered: false,
		StreamPosition: &centrifuge.StreamPosition{Offset: 0, Epoch: "new"}})
	s.onPublication(0, pub(1, "new epoch #1"))
	select {
	case b := <-s.out:
		if string(b) != "new epoch #1" {
			t.Fatalf("delivered %q", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the new epoch's first publication was dropped")
	}
	var gap *client.StreamEvent
	for i := range *events {
		if (*events)[i].Kind == client.EventUnrecoverable {
			gap = &(*events)[i]
		}
	}
	if gap == nil || gap.Missed != -1 || gap.Position.Epoch != "new" {
		t.Fatalf("epoch change reported as %+v, want Missed -1 in epoch new", gap)
	}
}

func TestEndReportsQueuedEventsThenTheReason(t *testing.T) {
	s, events, _ := newTestStream(t, 64)
	s.onSubscribed(0, centrifuge.SubscribedEvent{StreamPosition: &centrifuge.StreamPosition{Offset: 1, Epoch: "e"}})
	s.end(errors.New("unsubscribed by the server"))
	waitClosed(t, s.pumpDone, "the pump to stop")
	if _, open := <-s.out; open {
		t.Fatal("channel still open after end")
	}
	last := (*events)[len(*events)-1]
	if last.Kind != client.EventError || !strings.Contains(last.Err.Error(), "unsubscribed by the server") {
		t.Fatalf("last event %+v, want the end reason", last)
	}
}

func TestOverflowStaysBoundedAndResumesFromLastAccepted(t *testing.T) {
	const queue = 8
	s, events, _ := newTestStream(t, queue)
	// A client that never connects: the resubscription after the overflow
	// only has to be created, not served.
	s.cn = &conn{c: centrifuge.NewProtobufClient("ws://127.0.0.1:1/connection/websocket", centrifuge.Config{})}
	defer s.cn.c.Close()
	s.onSubscribed(0, centrifuge.SubscribedEvent{StreamPosition: &centrifuge.StreamPosition{Offset: 0, Epoch: "e"}})
	for off := uint64(1); off <= 1000; off++ {
		s.onPublication(0, pub(off, "x"))
		s.mu.Lock()
		held, queued := s.nData, len(s.q)
		s.mu.Unlock()
		if held > queue || queued > queue+2 {
			t.Fatalf("after %d publications: %d held, %d queued; bound is %d", off, held, queued, queue)
		}
	}
	s.mu.Lock()
	accepted, dropped, gen := s.last.Offset, s.dropped, s.gen
	s.mu.Unlock()
	// At most the channel's buffer (8), the batch the pump holds (up to 8)
	// and the queue (8) were accepted; the rest was counted as dropped, unless the pump already drained the
	// queue into the channel's buffer and resubscribed (a new generation,
	// whose counters start again; the old generation's calls are ignored).
	if bound := uint64(2*queue + min(queue, outBuffer)); accepted > bound || (gen == 0 && accepted+uint64(dropped) != 1000) {
		t.Fatalf("accepted up to %d, dropped %d (generation %d); want at most %d accepted and the rest counted",
			accepted, dropped, gen, bound)
	}
	// Reading drains the queue; the transport then resubscribes from the last
	// accepted offset, a new generation.
	read := uint64(0)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		gen, resume := s.gen, s.resume
		s.mu.Unlock()
		if gen == 1 && resume != nil {
			if resume.Offset != accepted || resume.Epoch != "e" {
				t.Fatalf("resubscribing from %+v, want offset %d of e", *resume, accepted)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no resubscription after the overflow drained (read %d)", read)
		}
		select {
		case <-s.out:
			read++
		case <-time.After(5 * time.Millisecond):
		}
	}
	var slow int
	for _, e := range *events {
		if e.Kind == client.EventError && errors.Is(e.Err, ErrSlowConsumer) {
			slow++
		}
	}
	if slow != 1 {
		t.Fatalf("%d slow-consumer reports, want 1", slow)
	}
}

// waitClosed waits a bounded time for done to be closed.
func waitClosed(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
