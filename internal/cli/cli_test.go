package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// fakeGen stands in for gen.Generate: one file per schema whose content
// records what the CLI handed over, so tests see the Config mapping.
type fakeGen struct {
	cfgs []gen.Config
	err  error
}

func (g *fakeGen) generate(cfg gen.Config) (gen.Files, error) {
	g.cfgs = append(g.cfgs, cfg)
	if g.err != nil {
		return nil, g.err
	}
	var files gen.Files
	if cfg.Warning != nil && cfg.Package == "warns" {
		cfg.Warning(gen.Placed("schemas/x.json:1:2: a null description is treated as absent"))
	}
	for _, s := range cfg.Schemas {
		src, err := fs.ReadFile(cfg.FS, s)
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
		files = append(files, gen.File{
			Name:    base + Suffix,
			Content: fmt.Appendf(nil, "%s\n// source: %s\n\npackage %s\n\n// %d bytes\n", Header, cfg.Display(s), cfg.Package, len(src)),
		})
	}
	files = append(files, gen.File{Name: "aspects" + Suffix, Content: fmt.Appendf(nil, "%s\n\npackage %s\n", Header, cfg.Package)})
	slices.SortFunc(files, func(a, b gen.File) int { return strings.Compare(a.Name, b.Name) })
	return files, nil
}

type result struct {
	code           int
	stdout, stderr string
}

func runIn(t *testing.T, cwd string, g *fakeGen, gopackage string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{
		generate: g.generate,
		getenv: func(k string) string {
			if k == "GOPACKAGE" {
				return gopackage
			}
			return ""
		},
		getwd:  func() (string, error) { return cwd, nil },
		stdout: &out,
		stderr: &errb,
	}
	code := run(args, e)
	return result{code, out.String(), errb.String()}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		b, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[de.Name()] = string(b)
	}
	return got
}

func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"schemas/order_placed.json":      `{"type":"object"}`,
		"schemas/order_shipped.json":     `{"type":"object","properties":{"a":{"$ref":"common/defs.json"}}}`,
		"schemas/notes.txt":              `not a schema`,
		"schemas/legacy.schema":          `{"type":"string"}`,
		"schemas/common/defs.json":       `{"type":"integer"}`,
		"other/refund.json":              `{"type":"object"}`,
		"internal/events/keep.go":        "package events\n",
		"internal/events/hand.parsec.go": "package events\n",
	})
	return dir
}

func TestGenerateWritesFiles(t *testing.T) {
	dir := project(t)
	g := &fakeGen{}
	r := runIn(t, dir, g, "", "generate", "-o", "internal/events", "schemas", "schemas/legacy.schema")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if r.stdout != "" || r.stderr != "" {
		t.Errorf("a successful run prints nothing, got stdout %q stderr %q", r.stdout, r.stderr)
	}
	cfg := g.cfgs[0]
	if diff := cmp.Diff([]string{"legacy.schema", "order_placed.json", "order_shipped.json"}, cfg.Schemas); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
	if cfg.Package != "events" {
		t.Errorf("package %q, want the base name of -o", cfg.Package)
	}
	if got, want := cfg.Display("order_placed.json"), filepath.Join("schemas", "order_placed.json"); got != want {
		t.Errorf("Display = %q, want %q", got, want)
	}
	// The FS reaches what the schemas $ref, relative to the referring file.
	if _, err := fs.ReadFile(cfg.FS, "common/defs.json"); err != nil {
		t.Errorf("FS cannot reach a referenced file: %v", err)
	}
	got := readTree(t, filepath.Join(dir, "internal/events"))
	want := map[string]string{
		"keep.go":                 "package events\n",
		"hand.parsec.go":          "package events\n",
		"aspects.parsec.go":       Header + "\n\npackage events\n",
		"legacy.parsec.go":        Header + "\n// source: schemas/legacy.schema\n\npackage events\n\n// 17 bytes\n",
		"order_placed.parsec.go":  Header + "\n// source: schemas/order_placed.json\n\npackage events\n\n// 17 bytes\n",
		"order_shipped.parsec.go": Header + "\n// source: schemas/order_shipped.json\n\npackage events\n\n// 64 bytes\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output dir (-want +got):\n%s", diff)
	}
}

