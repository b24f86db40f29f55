package client

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

func TestSnapshotCleanRestartContinues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq.json")
	tr := NewMemoryTransport()
	c, err := New(WithTransport(tr), WithProducer(alice), WithSnapshotter(NewFileSnapshotter(path)), WithSnapshotReserve(10))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 25; i++ {
		publish(t, c, "c", "a", nil)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, tr.Peer(), WithProducer(alice), WithSnapshotter(NewFileSnapshotter(path)))
	if env := publish(t, c2, "c", "a", nil); env.Sequence != 26 {
		t.Errorf("after a clean restart the next sequence is %d, want 26", env.Sequence)
	}
}

func TestSnapshotCrashNeverReuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq.json")
	tr := NewMemoryTransport()
	crashed := newClient(t, tr, WithProducer(alice), WithSnapshotter(NewFileSnapshotter(path)), WithSnapshotReserve(10))
	var last int64
	for i := 0; i < 25; i++ {
		last = publish(t, crashed, "c", "a", nil).Sequence
	}
	// No Close: a second process starts from whatever is on disk now (the
	// first client's Close at cleanup happens after this test's reads).
	stored, err := NewFileSnapshotter(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if stored["c"] < last {
		t.Fatalf("durable mark %d is below the published #%d", stored["c"], last)
	}
	if stored["c"] > last+2*10 {
		t.Errorf("durable mark %d runs more than two reserves ahead of #%d", stored["c"], last)
	}
	restarted := newClient(t, tr.Peer(), WithProducer(alice), WithSnapshotter(memSnap(stored)))
	if env := publish(t, restarted, "c", "a", nil); env.Sequence <= last {
		t.Errorf("after a crash the next sequence is %d, reusing a number <= %d", env.Sequence, last)
	}
}

// memSnapshotter is an in-memory SequenceSnapshotter.
type memSnapshotter struct {
	mu    sync.Mutex
	state map[string]int64
	saves int
}

func memSnap(m map[string]int64) *memSnapshotter { return &memSnapshotter{state: m} }

func (m *memSnapshotter) Load() (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.state))
	for k, v := range m.state {
		out[k] = v
	}
	return out, nil
}

func (m *memSnapshotter) Save(s map[string]int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = make(map[string]int64, len(s))
	for k, v := range s {
		m.state[k] = v
	}
	m.saves++
	return nil
}

// TestSnapshotConcurrentNeverBehind publishes from several goroutines on two
// channels and checks after every publish that the file on disk covers the
// number just published and never moves backwards.
func TestSnapshotConcurrentNeverBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq.json")
	c := newClient(t, NewMemoryTransport(), WithProducer(alice), WithSnapshotter(NewFileSnapshotter(path)), WithSnapshotReserve(16))
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		ch := []string{"a", "b"}[g%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			reader := NewFileSnapshotter(path)
			var seen int64
			for i := 0; i < 60; i++ {
				env, err := c.PublishAspect(context.Background(), ch, "x", nil)
				if err != nil {
					t.Error(err)
					return
				}
				stored, err := reader.Load()
				if err != nil {
					t.Error(err)
					return
				}
				if stored[ch] < env.Sequence || stored[ch] < seen {
					t.Errorf("%s: file holds %d after publishing #%d (previously read %d)", ch, stored[ch], env.Sequence, seen)
					return
				}
				seen = stored[ch]
			}
		}()
	}
	wg.Wait()
}

// switchIO fails renames while failing is set.
type switchIO struct {
	FileIO
	failing atomic.Bool
}

func (s *switchIO) Rename(a, b string) error {
	if s.failing.Load() {
		return errInjected
	}
	return s.FileIO.Rename(a, b)
}

func TestSnapshotWriteFailureFailsPublishWithoutGap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq.json")
	fio := &switchIO{FileIO: OSFileIO()}
	var errs errLog
	c := newClient(t, NewMemoryTransport(), WithProducer(alice), WithSnapshotter(NewFileSnapshotter(path).WithFileIO(fio)),
		WithSnapshotReserve(4), WithErrorHandler(errs.add))
	last := publish(t, c, "c", "a", nil).Sequence
	fio.failing.Store(true)
	var failed error
	for i := 0; i < 100 && failed == nil; i++ {
		env, err := c.PublishAspect(context.Background(), "c", "a", nil)
		if err != nil {
			failed = err
			break
		}
		last = env.Sequence
	}
	if !errors.Is(failed, errInjected) {
		t.Fatalf("publishing past the durable mark while writes fail: %v, want the injected error", failed)
	}
	fio.failing.Store(false)
	if env := publish(t, c, "c", "a", nil); env.Sequence != last+1 {
		t.Errorf("after the failure the next sequence is %d, want %d (no gap)", env.Sequence, last+1)
	}
	if len(errs.all()) == 0 {
		t.Error("the failed snapshot write was not reported to the error hook")
	}
}

func TestSnapshotRestoreNeverLowersTracker(t *testing.T) {
	seqs := envelope.NewSequenceTracker()
	for i := 0; i < 7; i++ {
		seqs.Next("c")
	}
	c := newClient(t, NewMemoryTransport(), WithProducer(alice), WithSequenceTracker(seqs),
		WithSnapshotter(memSnap(map[string]int64{"c": 3, "d": 9})))
	if env := publish(t, c, "c", "a", nil); env.Sequence != 8 {
		t.Errorf("c continues at %d, want 8 (the tracker was ahead of the snapshot)", env.Sequence)
	}
	if env := publish(t, c, "d", "a", nil); env.Sequence != 10 {
		t.Errorf("d continues at %d, want 10 (from the snapshot)", env.Sequence)
	}
}

// TestSnapshotWritesCoalesced: the snapshot is written about once per half
// reserve, not once per publish.
func TestSnapshotWritesCoalesced(t *testing.T) {
	snap := memSnap(nil)
	c, err := New(WithTransport(NewMemoryTransport(MemoryHistorySize(16))), WithProducer(alice), WithSnapshotter(snap), WithSnapshotReserve(1000))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	for i := 0; i < n; i++ {
		publish(t, c, "c", "a", nil)
	}
	snap.mu.Lock()
	saves := snap.saves
	mark := snap.state["c"]
	snap.mu.Unlock()
	if mark < n {
		t.Errorf("durable mark %d is below the %d published", mark, n)
	}
	// One write per 500 publishes at most when the writer keeps up; allow
	// for a writer that runs late and covers more per write, never more.
	if saves > n/500+2 {
		t.Errorf("%d snapshot writes for %d publishes, want at most %d", saves, n, n/500+2)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got := snap.state["c"]; got != n {
		t.Errorf("after Close the snapshot holds %d, want exactly %d", got, n)
	}
	t.Logf("%d writes for %d publishes", saves, n)
}
