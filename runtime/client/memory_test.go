package client

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func connected(t *testing.T, tr *MemoryTransport) *MemoryTransport {
	t.Helper()
	if err := tr.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return tr
}

func publishN(t *testing.T, tr Transport, channel string, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		if err := tr.Publish(context.Background(), channel, []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
}

// drain reads n items from ch within a bounded time.
func drain(t *testing.T, ch <-chan []byte, n int) []string {
	t.Helper()
	var got []string
	deadline := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case b, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed after %d of %d items: %v", len(got), n, got)
			}
			got = append(got, string(b))
		case <-deadline:
			t.Fatalf("timed out after %d of %d items: %v", len(got), n, got)
		}
	}
	return got
}

func seq(from, to int) []string {
	var s []string
	for i := from; i <= to; i++ {
		s = append(s, strconv.Itoa(i))
	}
	return s
}

type eventLog struct {
	mu sync.Mutex
	ev []StreamEvent
}

func (l *eventLog) add(e StreamEvent) {
	l.mu.Lock()
	l.ev = append(l.ev, e)
	l.mu.Unlock()
}

func (l *eventLog) kinds() []StreamEventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var k []StreamEventKind
	for _, e := range l.ev {
		k = append(k, e.Kind)
	}
	return k
}

func (l *eventLog) find(kind StreamEventKind) (StreamEvent, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.ev {
		if e.Kind == kind {
			return e, true
		}
	}
	return StreamEvent{}, false
}

