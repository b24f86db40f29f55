package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// Generating from the module root and checking from the package directory
// (as go generate runs) see the same bytes: the "// source:" lines and every
// path in generated comments are relative to the output directory, not to
// the working directory.
func TestOutputIndependentOfWorkingDirectory(t *testing.T) {
	requirePipeline(t)
	dir := t.TempDir()
	writeTree(t, dir, e2eSchemas)
	if r := mainIn(t, dir, "generate", "-o", "internal/events", "-p", "events", "schemas"); r.code != ExitOK {
		t.Fatalf("generate from the root: exit %d\n%s", r.code, r.stderr)
	}
	got := readTree(t, filepath.Join(dir, "internal/events"))
	if !strings.Contains(got["order_placed.parsec.go"], "// source: ../../schemas/order_placed.json\n") {
		t.Errorf("the source line is not relative to the output directory:\n%.200s", got["order_placed.parsec.go"])
	}
	r := mainIn(t, filepath.Join(dir, "internal/events"), "generate", "--check", "-o", ".", "-p", "events", "../../schemas")
	if r.code != ExitOK {
		t.Errorf("--check from the package directory after generating from the root: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = mainIn(t, filepath.Join(dir, "schemas"), "generate", "--check", "-o", "../internal/events", "-p", "events", ".")
	if r.code != ExitOK {
		t.Errorf("--check from the schema directory: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Errors still name files relative to the working directory, where an
	// editor or a terminal resolves them.
	writeTree(t, dir, map[string]string{"schemas/bad.json": "{\n  \"type\": \"object\",\n  \"properties\": {\"x\": {\"$ref\": \"#/$defs/missing\"}}\n}\n"})
	r = mainIn(t, dir, "generate", "-o", "internal/events", "-p", "events", "schemas")
	if want := filepath.Join("schemas", "bad.json") + ":3:"; r.code != ExitFailed || !strings.HasPrefix(r.stderr, want) {
		t.Errorf("error from the root: exit %d stderr %q, want 1 and a message starting %q", r.code, r.stderr, want)
	}
}
