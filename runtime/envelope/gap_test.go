package envelope

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type step struct {
	seq  int64
	want Observation
}

func runSteps(t *testing.T, g *GapDetector, channel, producer string, steps []step) {
	t.Helper()
	for i, s := range steps {
		got := g.Observe(channel, producer, s.seq)
		if got != s.want {
			t.Errorf("step %d: Observe(%d) = %+v, want %+v", i, s.seq, got, s.want)
		}
	}
}

func TestGapDetectorKinds(t *testing.T) {
	g := NewGapDetector(GapOptions{})
	runSteps(t, g, "c", "p", []step{
		{5, Observation{Kind: First}},
		{6, Observation{Kind: InOrder, Expected: 6, Previous: 5}},
		{6, Observation{Kind: Duplicate, Expected: 7, Previous: 6}},
		{10, Observation{Kind: Gap, Gap: 3, Expected: 7, Previous: 6}},
		{8, Observation{Kind: Late, Expected: 11, Previous: 10}},
		{8, Observation{Kind: Duplicate, Expected: 11, Previous: 10}}, // duplicate of a late one
		{7, Observation{Kind: Late, Expected: 11, Previous: 10}},
		{9, Observation{Kind: Late, Expected: 11, Previous: 10}},
		{9, Observation{Kind: Duplicate, Expected: 11, Previous: 10}},
		{11, Observation{Kind: InOrder, Expected: 11, Previous: 10}},
		{3, Observation{Kind: Duplicate, Expected: 12, Previous: 11}}, // before the first: seen as old
		{0, Observation{Kind: Duplicate}},
		{-1, Observation{Kind: Duplicate}},
	})
	if m := g.Missing("c", "p"); m != nil {
		t.Errorf("holes left after all late arrivals: %v", m)
	}
	// Other producers and channels are separate streams.
	runSteps(t, g, "c", "q", []step{{1, Observation{Kind: First}}})
	runSteps(t, g, "d", "p", []step{{11, Observation{Kind: First}}})
}

func TestGapDetectorRestartThenContinuation(t *testing.T) {
	g := NewGapDetector(GapOptions{RestartDistance: 100})
	runSteps(t, g, "c", "p", []step{
		{1, Observation{Kind: First}},
		{2, Observation{Kind: InOrder, Expected: 2, Previous: 1}},
		{3, Observation{Kind: InOrder, Expected: 3, Previous: 2}},
		// The producer restarted without its counters: back to 1.
		{1, Observation{Kind: Restart, Expected: 4, Previous: 3}},
		// The new run is followed, not dropped until it passes 3.
		{2, Observation{Kind: InOrder, Expected: 2, Previous: 1}},
		{3, Observation{Kind: InOrder, Expected: 3, Previous: 2}},
		{4, Observation{Kind: InOrder, Expected: 4, Previous: 3}},
		{4, Observation{Kind: Duplicate, Expected: 5, Previous: 4}},
	})
	runSteps(t, g, "c", "far", []step{
		{500, Observation{Kind: First}},
		{450, Observation{Kind: Duplicate, Expected: 501, Previous: 500}},         // within the distance
		{300, Observation{Kind: Restart, Gap: 299, Expected: 501, Previous: 500}}, // beyond it
		{301, Observation{Kind: InOrder, Expected: 301, Previous: 300}},
	})
	if hw, ok := g.HighWater("c", "far"); !ok || hw != 301 {
		t.Errorf("HighWater after restart = %d, %v", hw, ok)
	}
}

func TestGapDetectorNearMaxInt64(t *testing.T) {
	const max = math.MaxInt64
	g := NewGapDetector(GapOptions{RestartDistance: -1})
	runSteps(t, g, "c", "p", []step{
		{max - 3, Observation{Kind: First}},
		{max - 2, Observation{Kind: InOrder, Expected: max - 2, Previous: max - 3}},
		{max, Observation{Kind: Gap, Gap: 1, Expected: max - 1, Previous: max - 2}},
		{max, Observation{Kind: Duplicate, Expected: max, Previous: max}},
		{max - 1, Observation{Kind: Late, Expected: max, Previous: max}},
		{1, Observation{Kind: Restart, Expected: max, Previous: max}},
	})
}

func TestGapDetectorRestartDistanceDisabled(t *testing.T) {
	g := NewGapDetector(GapOptions{RestartDistance: -1})
	runSteps(t, g, "c", "p", []step{
		{5000, Observation{Kind: First}},
		{2, Observation{Kind: Duplicate, Expected: 5001, Previous: 5000}},
		{1, Observation{Kind: Restart, Expected: 5001, Previous: 5000}},
	})
}