// TestMemoryLifecycle: a new transport works without Connect; Close makes
// it fail until Connect opens it again.
func TestMemoryLifecycle(t *testing.T) {
	tr := NewMemoryTransport()
	ctx := context.Background()
	out, cancel, err := tr.Subscribe(ctx, "c", SubscribeOptions{})
	if err != nil {
		t.Fatalf("subscribe without connect: %v", err)
	}
	defer cancel()
	if err := tr.Publish(ctx, "c", []byte("1")); err != nil {
		t.Fatalf("publish without connect: %v", err)
	}
	if got := string(<-out); got != "1" {
		t.Fatalf("received %q, want 1", got)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-out; ok {
		t.Error("stream still open after Close")
	}
	if err := tr.Publish(ctx, "c", []byte("2")); err != ErrTransportClosed {
		t.Errorf("publish after close: got %v, want ErrTransportClosed", err)
	}
	if _, _, err := tr.Subscribe(ctx, "c", SubscribeOptions{}); err != ErrTransportClosed {
		t.Errorf("subscribe after close: got %v, want ErrTransportClosed", err)
	}
	if err := tr.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if err := tr.Publish(ctx, "c", []byte("3")); err != nil {
		t.Errorf("publish after reconnect: %v", err)
	}
}

func TestMemoryLiveAndReplay(t *testing.T) {
	pub := connected(t, NewMemoryTransport())
	sub := connected(t, pub.Peer())
	ctx := context.Background()
	publishN(t, pub, "c", 1, 5)

	var live eventLog
	liveCh, cancelLive, err := sub.Subscribe(ctx, "c", SubscribeOptions{OnEvent: live.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancelLive()
	var rep eventLog
	repCh, cancelRep, err := sub.Subscribe(ctx, "c", SubscribeOptions{FromSequence: 2, OnEvent: rep.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancelRep()
	publishN(t, pub, "c", 6, 7)

	if diff := cmp.Diff(seq(6, 7), drain(t, liveCh, 2)); diff != "" {
		t.Errorf("live stream (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(seq(3, 7), drain(t, repCh, 5)); diff != "" {
		t.Errorf("replayed stream (-want +got):\n%s", diff)
	}
	if e, _ := live.find(EventSubscribed); e.Position.Offset != 5 || e.Position.Epoch == "" {
		t.Errorf("live subscribed position = %+v, want offset 5 and an epoch", e.Position)
	}
	if e, _ := rep.find(EventSubscribed); e.Position.Offset != 2 {
		t.Errorf("replay subscribed position = %+v, want offset 2 (the one before the first replayed)", e.Position)
	}
}

func TestMemorySinceRecovery(t *testing.T) {
	tr := connected(t, NewMemoryTransport())
	ctx := context.Background()
	var first eventLog
	_, cancel, err := tr.Subscribe(ctx, "c", SubscribeOptions{OnEvent: first.add})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	cancel() // idempotent
	pos, _ := first.find(EventSubscribed)
	publishN(t, tr, "c", 1, 4)

	var ev eventLog
	ch, cancel, err := tr.Subscribe(ctx, "c", SubscribeOptions{Since: &pos.Position, OnEvent: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if diff := cmp.Diff(seq(1, 4), drain(t, ch, 4)); diff != "" {
		t.Errorf("recovered (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]StreamEventKind{EventSubscribed, EventRecovered}, ev.kinds()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	var stale eventLog
	_, cancel2, err := tr.Subscribe(ctx, "c", SubscribeOptions{Since: &StreamPosition{Offset: 1, Epoch: "other"}, OnEvent: stale.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel2()
	if e, ok := stale.find(EventUnrecoverable); !ok || e.Missed != -1 {
		t.Errorf("stale epoch: got events %v, want EventUnrecoverable with Missed -1", stale.kinds())
	}
}

func TestMemoryTrimmedHistoryIsUnrecoverable(t *testing.T) {
	tr := connected(t, NewMemoryTransport(MemoryHistorySize(3)))
	ctx := context.Background()
	publishN(t, tr, "c", 1, 10)
	var ev eventLog
	ch, cancel, err := tr.Subscribe(ctx, "c", SubscribeOptions{FromSequence: 1, OnEvent: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if diff := cmp.Diff(seq(8, 10), drain(t, ch, 3)); diff != "" {
		t.Errorf("replay (-want +got):\n%s", diff)
	}
	e, ok := ev.find(EventUnrecoverable)
	if !ok || e.Missed != 6 {
		t.Errorf("got %+v, want EventUnrecoverable with Missed 6 (offsets 2..7)", e)
	}
	if s, _ := ev.find(EventSubscribed); s.Position.Offset != 7 {
		t.Errorf("subscribed offset = %d, want 7", s.Position.Offset)
	}
}

func TestMemoryOverflowDisconnects(t *testing.T) {
	tr := connected(t, NewMemoryTransport(MemoryBufferSize(2)))
	var ev eventLog
	ch, cancel, err := tr.Subscribe(context.Background(), "c", SubscribeOptions{OnEvent: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	publishN(t, tr, "c", 1, 4)
	var got []string
	for b := range ch { // must end: the overflowing subscriber is closed
		got = append(got, string(b))
	}
	if diff := cmp.Diff(seq(1, 2), got); diff != "" {
		t.Errorf("delivered before the disconnect (-want +got):\n%s", diff)
	}
	if e, ok := ev.find(EventOverflow); !ok || e.Missed != 1 || e.Channel != "c" {
		t.Errorf("got events %v, want EventOverflow on c with Missed 1", ev.kinds())
	}
	// Resuming from the next offset loses nothing.
	ch2, cancel2, err := tr.Subscribe(context.Background(), "c", SubscribeOptions{FromSequence: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel2()
	if diff := cmp.Diff(seq(3, 4), drain(t, ch2, 2)); diff != "" {
		t.Errorf("resumed (-want +got):\n%s", diff)
	}
}

func TestMemoryHistoryBounds(t *testing.T) {
	tr := connected(t, NewMemoryTransport(MemoryHistorySize(8)))
	publishN(t, tr, "c", 1, 10) // offsets 3..10 retained
	tests := []struct {
		opts HistoryOptions
		want []string
	}{
		{HistoryOptions{}, seq(3, 10)},
		{HistoryOptions{Limit: 2}, seq(9, 10)},
		{HistoryOptions{Since: 5}, seq(6, 10)},
		{HistoryOptions{Since: 2}, seq(3, 10)},
		{HistoryOptions{Until: 4}, seq(3, 4)},
		{HistoryOptions{Since: 4, Until: 7, Limit: 3}, seq(5, 7)},
		{HistoryOptions{Since: 4, Until: 7, Limit: 2}, seq(6, 7)},
		{HistoryOptions{Since: 10}, nil},
	}
	for _, tt := range tests {
		got, err := tr.History(context.Background(), "c", tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		var gs []string
		for _, b := range got {
			gs = append(gs, string(b))
		}
		if diff := cmp.Diff(tt.want, gs); diff != "" {
			t.Errorf("History(%+v) (-want +got):\n%s", tt.opts, diff)
		}
	}
	if _, err := tr.History(context.Background(), "c", HistoryOptions{Limit: -1}); err == nil {
		t.Error("negative limit: want an error")
	}
}

func TestMemoryPresence(t *testing.T) {
	a := connected(t, NewMemoryTransport(MemoryUser("alice", []byte(`{"n":1}`))))
	b := connected(t, a.Peer(MemoryUser("bob", nil)))
	ctx := context.Background()
	for _, tr := range []*MemoryTransport{a, a, b} { // alice twice: still one entry
		if _, _, err := tr.Subscribe(ctx, "room", SubscribeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Presence(ctx, "room")
	if err != nil {
		t.Fatal(err)
	}
	want := []PresenceEntry{
		{UserID: "alice", ClientID: a.ClientID(), ConnInfo: []byte(`{"n":1}`)},
		{UserID: "bob", ClientID: b.ClientID()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("presence (-want +got):\n%s", diff)
	}
	if n := a.DropSubscriptions("room"); n != 2 {
		t.Errorf("dropped %d streams, want 2", n)
	}
	got, err = b.Presence(ctx, "room")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].UserID != "bob" {
		t.Errorf("presence after drop = %+v, want only bob", got)
	}
}

func TestMemoryResetChannel(t *testing.T) {
	tr := connected(t, NewMemoryTransport())
	ctx := context.Background()
	var ev eventLog
	ch, cancel, err := tr.Subscribe(ctx, "c", SubscribeOptions{OnEvent: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	publishN(t, tr, "c", 1, 2)
	drain(t, ch, 2)
	tr.ResetChannel("c")
	if _, ok := <-ch; ok {
		t.Fatal("stream still open after ResetChannel")
	}
	old, _ := ev.find(EventSubscribed)
	var ev2 eventLog
	_, cancel2, err := tr.Subscribe(ctx, "c", SubscribeOptions{Since: &StreamPosition{Offset: 2, Epoch: old.Position.Epoch}, OnEvent: ev2.add})
	if err != nil {
		t.Fatal(err)
	}
	defer cancel2()
	if _, ok := ev2.find(EventUnrecoverable); !ok {
		t.Errorf("resume into a reset channel: events %v, want EventUnrecoverable", ev2.kinds())
	}
}

// TestMemoryConcurrentCloseRace publishes, subscribes, cancels and closes
// concurrently; under -race it proves no send on a closed channel and no
// data race.
func TestMemoryConcurrentCloseRace(t *testing.T) {
	pub := connected(t, NewMemoryTransport(MemoryBufferSize(4)))
	ctx := context.Background()
	var wg, pubWG sync.WaitGroup
	stop := make(chan struct{})
	pubWG.Add(1)
	go func() {
		defer pubWG.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := pub.Publish(ctx, "c", []byte(fmt.Sprint(i))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				sub := pub.Peer()
				if err := sub.Connect(ctx, ""); err != nil {
					t.Error(err)
					return
				}
				ch, cancel, err := sub.Subscribe(ctx, "c", SubscribeOptions{OnEvent: func(StreamEvent) {}})
				if err != nil {
					t.Error(err)
					return
				}
				select {
				case <-ch:
				case <-time.After(time.Second):
				}
				if i%2 == 0 {
					cancel()
				}
				if err := sub.Close(); err != nil {
					t.Error(err)
				}
				for range ch { // closed by cancel or Close: the loop ends
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	pubWG.Wait()
}
