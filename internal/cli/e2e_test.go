package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parsec-gen/parsec-gen/gen"
)

// requirePipeline skips while gen.Generate is not wired yet; once it is,
// these end-to-end cases must pass.
func requirePipeline(t *testing.T) {
	t.Helper()
	_, err := gen.Generate(gen.Config{
		FS:      fstest.MapFS{"x.json": {Data: []byte(`{"type":"object"}`)}},
		Schemas: []string{"x.json"},
		Package: "x",
	})
	if err != nil && (strings.Contains(err.Error(), "not implemented") || strings.Contains(err.Error(), "not available yet")) {
		t.Skip("pending: gen.Generate pipeline not wired")
	}
}

// e2eSchemas are small aspects with a cross-file $ref into a subdirectory
// (which is not itself an aspect).
var e2eSchemas = map[string]string{
	"schemas/order_placed.json": `{
  "title": "Order placed",
  "type": "object",
  "required": ["order_id"],
  "properties": {
    "order_id": {"$ref": "defs/common.json#/$defs/OrderID"},
    "note": {"type": "string"}
  }
}
`,
	"schemas/order_cancelled.json": `{
  "type": "object",
  "required": ["order_id", "reason"],
  "properties": {
    "order_id": {"$ref": "defs/common.json#/$defs/OrderID"},
    "reason": {"enum": ["customer", "fraud"]}
  }
}
`,
	"schemas/defs/common.json": `{"$defs": {"OrderID": {"type": "string", "minLength": 1}}}
`,
}

func mainIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	t.Chdir(dir)
	t.Setenv("GOPACKAGE", "")
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestEndToEnd(t *testing.T) {
	requirePipeline(t)
	dir := t.TempDir()
	writeTree(t, dir, e2eSchemas)
	writeTree(t, dir, map[string]string{"events/doc.go": "// Package events is hand-written.\npackage events\n"})

	r := mainIn(t, dir, "generate", "-o", "events", "schemas")
	if r.code != ExitOK {
		t.Fatalf("generate: exit %d\n%s", r.code, r.stderr)
	}
	got := readTree(t, filepath.Join(dir, "events"))
	if got["doc.go"] != "// Package events is hand-written.\npackage events\n" {
		t.Errorf("a hand-written file was touched")
	}
	if _, ok := got["order_placed.parsec.go"]; !ok {
		t.Errorf("no order_placed.parsec.go among %d files", len(got))
	}
	for name, content := range got {
		if name == "doc.go" {
			continue
		}
		if !strings.HasPrefix(content, Header+"\n") {
			t.Errorf("%s does not start with the header", name)
		}
		if strings.Contains(content, dir) {
			t.Errorf("%s contains the absolute path %s", name, dir)
		}
	}
	if !strings.Contains(got["order_placed.parsec.go"], "// source: ../schemas/order_placed.json\n") {
		t.Errorf("the source line does not name ../schemas/order_placed.json, relative to the output directory")
	}
	// The schema ref (no $id) is the path relative to the root, which is the
	// schema directory itself; the $ref'd file in defs/ is no aspect.
	var shared string
	for _, content := range got {
		if strings.Contains(content, "var Aspects =") {
			shared = content
		}
	}
	if !strings.Contains(shared, `SchemaRef: "order_placed.json"`) || strings.Contains(shared, `SchemaRef: "defs/common.json"`) {
		t.Errorf("Aspects does not carry the schema ref \"order_placed.json\" (or lists defs/common.json as an aspect):\n%s", shared)
	}

	// A no-op rerun rewrites nothing and --check sees no drift.
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for name := range got {
		if err := os.Chtimes(filepath.Join(dir, "events", name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	if r := mainIn(t, dir, "generate", "-o", "events", "schemas"); r.code != ExitOK {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	for name := range got {
		st, err := os.Stat(filepath.Join(dir, "events", name))
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(old) {
			t.Errorf("%s rewritten by a no-op run", name)
		}
	}
	if r := mainIn(t, dir, "generate", "--check", "-o", "events", "schemas"); r.code != ExitOK {
		t.Errorf("--check right after generate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A schema that goes away leaves a stale file of ours: drift.
	if err := os.Remove(filepath.Join(dir, "schemas", "order_cancelled.json")); err != nil {
		t.Fatal(err)
	}
	r = mainIn(t, dir, "generate", "--check", "-o", "events", "schemas")
	if r.code != ExitFailed || !strings.Contains(r.stdout, filepath.Join("events", "order_cancelled.parsec.go")+": would remove") {
		t.Errorf("--check after deleting a schema: exit %d stdout %q, want 1 and the stale file", r.code, r.stdout)
	}
}

func TestEndToEndFailureWritesNothing(t *testing.T) {
	requirePipeline(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"schemas/good.json": `{"type":"object","properties":{"id":{"type":"string"}}}`,
		"schemas/bad.json":  "{\n  \"type\": \"object\",\n  \"properties\": {\"x\": {\"$ref\": \"#/$defs/missing\"}}\n}\n",
	})
	r := mainIn(t, dir, "generate", "-o", "out", "schemas")
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, filepath.Join("schemas", "bad.json")) {
		t.Errorf("stderr does not name the bad schema:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed generation wrote output (stat err %v)", err)
	}
}