func TestGapDetectorLateBeatsRestart(t *testing.T) {
	g := NewGapDetector(GapOptions{RestartDistance: 10})
	runSteps(t, g, "c", "p", []step{
		{1, Observation{Kind: First}},
		{100, Observation{Kind: Gap, Gap: 98, Expected: 2, Previous: 1}},
		// Far below the mark but inside the reported hole: late, not restart.
		{2, Observation{Kind: Late, Expected: 101, Previous: 100}},
		{50, Observation{Kind: Late, Expected: 101, Previous: 100}},
	})
	want := []Range{{3, 49}, {51, 99}}
	if diff := cmp.Diff(want, g.Missing("c", "p")); diff != "" {
		t.Errorf("Missing (-want +got):\n%s", diff)
	}
}

func TestGapDetectorHoleCap(t *testing.T) {
	g := NewGapDetector(GapOptions{MaxHoles: 3, RestartDistance: -1})
	g.Observe("c", "p", 1)
	for seq := int64(3); seq <= 11; seq += 2 { // holes at 2, 4, 6, 8, 10
		if o := g.Observe("c", "p", seq); o.Kind != Gap || o.Gap != 1 {
			t.Fatalf("Observe(%d) = %+v", seq, o)
		}
	}
	want := []Range{{6, 6}, {8, 8}, {10, 10}}
	if diff := cmp.Diff(want, g.Missing("c", "p")); diff != "" {
		t.Errorf("Missing (-want +got):\n%s", diff)
	}
	// The forgotten oldest hole: its late arrival counts as seen.
	if o := g.Observe("c", "p", 2); o.Kind != Duplicate {
		t.Errorf("arrival into a forgotten hole = %v", o.Kind)
	}
	if o := g.Observe("c", "p", 8); o.Kind != Late {
		t.Errorf("arrival into a remembered hole = %v", o.Kind)
	}
	// Splitting a hole past the cap also forgets the oldest.
	g2 := NewGapDetector(GapOptions{MaxHoles: 2})
	g2.Observe("c", "p", 1)
	g2.Observe("c", "p", 5)  // hole 2-4
	g2.Observe("c", "p", 10) // hole 6-9
	g2.Observe("c", "p", 7)  // splits 6-9
	if diff := cmp.Diff([]Range{{6, 6}, {8, 9}}, g2.Missing("c", "p")); diff != "" {
		t.Errorf("Missing after split (-want +got):\n%s", diff)
	}
}

func TestGapDetectorSeenAndPositions(t *testing.T) {
	g := NewGapDetector(GapOptions{})
	g.Observe("c", "p", 1)
	g.Observe("c", "p", 4)
	g.Observe("c", "q", 9)
	g.Observe("other", "p", 2)
	tests := []struct {
		producer string
		seq      int64
		want     bool
	}{
		{"p", 1, true}, {"p", 2, false}, {"p", 3, false}, {"p", 4, true}, {"p", 5, false},
		{"q", 9, true}, {"q", 8, true}, {"q", 10, false}, {"nobody", 1, false}, {"p", 0, false},
	}
	for _, tt := range tests {
		if got := g.Seen("c", tt.producer, tt.seq); got != tt.want {
			t.Errorf("Seen(c, %s, %d) = %v", tt.producer, tt.seq, got)
		}
	}
	if diff := cmp.Diff(map[string]int64{"p": 4, "q": 9}, g.Positions("c")); diff != "" {
		t.Errorf("Positions (-want +got):\n%s", diff)
	}
	if _, ok := g.HighWater("c", "nobody"); ok {
		t.Error("HighWater of an untracked stream reported as tracked")
	}

	// A new detector restored from Positions deduplicates a replay.
	g2 := NewGapDetector(GapOptions{})
	g2.Restore("c", g.Positions("c"))
	g2.Restore("c", map[string]int64{"zero": 0})
	if g2.Len() != 2 {
		t.Errorf("restored %d streams, want 2", g2.Len())
	}
	runSteps(t, g2, "c", "p", []step{
		{4, Observation{Kind: Duplicate, Expected: 5, Previous: 4}},
		{5, Observation{Kind: InOrder, Expected: 5, Previous: 4}},
	})

	g.Forget("c")
	if g.Len() != 1 || len(g.Positions("c")) != 0 {
		t.Errorf("after Forget: Len %d, Positions %v", g.Len(), g.Positions("c"))
	}
	if _, ok := g.HighWater("other", "p"); !ok {
		t.Error("Forget dropped another channel")
	}
}

