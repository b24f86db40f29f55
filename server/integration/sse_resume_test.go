package integration

import (
	"context"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// Resuming against real Centrifugo: FromSequence replays stored
// publications from an offset, a position saved by one client resumes a
// later one exactly after it, and History and Presence answer through the
// server API.
func TestSSEResumeHistoryPresence(t *testing.T) {
	const (
		first   = 20
		more    = 10
		channel = "parsec:sse-resume"
	)
	c := startCentrifugo(t, centrifugotest.Options{})
	pub := newSSE(t, c, c.URL, "pub", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	h1 := newHandlerLog()
	cl1, err := client.New(client.WithTransport(newSSE(t, c, c.URL, "resume-1", nil)), client.WithErrorHandler(h1.onError))
	if err != nil {
		t.Fatal(err)
	}
	sub1, err := cl1.Subscribe(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	sub1.HandleEnvelope(h1.handle)
	if err := sub1.Start(); err != nil {
		t.Fatal(err)
	}
	if err := publishTicks(ctx, t, pub, channel, "p0", 1, first, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "the first client", func() bool { return h1.distinct("p0") == first })

	presence, err := pub.Presence(ctx, channel)
	if err != nil {
		t.Fatal(err)
	}
	if len(presence) != 1 || presence[0].UserID != "resume-1" {
		t.Errorf("presence = %+v, want the one subscribed client", presence)
	}
	pos, ok := sub1.Position()
	if !ok || pos.Offset != first || pos.Epoch == "" {
		t.Fatalf("saved position = %+v (known %t), want offset %d in an epoch", pos, ok, first)
	}
	if err := cl1.Close(); err != nil {
		t.Fatal(err)
	}

	if err := publishTicks(ctx, t, pub, channel, "p0", first+1, first+more, 0); err != nil {
		t.Fatal(err)
	}
	h2 := newHandlerLog()
	cl2, err := client.New(client.WithTransport(newSSE(t, c, c.URL, "resume-2", nil)), client.WithErrorHandler(h2.onError))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cl2.Close(); err != nil {
			t.Error(err)
		}
	})
	sub2, err := cl2.Subscribe(ctx, channel, client.WithResumePosition(pos))
	if err != nil {
		t.Fatal(err)
	}
	sub2.HandleEnvelope(h2.handle)
	sub2.OnGap(h2.onGap)
	if err := sub2.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sseWaitDelivery, "the resumed client", func() bool { return h2.distinct("p0") == more })
	h2.mu.Lock()
	for i := int64(first + 1); i <= first+more; i++ {
		if h2.seen["p0"][i] != 1 {
			t.Errorf("resumed client saw #%d %d times, want once", i, h2.seen["p0"][i])
		}
	}
	h2.mu.Unlock()

	ta, _ := subscribe(t, newSSE(t, c, c.URL, "resume-3", nil), channel, client.SubscribeOptions{FromSequence: 4})
	waitFor(t, sseWaitDelivery, "the replay from offset 5", func() bool { return ta.distinct("p0") == first+more-4 })
	if got := ta.missing("p0", 4); len(got) != 4 {
		t.Errorf("FromSequence 4 delivered offsets below 5: missing only %v of 1..4", got)
	}
	if ta.count(client.EventRecovered) != 1 || ta.count(client.EventUnrecoverable) != 0 {
		t.Errorf("replay events: %s", ta)
	}

	hist, err := pub.History(ctx, channel, client.HistoryOptions{Since: 10, Until: 15}) // above 10, up to 15
	if err != nil {
		t.Fatal(err)
	}
	last, err := pub.History(ctx, channel, client.HistoryOptions{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 5 || len(last) != 3 {
		t.Fatalf("history: %d in 11..15 (want 5), %d most recent (want 3)", len(hist), len(last))
	}
	for i, want := range []int{11, 12, 13, 14, 15} {
		if got := tickIndex(t, hist[i]); got != want {
			t.Errorf("history[%d] = #%d, want #%d", i, got, want)
		}
	}
	for i, want := range []int{28, 29, 30} {
		if got := tickIndex(t, last[i]); got != want {
			t.Errorf("last 3 [%d] = #%d, want #%d", i, got, want)
		}
	}
	t.Logf("FIGURES sse/resume: saved position %d, resumed %s; FromSequence 4: %s", pos.Offset, h2, ta)
}