func TestGenerateCommonRootAcrossDirectories(t *testing.T) {
	dir := project(t)
	g := &fakeGen{}
	out := filepath.Join(dir, "out")
	r := runIn(t, filepath.Join(dir, "internal"), g, "", "generate", "-o", out, "-p", "ev", "../schemas/order_placed.json", "../other")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	cfg := g.cfgs[0]
	if diff := cmp.Diff([]string{"other/refund.json", "schemas/order_placed.json"}, cfg.Schemas); diff != "" {
		t.Errorf("schemas relative to the common directory (-want +got):\n%s", diff)
	}
	if got, want := cfg.Display("other/refund.json"), filepath.Join("..", "other", "refund.json"); got != want {
		t.Errorf("Display = %q, want the path relative to the working directory %q", got, want)
	}
}

func TestGenerateRootFlag(t *testing.T) {
	dir := project(t)
	g := &fakeGen{}
	r := runIn(t, dir, g, "", "generate", "-o", "out", "--root", ".", "schemas/order_placed.json")
	if r.code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if diff := cmp.Diff([]string{"schemas/order_placed.json"}, g.cfgs[0].Schemas); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
	// A $ref may now climb to a sibling of the schema directory.
	if _, err := fs.ReadFile(g.cfgs[0].FS, "other/refund.json"); err != nil {
		t.Errorf("FS rooted at --root cannot reach other/refund.json: %v", err)
	}
	r = runIn(t, dir, &fakeGen{}, "", "generate", "-o", "out", "--root", "other", "schemas/order_placed.json")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "does not contain") {
		t.Errorf("--root outside the inputs: exit %d, stderr %q; want exit 2 naming the problem", r.code, r.stderr)
	}
}