func TestGapDetectorEviction(t *testing.T) {
	const maxStreams = 50
	g := NewGapDetector(GapOptions{MaxStreams: maxStreams})
	for i := range 10 * maxStreams {
		g.Observe("c", fmt.Sprintf("p%d", i), 1)
		// Keep p0 recently used so it is never the one evicted.
		g.Observe("c", "p0", int64(i+2))
		if n := g.Len(); n > maxStreams {
			t.Fatalf("tracking %d streams, cap %d", n, maxStreams)
		}
	}
	if n := g.Len(); n != maxStreams {
		t.Errorf("Len = %d, want %d", n, maxStreams)
	}
	if n := len(g.Positions("c")); n != maxStreams {
		t.Errorf("Positions has %d producers, want %d", n, maxStreams)
	}
	if hw, ok := g.HighWater("c", "p0"); !ok || hw != 10*maxStreams+1 {
		t.Errorf("recently used stream was evicted or wrong: %d, %v", hw, ok)
	}
	if _, ok := g.HighWater("c", "p1"); ok {
		t.Error("least recently used stream was not evicted")
	}
	// An evicted stream starts over.
	if o := g.Observe("c", "p1", 7); o.Kind != First {
		t.Errorf("evicted stream observed as %v", o.Kind)
	}
}

// TestGapDetectorConcurrent drives many goroutines over shared streams under
// the race detector; each stream is fed by one goroutine in a shuffled order
// so the final state is known.
func TestGapDetectorConcurrent(t *testing.T) {
	g := NewGapDetector(GapOptions{MaxHoles: 1000})
	const workers, n = 8, 300
	var wg sync.WaitGroup
	delivered := make([]int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			seqs := make([]int64, 0, 2*n)
			for i := 1; i <= n; i++ {
				seqs = append(seqs, int64(i), int64(i)) // every number twice
			}
			// Shuffle locally so gaps and late arrivals happen, but keep the
			// first observation at 1 so the run is known.
			rng.Shuffle(len(seqs)-2, func(i, j int) { seqs[i+2], seqs[j+2] = seqs[j+2], seqs[i+2] })
			producer := fmt.Sprintf("p%d", w)
			for _, seq := range seqs {
				if g.Observe("c", producer, seq).Deliver() {
					delivered[w]++
				}
				g.Seen("c", producer, seq)
				g.Positions("c")
			}
		}()
	}
	wg.Wait()
	for w := range workers {
		if delivered[w] != n {
			t.Errorf("producer %d: delivered %d of %d distinct sequences", w, delivered[w], n)
		}
		if m := g.Missing("c", fmt.Sprintf("p%d", w)); m != nil {
			t.Errorf("producer %d: holes left %v", w, m)
		}
	}
}

func TestObservationKindString(t *testing.T) {
	kinds := map[ObservationKind]string{First: "first", InOrder: "in_order", Gap: "gap", Duplicate: "duplicate",
		Late: "late", Restart: "restart", 0: "invalid"}
	for k, want := range kinds {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", k, got, want)
		}
	}
}

