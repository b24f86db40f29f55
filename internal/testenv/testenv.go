// Package testenv finds what the repository's tests need outside a package
// directory (the module root, the real-world schema corpus) and applies one
// rule to everything that may be missing: under CI=true a missing piece
// fails the test, elsewhere it skips it with how to get it.
package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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
