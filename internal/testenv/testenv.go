// Package testenv finds what the repository's tests need outside a package
// directory (the module root, the real-world schema corpus) and applies one
// rule to everything that may be missing: under CI=true a missing piece
// fails the test, elsewhere it skips it with how to get it. It also bounds
// the waits of tests (Wait, Recv).
package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// modulePath is the root module of the repository.
const modulePath = "github.com/parsec-gen/parsec-gen"

// CI reports whether the tests run in CI (CI=true), where nothing may skip
// for want of a tool, a server or the corpus.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing ends t because something it needs is missing: a failure under
// CI=true, a skip elsewhere. msg says what is missing and how to get it.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if CI() {
		t.Fatal(msg + " (CI=true: required)")
	}
	t.Skip(msg)
}

// RepoRoot returns the directory of the root module's go.mod, found by
// walking up from the working directory (a package directory under go test).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && isRootModule(data) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod of module %s above the working directory", modulePath)
		}
		dir = parent
	}
}

func isRootModule(gomod []byte) bool {
	for _, line := range bytes.Split(gomod, []byte("\n")) {
		if f := bytes.Fields(line); len(f) == 2 && string(f[0]) == "module" {
			return string(f[1]) == modulePath
		}
	}
	return false
}

// Corpus returns the schemastore corpus directory (it holds schemas/ and
// test/): $PARSEC_CORPUS, else shared/corpus/schemastore beside the
// repository. A missing corpus goes through Missing.
func Corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PARSEC_CORPUS")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared", "corpus", "schemastore")
	}
	if st, err := os.Stat(filepath.Join(dir, "schemas")); err != nil || !st.IsDir() {
		Missing(t, "corpus not found at "+dir+": set PARSEC_CORPUS to a schemastore corpus directory or place shared/ beside the repository")
	}
	return dir
}

// Wait waits for wg, at most d: a wait that does not end fails t (a
// regression that deadlocks fails the test that caused it instead of
// hanging until the global timeout). what names what is awaited.
func Wait(t testing.TB, wg *sync.WaitGroup, d time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("timed out after %s waiting for %s", d, what)
	}
}

// Recv receives one value from ch, waiting at most d; see Wait. A closed
// channel yields the zero value, as a plain receive does.
func Recv[T any](t testing.TB, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("timed out after %s waiting for %s", d, what)
		panic("unreachable")
	}
}

// RecvOK is Recv that also reports whether the value came from a send (ok
// false: ch is closed), for loops that must see ch close.
func RecvOK[T any](t testing.TB, ch <-chan T, d time.Duration, what string) (T, bool) {
	t.Helper()
	select {
	case v, ok := <-ch:
		return v, ok
	case <-time.After(d):
		t.Fatalf("timed out after %s waiting for %s", d, what)
		panic("unreachable")
	}
}