func TestGapDetectorObserveAt(t *testing.T) {
	base := time.Date(2026, 5, 27, 14, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	g := NewGapDetector(GapOptions{RestartDistance: -1})
	steps := []struct {
		seq  int64
		at   time.Time
		want Observation
	}{
		{5, at(50), Observation{Kind: First}},
		{1, at(10), Observation{Kind: Duplicate, Expected: 6, Previous: 5}}, // history replay, not a restart
		{3, at(30), Observation{Kind: Duplicate, Expected: 6, Previous: 5}},
		{6, at(60), Observation{Kind: InOrder, Expected: 6, Previous: 5}},
		{6, at(60), Observation{Kind: Duplicate, Expected: 7, Previous: 6}},
		{9, at(90), Observation{Kind: Gap, Gap: 2, Expected: 7, Previous: 6}},
		{7, at(70), Observation{Kind: Late, Expected: 10, Previous: 9}},
		// Restarted producer whose first new envelope was lost: 2, not 1,
		// newer than the mark.
		{2, at(200), Observation{Kind: Restart, Gap: 1, Expected: 10, Previous: 9}},
		{3, at(210), Observation{Kind: InOrder, Expected: 3, Previous: 2}},
		{2, at(200), Observation{Kind: Duplicate, Expected: 4, Previous: 3}},
		// Without a time the sequence rules apply.
		{1, time.Time{}, Observation{Kind: Restart, Expected: 4, Previous: 3}},
	}
	for i, s := range steps {
		got := g.ObserveAt("c", "p", s.seq, s.at)
		if got != s.want {
			t.Errorf("step %d: ObserveAt(%d, %v) = %+v, want %+v", i, s.seq, s.at, got, s.want)
		}
	}
	e := &Envelope{Channel: "c", Producer: Producer{ID: "p"}, Sequence: 2, ProducedAt: at(300)}
	if got := g.ObserveEnvelope(e); got.Kind != InOrder {
		t.Errorf("ObserveEnvelope = %+v", got)
	}
	e.Sequence, e.ProducedAt = 1, at(400)
	if got := g.ObserveEnvelope(e); got.Kind != Restart {
		t.Errorf("ObserveEnvelope of a newer 1 = %+v", got)
	}
}

// TestGapDetectorInvariants feeds seeded random sequences and checks after
// every observation that the holes stay sorted, disjoint, below the mark and
// within the cap, and that no sequence is delivered twice while the stream
// does not restart.
func TestGapDetectorInvariants(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 3))
		maxHoles := 1 + rng.IntN(8)
		g := NewGapDetector(GapOptions{MaxHoles: maxHoles, RestartDistance: -1})
		delivered := map[int64]bool{}
		for i := range 500 {
			seq := int64(2 + rng.IntN(200)) // never 1: no restarts
			o := g.Observe("c", "p", seq)
			if o.Kind == Restart {
				t.Fatalf("seed %d step %d: unexpected restart", seed, i)
			}
			if o.Deliver() {
				if delivered[seq] {
					t.Fatalf("seed %d step %d: %d delivered twice (%v)", seed, i, seq, o.Kind)
				}
				delivered[seq] = true
			}
			high, _ := g.HighWater("c", "p")
			holes := g.Missing("c", "p")
			if len(holes) > maxHoles {
				t.Fatalf("seed %d step %d: %d holes, cap %d", seed, i, len(holes), maxHoles)
			}
			for j, h := range holes {
				if h.From > h.To || h.To >= high || j > 0 && holes[j-1].To+1 >= h.From {
					t.Fatalf("seed %d step %d: bad holes %v below %d", seed, i, holes, high)
				}
				for s := h.From; s <= h.To; s++ {
					if g.Seen("c", "p", s) {
						t.Fatalf("seed %d step %d: %d in a hole reported as seen", seed, i, s)
					}
				}
			}
		}
	}
}

// A producer that restarts with a clock behind its old run: ObserveAt takes
// its envelopes for replays of the old run and drops them; ObserveNew, told
// they are new, delivers them as a restart and counts the new run's
// missing first sequences.
func TestGapDetectorObserveNewRestartWithClockBehind(t *testing.T) {
	base := time.Date(2026, 5, 27, 14, 0, 0, 0, time.UTC)
	env := func(seq int64, ms int) *Envelope {
		return &Envelope{Channel: "c", Producer: Producer{ID: "p"}, Sequence: seq,
			ProducedAt: base.Add(time.Duration(ms) * time.Millisecond)}
	}
	old := NewGapDetector(GapOptions{})
	fixed := NewGapDetector(GapOptions{})
	for seq := int64(1); seq <= 10; seq++ {
		old.ObserveEnvelope(env(seq, 1000+int(seq)))
		fixed.ObserveNew(env(seq, 1000+int(seq)))
	}
	// The restarted run's clock is a second behind; its #1 and #2 were lost.
	if got := old.ObserveEnvelope(env(3, 5)); got.Kind != Duplicate {
		t.Fatalf("ObserveEnvelope after a restart with the clock behind = %+v; the test assumes Duplicate", got)
	}
	want := Observation{Kind: Restart, Gap: 2, Expected: 11, Previous: 10}
	if got := fixed.ObserveNew(env(3, 5)); got != want {
		t.Fatalf("ObserveNew(3) = %+v, want %+v", got, want)
	}
	if got := fixed.ObserveNew(env(4, 6)); got.Kind != InOrder {
		t.Errorf("ObserveNew(4) after the restart = %+v, want in order", got)
	}
	// A hole is still a hole: a new envelope inside it is late, not a restart.
	fixed.ObserveNew(env(8, 9))
	if got := fixed.ObserveNew(env(6, 8)); got.Kind != Late {
		t.Errorf("ObserveNew(6) inside the hole 5..7 = %+v, want late", got)
	}
	// A recent envelope observed again (a replay from a lagging position,
	// a retried publish stored twice) is a duplicate even when believed new.
	for _, e := range []*Envelope{env(8, 9), env(6, 8), env(4, 6)} {
		if got := fixed.ObserveNew(e); got.Kind != Duplicate {
			t.Errorf("ObserveNew of #%d again = %+v, want duplicate", e.Sequence, got)
		}
	}
	// The same number with another produced_at is another restart.
	if got := fixed.ObserveNew(env(4, 7)); got.Kind != Restart || got.Gap != 3 {
		t.Errorf("ObserveNew of another #4 = %+v, want a restart missing 3", got)
	}
}
