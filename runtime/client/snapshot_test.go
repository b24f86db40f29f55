package client

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFileSnapshotterRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq.json")
	s := NewFileSnapshotter(path)
	got, err := s.Load()
	if err != nil {
		t.Fatalf("load of a missing file: %v", err)
	}
	if len(got) != 0 {
		t.Fatalf("load of a missing file = %v, want empty", got)
	}
	want := map[string]int64{"orders:eu": 42, `we"ird`: 7, "z": 0}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err = NewFileSnapshotter(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	left, err := filepath.Glob(filepath.Join(filepath.Dir(path), ".seq.json.tmp-*"))
	if err != nil || len(left) != 0 {
		t.Errorf("temporary files left after Save: %v %v", left, err)
	}
}

func TestFileSnapshotterCorrupt(t *testing.T) {
	tests := map[string]string{
		"truncated":        `{"version":1,"sequences":{"a":4`,
		"not json":         "garbage",
		"empty":            "",
		"wrong version":    `{"version":2,"sequences":{}}`,
		"no sequences":     `{"version":1}`,
		"negative":         `{"version":1,"sequences":{"a":-1}}`,
		"string value":     `{"version":1,"sequences":{"a":"1"}}`,
		"trailing data":    `{"version":1,"sequences":{}} {}`,
		"unknown field":    `{"version":1,"sequences":{},"x":1}`,
		"empty channel":    `{"version":1,"sequences":{"":1}}`,
		"fractional value": `{"version":1,"sequences":{"a":1.5}}`,
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seq.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := NewFileSnapshotter(path).Load()
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Load(%q) error = %v, want an error naming %s", content, err, path)
			}
		})
	}
}

// faultIO wraps the OS file system and fails the named operation.
type faultIO struct {
	FileIO
	failOn string
}

var errInjected = errors.New("injected failure")

type faultFile struct {
	File
	failOn string
}

func (f faultFile) Write(p []byte) (int, error) {
	if f.failOn == "write" {
		return 0, errInjected
	}
	return f.File.Write(p)
}

func (f faultFile) Sync() error {
	if f.failOn == "sync" {
		return errInjected
	}
	return f.File.Sync()
}

func (f faultIO) CreateTemp(dir, pattern string) (File, error) {
	if f.failOn == "create" {
		return nil, errInjected
	}
	tf, err := f.FileIO.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return faultFile{tf, f.failOn}, nil
}

func (f faultIO) Rename(a, b string) error {
	if f.failOn == "rename" {
		return errInjected
	}
	return f.FileIO.Rename(a, b)
}

func (f faultIO) SyncDir(dir string) error {
	if f.failOn == "syncdir" {
		return errInjected
	}
	return f.FileIO.SyncDir(dir)
}

func (f faultIO) ReadFile(name string) ([]byte, error) {
	if f.failOn == "read" {
		return nil, errInjected
	}
	return f.FileIO.ReadFile(name)
}

func TestFileSnapshotterFailures(t *testing.T) {
	for _, op := range []string{"create", "write", "sync", "rename", "syncdir", "read"} {
		t.Run(op, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "seq.json")
			if err := NewFileSnapshotter(path).Save(map[string]int64{"a": 1}); err != nil {
				t.Fatal(err)
			}
			s := NewFileSnapshotter(path).WithFileIO(faultIO{OSFileIO(), op})
			var err error
			if op == "read" {
				_, err = s.Load()
			} else {
				err = s.Save(map[string]int64{"a": 2})
			}
			if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error = %v, want the injected failure naming %s", err, path)
			}
			got, err := NewFileSnapshotter(path).Load()
			if err != nil {
				t.Fatal(err)
			}
			want := int64(1)
			if op == "syncdir" { // the rename happened; only its durability is unknown
				want = 2
			}
			if got["a"] != want {
				t.Errorf("after a failed %s the file holds %v, want a=%d", op, got, want)
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".seq.json.tmp-*"))
			if len(left) != 0 {
				t.Errorf("temporary files left after a failed %s: %v", op, left)
			}
		})
	}
}

func TestFileSnapshotterRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "seq.json")
	stale := filepath.Join(dir, ".seq.json.tmp-123")
	if err := os.WriteFile(stale, []byte(`{"version":1,"sequ`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := NewFileSnapshotter(path)
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("Load removed a temporary file another writer may own: %v", err)
	}
	if err := s.Save(map[string]int64{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file still there: %v", err)
	}
}

const (
	snapshotWriterEnv = "PARSEC_CLIENT_SNAPSHOT_WRITER"
	snapshotChannels  = 300 // makes one state about 4 KiB, several write calls in the kernel's view
	snapshotMaxStates = 200000
)

func snapshotState(i int) map[string]int64 {
	m := make(map[string]int64, snapshotChannels)
	for c := 0; c < snapshotChannels; c++ {
		m["channel-"+strconv.Itoa(c)] = int64(i)
	}
	return m
}

// TestMain runs the child side of TestSnapshotSurvivesKill when the
// environment names a file, and the tests otherwise.
func TestMain(m *testing.M) {
	if path := os.Getenv(snapshotWriterEnv); path != "" {
		snapshotWriter(path)
	}
	os.Exit(m.Run())
}

// snapshotWriter is the child side of TestSnapshotSurvivesKill: it writes
// states 1, 2, 3, ... to path until it is killed or reaches a bound, then
// exits.
func snapshotWriter(path string) {
	s := NewFileSnapshotter(path)
	for i := 1; i <= snapshotMaxStates; i++ {
		if err := s.Save(snapshotState(i)); err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		if i == 3 {
			fmt.Println("writing")
		}
	}
	os.Exit(0)
}

// TestSnapshotSurvivesKill kills a process in the middle of its snapshot
// writes and checks the file is always one complete state.
func TestSnapshotSurvivesKill(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	rounds := 5
	if testing.Short() {
		rounds = 2
	}
	for round := 0; round < rounds; round++ {
		path := filepath.Join(t.TempDir(), "seq.json")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), snapshotWriterEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "writing" {
			_ = cmd.Process.Kill() // the round already failed; Wait reaps it
			_ = cmd.Wait()         // exit status of a killed child is not informative
			t.Fatalf("child did not start writing: %q %v", line, err)
		}
		time.Sleep(time.Duration(rng.Intn(20)) * time.Millisecond) // vary where in a write the kill lands
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("child ended with %v, want killed (it finished its bounded loop?)", err)
		}
		got, err := NewFileSnapshotter(path).Load()
		if err != nil {
			t.Fatalf("round %d: snapshot unreadable after kill: %v", round, err)
		}
		if len(got) != snapshotChannels {
			t.Fatalf("round %d: %d channels, want %d", round, len(got), snapshotChannels)
		}
		v := got["channel-0"]
		if v < 3 || v > snapshotMaxStates {
			t.Fatalf("round %d: state %d was never written completely", round, v)
		}
		if diff := cmp.Diff(snapshotState(int(v)), got); diff != "" {
			t.Fatalf("round %d: file mixes states (-want +got):\n%s", round, diff)
		}
		t.Logf("round %d: killed at state %d", round, v)
	}
}
