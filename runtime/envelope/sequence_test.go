package envelope

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
)

func TestSequenceTrackerNext(t *testing.T) {
	tr := NewSequenceTracker()
	if got := tr.Peek("a"); got != 0 {
		t.Errorf("Peek of an unused channel = %d", got)
	}
	for want := int64(1); want <= 3; want++ {
		if got := tr.Next("a"); got != want {
			t.Errorf("Next(a) = %d, want %d", got, want)
		}
	}
	if got := tr.Next("b"); got != 1 {
		t.Errorf("channels share a counter: Next(b) = %d", got)
	}
	if got := tr.Peek("a"); got != 3 {
		t.Errorf("Peek(a) = %d, want 3", got)
	}
	if diff := cmp.Diff(map[string]int64{"a": 3, "b": 1}, tr.Snapshot()); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
}

func TestReservationAbortLeavesNoGap(t *testing.T) {
	tr := NewSequenceTracker()
	tr.Next("a")
	r := tr.Reserve("a")
	if r.Seq() != 2 {
		t.Fatalf("reserved %d, want 2", r.Seq())
	}
	v := tr.Version()
	r.Abort()
	r.Commit() // no-op after Abort
	if tr.Version() != v {
		t.Error("Abort changed the version")
	}
	if got := tr.Peek("a"); got != 1 {
		t.Errorf("Peek after Abort = %d, want 1", got)
	}
	r2 := tr.Reserve("a")
	if r2.Seq() != 2 {
		t.Errorf("after Abort the next reservation got %d, want 2", r2.Seq())
	}
	r2.Commit()
	r2.Abort() // no-op after Commit
	if got := tr.Next("a"); got != 3 {
		t.Errorf("Next = %d, want 3", got)
	}
}

func TestReservationBlocksOnlyItsChannel(t *testing.T) {
	tr := NewSequenceTracker()
	r := tr.Reserve("a")
	// Another channel proceeds while a is reserved.
	if got := tr.Next("b"); got != 1 {
		t.Errorf("Next(b) = %d", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := tr.ReserveContext(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ReserveContext on a busy channel: %v", err)
	}
	got := make(chan int64)
	go func() { got <- tr.Next("a") }()
	r.Commit()
	if seq := testenv.Recv(t, got, 10*time.Second, "the waiting Next"); seq != 2 {
		t.Errorf("waiting Next got %d, want 2", seq)
	}
}

// TestSequenceTrackerConcurrent: publishers race on one channel, some abort;
// the committed numbers are exactly 1..n with no gap or repeat, and Snapshot
// and Version stay consistent under the race detector.
func TestSequenceTrackerConcurrent(t *testing.T) {
	tr := NewSequenceTracker()
	const workers, perWorker = 8, 200
	var mu sync.Mutex
	var committed []int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				r := tr.Reserve("orders")
				if (w+i)%3 == 0 {
					r.Abort()
					continue
				}
				mu.Lock()
				committed = append(committed, r.Seq())
				mu.Unlock()
				r.Commit()
				if i%50 == 0 {
					tr.Snapshot()
					tr.Version()
					tr.Next("other")
				}
			}
		}()
	}
	testenv.Wait(t, &wg, time.Minute, "the concurrent workers")
	// Numbers were recorded while holding the turn, so they are in commit
	// order and must be exactly consecutive.
	for i, seq := range committed {
		if seq != int64(i+1) {
			t.Fatalf("commit %d got sequence %d", i, seq)
		}
	}
	if got := tr.Peek("orders"); got != int64(len(committed)) {
		t.Errorf("Peek = %d, want %d", got, len(committed))
	}
}

func TestSequenceTrackerRestore(t *testing.T) {
	tr := NewSequenceTracker()
	tr.Next("a")
	tr.Next("c")
	v := tr.Version()
	tr.Restore(map[string]int64{"a": 41, "b": 7, "z": -1})
	if tr.Version() == v {
		t.Error("Restore did not change the version")
	}
	if got := tr.Next("a"); got != 42 {
		t.Errorf("Next(a) after Restore = %d, want 42", got)
	}
	if got := tr.Next("b"); got != 8 {
		t.Errorf("Next(b) after Restore = %d, want 8", got)
	}
	// Restore never lowers a counter.
	tr.Restore(map[string]int64{"a": 5})
	if got := tr.Peek("a"); got != 42 {
		t.Errorf("Restore lowered a counter to %d", got)
	}
	want := map[string]int64{"a": 42, "b": 8, "c": 1}
	if diff := cmp.Diff(want, tr.Snapshot()); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}

	// A fresh tracker restored from a snapshot continues the numbering.
	tr2 := NewSequenceTracker()
	tr2.Restore(tr.Snapshot())
	if got := tr2.Next("a"); got != 43 {
		t.Errorf("restored tracker Next(a) = %d, want 43", got)
	}
}

func TestVersionCoalescing(t *testing.T) {
	tr := NewSequenceTracker()
	saved := tr.Version()
	if tr.Version() != saved {
		t.Fatal("version changed without a commit")
	}
	tr.Next("a")
	tr.Next("a")
	if tr.Version() == saved {
		t.Fatal("version did not change after commits")
	}
}
