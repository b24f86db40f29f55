package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary act as parsec-gen when the tests below
// re-run it, so the real main, its exit code and its streams are tested.
func TestMain(m *testing.M) {
	if os.Getenv("PARSEC_GEN_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func runMain(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PARSEC_GEN_RUN_MAIN=1", "GOPACKAGE=")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func TestBinary(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "schemas"), 0o755); err != nil {
		t.Fatal(err)
	}
	schema := `{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}`
	if err := os.WriteFile(filepath.Join(dir, "schemas", "order_placed.json"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}

	if code, out, _ := runMain(t, dir, "version"); code != 0 || !strings.HasPrefix(out, "parsec-gen ") {
		t.Errorf("version: exit %d, stdout %q", code, out)
	}
	if code, _, errOut := runMain(t, dir, "generate"); code != 2 || !strings.Contains(errOut, "no schema PATH") {
		t.Errorf("usage error: exit %d, stderr %q; want 2", code, errOut)
	}
	if code, _, errOut := runMain(t, dir, "generate", "-o", "events", "schemas"); code != 0 {
		t.Fatalf("generate: exit %d, stderr:\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "events", "order_placed.parsec.go")); err != nil {
		t.Errorf("generate wrote no order_placed.parsec.go: %v", err)
	}
	if code, out, errOut := runMain(t, dir, "generate", "--check", "-o", "events", "schemas"); code != 0 {
		t.Errorf("--check after generate: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "schemas", "order_placed.json"), []byte(`{"type": "object"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runMain(t, dir, "generate", "--check", "-o", "events", "schemas"); code != 1 || !strings.Contains(out, "would change") {
		t.Errorf("--check with drift: exit %d, stdout %q; want 1", code, out)
	}
}

func TestBinaryBreaking(t *testing.T) {
	dir := t.TempDir()
	for name, schema := range map[string]string{
		"old/order.json": `{"type": "object", "properties": {"qty": {"type": "integer", "minimum": 0}}}`,
		"new/order.json": `{"type": "object", "properties": {"qty": {"type": "integer", "minimum": 1}}}`,
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(schema), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errOut := runMain(t, dir, "breaking", "--against", "old", "new"); code != 100 || !strings.Contains(out, `witness: {"qty":0}`) {
		t.Errorf("breaking: exit %d, stdout %q, stderr %q; want 100 and a witness", code, out, errOut)
	}
	if code, out, _ := runMain(t, dir, "breaking", "--against", "old", "old"); code != 0 || out != "no breaking changes\n" {
		t.Errorf("breaking against itself: exit %d, stdout %q; want 0", code, out)
	}
	if code, _, _ := runMain(t, dir, "breaking", "--against", "old", "--mode", "both", "new"); code != 2 {
		t.Errorf("breaking with a bad mode: exit %d; want 2", code)
	}
}
