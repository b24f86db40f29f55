package cli

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/gen"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and the testdata/diag cases from the current output")

// linesGen generates one file per schema that quotes the schema's lines, so
// a one-line edit in a long schema is a one-line change in the middle of a
// generated file.
func linesGen(cfg gen.Config) (gen.Files, error) {
	var files gen.Files
	for _, s := range cfg.Schemas {
		src, err := fs.ReadFile(cfg.FS, s)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s\n// source: %s\n\npackage %s\n\n", Header, cfg.Display(s), cfg.Package)
		for _, line := range strings.Split(strings.TrimRight(string(src), "\n"), "\n") {
			fmt.Fprintf(&b, "// %s\n", line)
		}
		files = append(files, gen.File{Name: strings.TrimSuffix(filepath.Base(s), ".json") + Suffix, Content: []byte(b.String())})
	}
	return files, nil
}

func schemaLines(n, changed int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i == changed {
			fmt.Fprintf(&b, "line %d, edited\n", i)
		} else {
			fmt.Fprintf(&b, "line %d\n", i)
		}
	}
	return b.String()
}

// TestCheckDiff is the golden test of generate --check --diff: a changed
// file (one hunk in the middle), an added one and a removed one.
func TestCheckDiff(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"schemas/order_placed.json": schemaLines(20, 0),
		"schemas/stale.json":        "gone soon\n",
	})
	var g fakeGen
	cli := func(args ...string) result {
		t.Helper()
		var out, errb strings.Builder
		e := env{
			generate: func(cfg gen.Config) (gen.Files, error) { g.cfgs = append(g.cfgs, cfg); return linesGen(cfg) },
			getenv:   func(string) string { return "" },
			getwd:    func() (string, error) { return dir, nil },
			stdout:   &out,
			stderr:   &errb,
		}
		code := run(args, e)
		return result{code, out.String(), errb.String()}
	}
	if r := cli("generate", "-o", "out", "schemas"); r.code != ExitOK {
		t.Fatalf("generate: exit %d: %s", r.code, r.stderr)
	}
	if err := os.Remove(filepath.Join(dir, "schemas", "stale.json")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{
		"schemas/order_placed.json": schemaLines(20, 11),
		"schemas/refund.json":       "a new aspect\n",
	})
	before := readTree(t, filepath.Join(dir, "out"))
	r := cli("generate", "--check", "--diff", "-o", "out", "schemas")
	if r.code != ExitFailed {
		t.Errorf("exit %d, want %d (drift)", r.code, ExitFailed)
	}
	if want := "parsec-gen: 3 generated file(s) out of date in out; run parsec-gen generate\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	golden := filepath.Join("testdata", "check_diff.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), r.stdout); diff != "" {
		t.Errorf("--check --diff output (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, readTree(t, filepath.Join(dir, "out"))); diff != "" {
		t.Errorf("--check --diff wrote (-before +after):\n%s", diff)
	}

	// The diff is a patch: applied to the output directory, it leaves no drift.
	patch := filepath.Join(t.TempDir(), "drift.patch")
	if err := os.WriteFile(patch, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	apply := exec.Command("git", "apply", "-p1", patch)
	apply.Dir = dir
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("git apply of the --diff output: %v\n%s", err, out)
	}
	if r := cli("generate", "--check", "-o", "out", "schemas"); r.code != ExitOK {
		t.Errorf("--check after applying the diff: exit %d, stdout %q", r.code, r.stdout)
	}

	if r := cli("generate", "--diff", "-o", "out", "schemas"); r.code != ExitUsage || !strings.Contains(r.stderr, "--diff needs --check") {
		t.Errorf("--diff without --check: exit %d, stderr %q; want a usage error", r.code, r.stderr)
	}
	if r := cli("generate", "-o", "out", "schemas"); r.code != ExitOK {
		t.Fatalf("generate: exit %d: %s", r.code, r.stderr)
	}
	if r := cli("generate", "--check", "--diff", "-o", "out", "schemas"); r.code != ExitOK || r.stdout != "" {
		t.Errorf("--check --diff without drift: exit %d, stdout %q; want 0 and nothing", r.code, r.stdout)
	}
}
