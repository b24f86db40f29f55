package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// SequenceSnapshotter stores a producer's per-channel sequence numbers so a
// restarted process never reuses a number it already published.
//
// The Client saves reserved high-water marks while it runs (every number it
// publishes is at most the saved value) and the exact last-issued numbers on
// Close; on New it restores what Load returns and continues above it.
type SequenceSnapshotter interface {
	// Load returns the stored sequences, or an empty map when nothing was
	// stored yet. A stored state that cannot be read is an error.
	Load() (map[string]int64, error)
	// Save replaces the stored sequences with seqs. It returns only once the
	// state is durable.
	Save(seqs map[string]int64) error
}

// File is the part of *os.File a FileSnapshotter writes through.
type File interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
}

// FileIO is the set of file operations a FileSnapshotter uses. Tests inject
// failures through it; OSFileIO is the real file system.
type FileIO interface {
	// ReadFile reads a whole file; a missing file is an fs.ErrNotExist error.
	ReadFile(name string) ([]byte, error)
	// CreateTemp creates a new file in dir as os.CreateTemp does.
	CreateTemp(dir, pattern string) (File, error)
	// Rename atomically replaces newpath with oldpath.
	Rename(oldpath, newpath string) error
	// Remove deletes a file.
	Remove(name string) error
	// SyncDir flushes a directory's entries to stable storage.
	SyncDir(dir string) error
	// Glob lists files matching pattern as filepath.Glob does.
	Glob(pattern string) ([]string, error)
}

// OSFileIO returns the FileIO of the operating system.
func OSFileIO() FileIO { return osFileIO{} }

type osFileIO struct{}

func (osFileIO) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }
func (osFileIO) CreateTemp(dir, pattern string) (File, error) {
	return os.CreateTemp(dir, pattern)
}
func (osFileIO) Rename(oldpath, newpath string) error  { return os.Rename(oldpath, newpath) }
func (osFileIO) Remove(name string) error              { return os.Remove(name) }
func (osFileIO) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }
func (osFileIO) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return serr
	}
	return cerr
}

// snapshotVersion is the version of the snapshot file format.
const snapshotVersion = 1

type snapshotFile struct {
	Version   int              `json:"version"`
	Sequences map[string]int64 `json:"sequences"`
}

// FileSnapshotter is a SequenceSnapshotter backed by one JSON file:
//
//	{"version":1,"sequences":{"orders:eu":42}}
//
// Save writes a temporary file in the same directory, syncs it, renames it
// over the snapshot and syncs the directory, so after a crash the file holds
// either the previous or the new state, never a mix. Temporary files left
// behind by a crashed writer are removed by the first Save (one process owns
// the file as its writer; Load only reads, so it is safe to call while
// another process writes). Saves are serialised; it is safe for concurrent
// use.
type FileSnapshotter struct {
	// Path is the snapshot file's path.
	Path string

	fio     FileIO
	mu      sync.Mutex
	cleaned bool
}

var _ SequenceSnapshotter = (*FileSnapshotter)(nil)

// NewFileSnapshotter returns a snapshotter for the file at path, on the
// operating system's file system (see WithFileIO).
func NewFileSnapshotter(path string) *FileSnapshotter {
	return &FileSnapshotter{Path: path, fio: OSFileIO()}
}

// WithFileIO makes f use fio for its file operations (tests inject failures
// this way) and returns f. A nil fio means OSFileIO. Call it before f is
// used.
func (f *FileSnapshotter) WithFileIO(fio FileIO) *FileSnapshotter {
	if fio == nil {
		fio = OSFileIO()
	}
	f.mu.Lock()
	f.fio = fio
	f.mu.Unlock()
	return f
}

// io returns the file operations f uses (a FileSnapshotter built as a
// literal has none set: the operating system's).
func (f *FileSnapshotter) io() FileIO {
	if f.fio == nil {
		return OSFileIO()
	}
	return f.fio
}

func (f *FileSnapshotter) tempPattern() string {
	return "." + filepath.Base(f.Path) + ".tmp-*"
}

// Load reads the snapshot. A missing file is an empty state; a file that is
// not a valid snapshot is an error naming the file.
func (f *FileSnapshotter) Load() (map[string]int64, error) {
	data, err := f.io().ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sequence snapshot %s: %w", f.Path, err)
	}
	seqs, err := parseSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("sequence snapshot %s: %w", f.Path, err)
	}
	return seqs, nil
}

// removeStaleTemps deletes temporary files a crashed Save left behind. A
// failure only leaves clutter, so it is not an error of Load.
func (f *FileSnapshotter) removeStaleTemps() {
	names, err := f.io().Glob(filepath.Join(filepath.Dir(f.Path), f.tempPattern()))
	if err != nil {
		return // the pattern is built from a file name; only ErrBadPattern is possible
	}
	for _, n := range names {
		_ = f.io().Remove(n) // best effort: a leftover temp file is harmless
	}
}

func parseSnapshot(data []byte) (map[string]int64, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sf snapshotFile
	if err := dec.Decode(&sf); err != nil {
		return nil, fmt.Errorf("corrupt: %w", err)
	}
	if dec.More() {
		return nil, errors.New("corrupt: data after the snapshot object")
	}
	if sf.Version != snapshotVersion {
		return nil, fmt.Errorf("unsupported version %d, want %d", sf.Version, snapshotVersion)
	}
	if sf.Sequences == nil {
		return nil, errors.New(`corrupt: missing "sequences"`)
	}
	for ch, n := range sf.Sequences {
		if ch == "" {
			return nil, errors.New("corrupt: empty channel name")
		}
		if n < 0 {
			return nil, fmt.Errorf("corrupt: channel %q: negative sequence %d", ch, n)
		}
	}
	return sf.Sequences, nil
}

// Save writes seqs atomically and durably.
func (f *FileSnapshotter) Save(seqs map[string]int64) error {
	data, err := encodeSnapshot(seqs)
	if err != nil {
		return fmt.Errorf("sequence snapshot %s: %w", f.Path, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.cleaned {
		f.removeStaleTemps()
		f.cleaned = true
	}
	if err := f.write(data); err != nil {
		return fmt.Errorf("sequence snapshot %s: %w", f.Path, err)
	}
	return nil
}

func encodeSnapshot(seqs map[string]int64) ([]byte, error) {
	keys := make([]string, 0, len(seqs))
	for k, n := range seqs {
		if k == "" {
			return nil, errors.New("empty channel name")
		}
		if n < 0 {
			return nil, fmt.Errorf("channel %q: negative sequence %d", k, n)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(`{"version":1,"sequences":{`)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		q, err := json.Marshal(k)
		if err != nil {
			return nil, fmt.Errorf("channel %q: %w", k, err)
		}
		b.Write(q)
		fmt.Fprintf(&b, ":%d", seqs[k])
	}
	b.WriteString("}}\n")
	return []byte(b.String()), nil
}

func (f *FileSnapshotter) write(data []byte) error {
	dir := filepath.Dir(f.Path)
	tmp, err := f.io().CreateTemp(dir, f.tempPattern())
	if err != nil {
		return err
	}
	name := tmp.Name()
	fail := func(err error) error {
		_ = tmp.Close()         // already failing; the write error is the one to report
		_ = f.io().Remove(name) // best effort: Load removes leftovers too
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		_ = f.io().Remove(name) // best effort: Load removes leftovers too
		return err
	}
	if err := f.io().Rename(name, f.Path); err != nil {
		_ = f.io().Remove(name) // best effort: Load removes leftovers too
		return err
	}
	return f.io().SyncDir(dir)
}
