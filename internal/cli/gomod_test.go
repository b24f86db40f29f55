package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// After a generate into a module whose go.mod does not yet require what the
// generated code imports (jx), the command says to run go mod tidy; once it
// does, or under --check, it says nothing.
func TestGoModTidyNote(t *testing.T) {
	requirePipeline(t)
	dir := t.TempDir()
	writeTree(t, dir, e2eSchemas)
	// A union's decoder reads tokens with jx.
	writeTree(t, dir, map[string]string{"schemas/picked.json": `{"type": "object", "properties": {"v": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}`})
	writeTree(t, dir, map[string]string{"go.mod": "module example.com/consumer\n\ngo 1.25\n\ntool github.com/parsec-gen/parsec-gen/cmd/parsec-gen\n\nrequire github.com/parsec-gen/parsec-gen v0.1.0\n"})
	r := mainIn(t, dir, "generate", "-o", "events", "schemas")
	want := "note: the generated code imports github.com/go-faster/jx, which go.mod does not require yet; run go mod tidy\n"
	if r.code != ExitOK || r.stderr != want {
		t.Errorf("first generate: exit %d stderr %q, want 0 and %q", r.code, r.stderr, want)
	}
	if r := mainIn(t, dir, "generate", "--check", "-o", "events", "schemas"); r.code != ExitOK || r.stderr != "" {
		t.Errorf("--check: exit %d stderr %q, want 0 and no note", r.code, r.stderr)
	}
	writeTree(t, dir, map[string]string{"go.mod": "module example.com/consumer\n\ngo 1.25\n\nrequire (\n\tgithub.com/go-faster/jx v1.2.0 // indirect\n\tgithub.com/parsec-gen/parsec-gen v0.1.0\n)\n"})
	if r := mainIn(t, filepath.Join(dir, "events"), "generate", "-o", ".", "../schemas"); r.code != ExitOK || strings.Contains(r.stderr, "note:") {
		t.Errorf("generate after tidy: exit %d stderr %q, want 0 and no note", r.code, r.stderr)
	}
}