func TestNoopRewriteKeepsMtime(t *testing.T) {
	dir := project(t)
	args := []string{"generate", "-o", "out", "schemas/order_placed.json"}
	if r := runIn(t, dir, &fakeGen{}, "", args...); r.code != ExitOK {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, name := range []string{"order_placed.parsec.go", "aspects.parsec.go"} {
		if err := os.Chtimes(filepath.Join(dir, "out", name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	// Change one input: only its file is rewritten.
	writeTree(t, dir, map[string]string{"schemas/order_placed.json": `{"type":"object","title":"x"}`})
	if r := runIn(t, dir, &fakeGen{}, "", args...); r.code != ExitOK {
		t.Fatalf("second run: exit %d: %s", r.code, r.stderr)
	}
	st, err := os.Stat(filepath.Join(dir, "out", "aspects.parsec.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !st.ModTime().Equal(old) {
		t.Errorf("unchanged file was rewritten: mtime %v, want %v", st.ModTime(), old)
	}
	st, err = os.Stat(filepath.Join(dir, "out", "order_placed.parsec.go"))
	if err != nil {
		t.Fatal(err)
	}
	if st.ModTime().Equal(old) {
		t.Errorf("changed file was not rewritten")
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "out", ".*tmp*")); len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestPruneOnlyOurs(t *testing.T) {
	dir := project(t)
	writeTree(t, dir, map[string]string{
		"out/stale.parsec.go":     Header + "\n// source: gone.json\n\npackage out\n",
		"out/stalecrlf.parsec.go": Header + "\r\n\r\npackage out\r\n",
		"out/foreign.parsec.go":   "// Code generated by other-tool. DO NOT EDIT.\n\npackage out\n",
		"out/later.parsec.go":     "package out\n\n" + Header + "\n",
		"out/ours_but_suffix.go":  Header + "\n\npackage out\n",
		"out/README.md":           Header + "\n",
	})
	if r := runIn(t, dir, &fakeGen{}, "", "generate", "-o", "out", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var names []string
	for name := range readTree(t, filepath.Join(dir, "out")) {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"README.md", "aspects.parsec.go", "foreign.parsec.go", "later.parsec.go", "order_placed.parsec.go", "ours_but_suffix.go"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("after prune (-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	dir := project(t)
	args := []string{"generate", "--check", "-o", "out", "schemas/order_placed.json"}
	r := runIn(t, dir, &fakeGen{}, "", args...)
	if r.code != ExitFailed {
		t.Fatalf("check of a missing output: exit %d, want 1", r.code)
	}
	wantOut := filepath.Join("out", "aspects.parsec.go") + ": would add\n" + filepath.Join("out", "order_placed.parsec.go") + ": would add\n"
	if r.stdout != wantOut {
		t.Errorf("check listing:\n%s\nwant:\n%s", r.stdout, wantOut)
	}
	if !strings.Contains(r.stderr, "2 generated file(s) out of date") {
		t.Errorf("stderr %q does not summarise the drift", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("--check created the output directory (stat err %v)", err)
	}

	if r := runIn(t, dir, &fakeGen{}, "", "generate", "-o", "out", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("generate: exit %d: %s", r.code, r.stderr)
	}
	if r := runIn(t, dir, &fakeGen{}, "", args...); r.code != ExitOK || r.stdout != "" {
		t.Errorf("check without drift: exit %d stdout %q stderr %q, want 0 and nothing", r.code, r.stdout, r.stderr)
	}

	// Drift of every kind: a changed input, a stale file of ours.
	writeTree(t, dir, map[string]string{
		"schemas/order_placed.json": `{}`,
		"out/old.parsec.go":         Header + "\n\npackage out\n",
	})
	before := readTree(t, filepath.Join(dir, "out"))
	r = runIn(t, dir, &fakeGen{}, "", args...)
	wantOut = filepath.Join("out", "old.parsec.go") + ": would remove\n" + filepath.Join("out", "order_placed.parsec.go") + ": would change\n"
	if r.code != ExitFailed || r.stdout != wantOut {
		t.Errorf("check with drift: exit %d stdout:\n%s\nwant exit 1 and:\n%s", r.code, r.stdout, wantOut)
	}
	if diff := cmp.Diff(before, readTree(t, filepath.Join(dir, "out"))); diff != "" {
		t.Errorf("--check wrote (-before +after):\n%s", diff)
	}
}

func TestFailureWritesNothing(t *testing.T) {
	dir := project(t)
	writeTree(t, dir, map[string]string{"out/stale.parsec.go": Header + "\n\npackage out\n"})
	g := &fakeGen{err: errors.New("schemas/a.json:1:2: first problem\nschemas/b.json#/properties/x: second problem")}
	r := runIn(t, dir, g, "", "generate", "-o", "out", "schemas")
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if want := "schemas/a.json:1:2: first problem\nschemas/b.json#/properties/x: second problem\n"; r.stderr != want {
		t.Errorf("stderr:\n%s\nwant the errors one per line:\n%s", r.stderr, want)
	}
	if diff := cmp.Diff(map[string]string{"stale.parsec.go": Header + "\n\npackage out\n"}, readTree(t, filepath.Join(dir, "out"))); diff != "" {
		t.Errorf("a failed run touched the output (-want +got):\n%s", diff)
	}
}

func TestRefEscapeHint(t *testing.T) {
	dir := project(t)
	cases := []struct {
		err  string
		hint bool
	}{
		{`schemas/order_placed.json:1:44: $ref "../other/refund.json": cannot read schema: open other/refund.json: no such file or directory`, true},
		{`schemas/order_placed.json#/properties/a: $ref "../../x.json#/$defs/y": cannot read schema`, true},
		{`schemas/order_placed.json:1:44: $ref "common/missing.json": cannot read schema`, false},
		{`schemas/common/defs.json:3:4: $ref "../order_placed.json": cannot read schema`, false},
		{`schemas/order_placed.json:1:44: $ref "#/$defs/nope": nothing there`, false},
		{`schemas/order_placed.json:1:44: remote $ref "https://example.com/../x.json" is not supported`, false},
	}
	for _, c := range cases {
		r := runIn(t, dir, &fakeGen{err: errors.New(c.err)}, "", "generate", "-o", "out", "schemas/order_placed.json", "schemas/order_shipped.json")
		got := strings.Contains(r.stderr, "hint: ") && strings.Contains(r.stderr, "pass --root")
		if r.code != ExitFailed || got != c.hint {
			t.Errorf("error %q: exit %d, stderr:\n%s\nwant a --root hint: %v", c.err, r.code, r.stderr, c.hint)
		}
	}
}

func TestInternalErrorOnBadFileName(t *testing.T) {
	dir := project(t)
	for _, name := range []string{"../escape.parsec.go", "sub/x.parsec.go", ""} {
		g := func(gen.Config) (gen.Files, error) {
			return gen.Files{{Name: "ok.parsec.go", Content: []byte(Header + "\n")}, {Name: name, Content: []byte("x")}}, nil
		}
		var out, errb bytes.Buffer
		code := run([]string{"generate", "-o", "out", "schemas"}, env{generate: g, getenv: func(string) string { return "" }, getwd: func() (string, error) { return dir, nil }, stdout: &out, stderr: &errb})
		if code != ExitFailed || !strings.Contains(errb.String(), "internal error") {
			t.Errorf("file name %q: exit %d stderr %q, want 1 and an internal error", name, code, errb.String())
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("file name %q: output written despite the error", name)
		}
	}
}

func TestPackageName(t *testing.T) {
	dir := project(t)
	cases := []struct {
		name, gopackage, out string
		args                 []string
		want                 string
	}{
		{name: "flag wins", gopackage: "fromenv", out: "x", args: []string{"-p", "flagpkg"}, want: "flagpkg"},
		{name: "GOPACKAGE", gopackage: "fromenv", out: "x", want: "fromenv"},
		{name: "base of -o", out: "internal/order-events", want: "orderevents"},
		{name: "base of -o upper", out: "Order_Events.v2", want: "order_eventsv2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &fakeGen{}
			args := append([]string{"generate", "-o", c.out}, c.args...)
			args = append(args, "schemas/order_placed.json")
			r := runIn(t, dir, g, c.gopackage, args...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if g.cfgs[0].Package != c.want {
				t.Errorf("package %q, want %q", g.cfgs[0].Package, c.want)
			}
		})
	}
}

func TestWarningsGoToStderr(t *testing.T) {
	dir := project(t)
	r := runIn(t, dir, &fakeGen{}, "", "generate", "-o", "out", "-p", "warns", "schemas/order_placed.json")
	if r.code != ExitOK || r.stderr != "warning: schemas/x.json:1:2: a null description is treated as absent\n" || r.stdout != "" {
		t.Errorf("exit %d stdout %q stderr %q; want 0 and the warning on stderr", r.code, r.stdout, r.stderr)
	}
}

func TestInitialisms(t *testing.T) {
	dir := project(t)
	g := &fakeGen{}
	if r := runIn(t, dir, g, "", "generate", "-o", "out", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if g.cfgs[0].Initialisms != nil {
		t.Errorf("without --initialism the generator's default (nil) is passed, got %v", g.cfgs[0].Initialisms)
	}
	if r := runIn(t, dir, g, "", "generate", "-o", "out", "--initialism", "sku", "--initialism", "EAN,GTIN", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := append(naming.DefaultInitialisms(), "SKU", "EAN", "GTIN")
	if diff := cmp.Diff(want, g.cfgs[1].Initialisms); diff != "" {
		t.Errorf("initialisms extend the default list (-want +got):\n%s", diff)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := project(t)
	cases := []struct {
		name      string
		gopackage string
		args      []string
		stderr    string
	}{
		{name: "no command", args: nil, stderr: "missing command"},
		{name: "unknown command", args: []string{"frobnicate"}, stderr: `unknown command "frobnicate"`},
		{name: "unknown flag", args: []string{"generate", "--frob", "-o", "out", "schemas"}, stderr: "unknown flag: --frob"},
		{name: "missing out", args: []string{"generate", "schemas"}, stderr: `required flag(s) "out" not set`},
		{name: "no paths", args: []string{"generate", "-o", "out"}, stderr: "no schema PATH"},
		{name: "bad -p", args: []string{"generate", "-o", "out", "-p", "my-pkg", "schemas"}, stderr: `-p "my-pkg" is not a valid Go package name`},
		{name: "keyword -p", args: []string{"generate", "-o", "out", "-p", "type", "schemas"}, stderr: `-p "type" is not a valid`},
		{name: "bad GOPACKAGE", gopackage: "9x", args: []string{"generate", "-o", "out", "schemas"}, stderr: `$GOPACKAGE "9x"`},
		{name: "underivable package", args: []string{"generate", "-o", "2024", "schemas"}, stderr: `cannot derive a Go package name from the output directory "2024"`},
		{name: "bad initialism", args: []string{"generate", "-o", "out", "--initialism", "a-b", "schemas"}, stderr: `--initialism "a-b"`},
		{name: "bad default draft", args: []string{"generate", "-o", "out", "--default-draft", "draft-05", "schemas"}, stderr: `--default-draft: unknown draft "draft-05", want one of draft-03, draft-04, draft-06, draft-07, 2019-09, 2020-12`},
		{name: "bad embed-schema", args: []string{"generate", "-o", "out", "--embed-schema", "minified", "schemas"}, stderr: `--embed-schema: "minified" is not "compact" or "verbatim"`},
		{name: "version args", args: []string{"version", "extra"}, stderr: "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := &fakeGen{}
			r := runIn(t, dir, g, c.gopackage, c.args...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, c.stderr) || !strings.Contains(r.stderr, "--help' for usage") {
				t.Errorf("stderr %q, want it to contain %q and a usage hint", r.stderr, c.stderr)
			}
			if len(g.cfgs) != 0 {
				t.Errorf("the generator ran despite a usage error")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a usage error wrote output")
	}
}

func TestInputErrors(t *testing.T) {
	dir := project(t)
	writeTree(t, dir, map[string]string{"empty/notes.txt": "x"})
	cases := []struct {
		args   []string
		stderr string
	}{
		{[]string{"generate", "-o", "out", "missing.json"}, "missing.json: no such file or directory"},
		{[]string{"generate", "-o", "out", "empty"}, "empty: directory holds no *.json schema"},
	}
	for _, c := range cases {
		r := runIn(t, dir, &fakeGen{}, "", c.args...)
		if r.code != ExitFailed || !strings.Contains(r.stderr, c.stderr) {
			t.Errorf("%v: exit %d stderr %q, want 1 and %q", c.args, r.code, r.stderr, c.stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	r := runIn(t, t.TempDir(), &fakeGen{}, "", "version")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	v, ok := strings.CutPrefix(r.stdout, "parsec-gen ")
	if !ok || strings.TrimSpace(v) == "" || !strings.HasSuffix(v, "\n") {
		t.Errorf("version output %q, want \"parsec-gen <version>\\n\"", r.stdout)
	}
	if strings.TrimSpace(v) != versionText() {
		t.Errorf("printed %q, want %q", v, versionText())
	}
}

func TestVersionFrom(t *testing.T) {
	cases := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"installed at a version", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.2.3"}}, "v1.2.3"},
		{"built in the repository", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, "(devel)"},
		{"no version recorded", debug.BuildInfo{Main: debug.Module{Path: modulePath}}, "(devel)"},
		{"a consumer's go tool", debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "github.com/spf13/cobra", Version: "v1.10.2"}, {Path: modulePath, Version: "v0.4.0"}}}, "v0.4.0"},
		{"a consumer's replace to a directory", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v0.4.0", Replace: &debug.Module{Path: "../parsec-gen"}}}}, "(devel)"},
		{"a consumer's replace to a version", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v0.4.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v0.4.1"}}}}, "v0.4.1"},
	}
	for _, c := range cases {
		if got := versionFrom(&c.bi); got != c.want {
			t.Errorf("%s: versionFrom = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	r := runIn(t, t.TempDir(), &fakeGen{}, "", "generate", "--help")
	if r.code != ExitOK || !strings.Contains(r.stdout, "parsec-gen generate -o internal/events") {
		t.Errorf("generate --help: exit %d, stdout %q; want 0 and the example", r.code, r.stdout)
	}
}
