package gen_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/naming"
	"github.com/parsec-gen/parsec-gen/internal/corpustest"
)

var update = flag.Bool("update", false, "rewrite the expectations of the golden cases in testdata/golden")

// A golden case is a txtar archive in testdata/golden. Its comment says what
// the case is about. Sections:
//
//	-- args --          optional: -p PKG, -initialism WORD (repeatable, added
//	                    to the default list), -default-draft NAME,
//	                    -assert-formats and the
//	                    schema paths to generate; by default package
//	                    "events" and every *.json file directly in schemas/
//	-- pending --       optional: the feature the case waits for; the case is
//	                    skipped with "pending: <text>" while this is present
//	-- schemas/... --   input files, the generator's file system
//	-- registry.json -- a registry snapshot to generate from instead of
//	                    schemas/ (shown as "registry.json" in errors)
//	-- out/NAME --      an expected output file
//	-- stderr --        the expected error text, for a case that must fail
//	-- test/NAME_test.go -- optional: a test file placed beside the output;
//	                    the compile tier runs "go test" on such packages, so
//	                    a case can show that the generated code works
//
// "go test ./gen -update" rewrites out/ and stderr from what Generate returns.
type goldenCase struct {
	name    string // file name without .txtar
	file    string
	archive *txtar.Archive
	fsys    fstest.MapFS
	cfg     gen.Config
	pending string
	// registry is the snapshot of a case generated from registry.json.
	registry *gen.Snapshot
	want     map[string][]byte // out/ files by base name
	tests    map[string][]byte // test/ files by base name
	stderr   []byte
	hasErr   bool
}

func loadGoldenCases(t testing.TB) []*goldenCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden cases in testdata/golden")
	}
	var cases []*goldenCase
	for _, file := range files {
		c, err := parseGoldenCase(file)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	return cases
}

func parseGoldenCase(file string) (*goldenCase, error) {
	a, err := txtar.ParseFile(file)
	if err != nil {
		return nil, err
	}
	c := &goldenCase{
		name:    strings.TrimSuffix(filepath.Base(file), ".txtar"),
		file:    file,
		archive: a,
		fsys:    fstest.MapFS{},
		want:    map[string][]byte{},
		tests:   map[string][]byte{},
	}
	var args []string
	seen := map[string]bool{}
	for _, f := range a.Files {
		if seen[f.Name] {
			return nil, fmt.Errorf("%s: section %q appears twice", file, f.Name)
		}
		seen[f.Name] = true
		switch {
		case f.Name == "args":
			args = strings.Fields(string(f.Data))
		case f.Name == "pending":
			c.pending = strings.TrimSpace(string(f.Data))
			if c.pending == "" {
				return nil, fmt.Errorf("%s: the pending section must say what the case waits for", file)
			}
		case f.Name == "stderr":
			c.stderr, c.hasErr = f.Data, true
		case strings.HasPrefix(f.Name, "out/"):
			c.want[strings.TrimPrefix(f.Name, "out/")] = f.Data
		case strings.HasPrefix(f.Name, "schemas/"):
			c.fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		case f.Name == "registry.json":
			c.registry = &gen.Snapshot{Data: f.Data, Display: f.Name}
		case strings.HasPrefix(f.Name, "test/") && strings.HasSuffix(f.Name, "_test.go"):
			c.tests[strings.TrimPrefix(f.Name, "test/")] = f.Data
		default:
			return nil, fmt.Errorf("%s: unknown section %q (want args, pending, stderr, out/..., test/..._test.go, schemas/..., registry.json)", file, f.Name)
		}
	}
	fl := flag.NewFlagSet(file, flag.ContinueOnError)
	fl.SetOutput(new(bytes.Buffer))
	pkg := fl.String("p", "events", "package name")
	draft := fl.String("default-draft", "", "draft of schemas without $schema")
	assertFormats := fl.Bool("assert-formats", false, "every known format asserts")
	var initialisms []string
	fl.Func("initialism", "extra initialism", func(s string) error {
		initialisms = append(initialisms, s)
		return nil
	})
	if err := fl.Parse(args); err != nil {
		return nil, fmt.Errorf("%s: args: %v", file, err)
	}
	schemas := fl.Args()
	if len(schemas) == 0 {
		for name := range c.fsys {
			if path.Dir(name) == "schemas" && strings.HasSuffix(name, ".json") {
				schemas = append(schemas, name)
			}
		}
		sort.Strings(schemas)
	}
	if len(schemas) == 0 && c.registry == nil {
		return nil, fmt.Errorf("%s: no schemas/*.json input", file)
	}
	if initialisms != nil {
		// Like the CLI's --initialism: extra words on top of the default list.
		initialisms = append(naming.DefaultInitialisms(), initialisms...)
	}
	c.cfg = gen.Config{FS: c.fsys, Schemas: schemas, Package: *pkg, Initialisms: initialisms, DefaultDraft: *draft, AssertFormats: *assertFormats}
	if c.registry != nil {
		if len(schemas) > 0 {
			return nil, fmt.Errorf("%s: a case generates from registry.json or from schemas/, not both", file)
		}
		c.cfg = gen.Config{Registry: c.registry, Package: *pkg, Initialisms: initialisms, DefaultDraft: *draft, AssertFormats: *assertFormats}
	}
	if c.hasErr && len(c.want) > 0 {
		return nil, fmt.Errorf("%s: a case expects either out/ files or stderr, not both", file)
	}
	if len(c.tests) > 0 && c.hasErr {
		return nil, fmt.Errorf("%s: test/ files need out/ files to test, not stderr", file)
	}
	return c, nil
}

// generateCase runs Generate and returns its files by name, or the error
// text as the stderr section holds it (with the error itself). A nil
// stderr with an error means the output itself is unusable.
func generateCase(cfg gen.Config) (map[string][]byte, []byte, error) {
	files, err := gen.Generate(cfg)
	if err != nil {
		return nil, []byte(strings.TrimRight(err.Error(), "\n") + "\n"), err
	}
	out := map[string][]byte{}
	for _, f := range files {
		if _, dup := out[f.Name]; dup {
			return nil, nil, fmt.Errorf("file %q generated twice", f.Name)
		}
		out[f.Name] = f.Content
	}
	return out, nil, nil
}

func TestGolden(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if c.pending != "" {
				t.Skip("pending: " + c.pending)
			}
			got, stderr, err := generateCase(c.cfg)
			if err != nil && stderr == nil {
				t.Fatal(err)
			}
			if *update {
				if err := c.rewrite(got, stderr); err != nil {
					t.Fatal(err)
				}
				return
			}
			if len(c.want) == 0 && !c.hasErr {
				t.Fatalf("%s has no expectation: run go test ./gen -run TestGolden/%s -update", c.file, c.name)
			}
			if c.hasErr {
				if err == nil {
					t.Fatalf("Generate succeeded, want the error:\n%s", c.stderr)
				}
				if diff := cmp.Diff(string(c.stderr), string(stderr)); diff != "" {
					t.Errorf("stderr (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Generate failed:\n%s", stderr)
			}
			if diff := cmp.Diff(stringMap(c.want), stringMap(got)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			for name, content := range got {
				if !bytes.HasPrefix(content, []byte("// Code generated by parsec-gen. DO NOT EDIT.\n")) {
					t.Errorf("%s does not start with the generated-code header", name)
				}
			}
		})
	}
}

// TestGoldenDeterministic generates every case twice and once more with the
// schema list in a shuffled order: the bytes must not change.
func TestGoldenDeterministic(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if c.pending != "" {
				t.Skip("pending: " + c.pending)
			}
			first, firstErr, err := generateCase(c.cfg)
			if err != nil && firstErr == nil {
				t.Fatal(err)
			}
			second, secondErr, err := generateCase(c.cfg)
			if err != nil && secondErr == nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(stringMap(first), stringMap(second)); diff != "" || !bytes.Equal(firstErr, secondErr) {
				t.Errorf("two runs differ (-first +second):\n%s%s", diff, cmp.Diff(string(firstErr), string(secondErr)))
			}
			if len(c.cfg.Schemas) < 2 {
				return
			}
			rng := rand.New(rand.NewPCG(uint64(len(c.name)), 1))
			for range 3 {
				cfg := c.cfg
				cfg.Schemas = slices.Clone(c.cfg.Schemas)
				rng.Shuffle(len(cfg.Schemas), func(i, j int) { cfg.Schemas[i], cfg.Schemas[j] = cfg.Schemas[j], cfg.Schemas[i] })
				shuffled, shuffledErr, err := generateCase(cfg)
				if err != nil && shuffledErr == nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(stringMap(first), stringMap(shuffled)); diff != "" || !bytes.Equal(firstErr, shuffledErr) {
					t.Errorf("schema order %v changes the output (-sorted +shuffled):\n%s%s", cfg.Schemas, diff, cmp.Diff(string(firstErr), string(shuffledErr)))
				}
			}
		})
	}
}

// TestGoldenStableNames generates each schema of a multi-schema case on its
// own: the types its file declares must be declared under the same names,
// in the same order, when the other schemas are generated with it (adding a
// schema never renames a type of another; a shared file may gain types).
func TestGoldenStableNames(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		if c.pending != "" || c.hasErr || len(c.cfg.Schemas) < 2 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			all, _, err := generateCase(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, schema := range c.cfg.Schemas {
				cfg := c.cfg
				cfg.Schemas = []string{schema}
				alone, stderr, err := generateCase(cfg)
				if err != nil {
					t.Errorf("%s alone does not generate: %s", schema, stderr)
					continue
				}
				for name, content := range alone {
					if all[name] == nil {
						t.Errorf("%s is generated for %s alone but not with every schema", name, schema)
						continue
					}
					if sourceLine(content) != sourceLine(all[name]) {
						continue
					}
					want, err := declaredTypes(name, content)
					if err != nil {
						t.Fatal(err)
					}
					got, err := declaredTypes(name, all[name])
					if err != nil {
						t.Fatal(err)
					}
					// A shared file may declare more types when more schemas
					// use it; those it declares for one schema keep their
					// names and their order.
					if kept := slices.DeleteFunc(slices.Clone(got), func(n string) bool { return !slices.Contains(want, n) }); !slices.Equal(kept, want) {
						t.Errorf("%s: types declared with %s alone (-) and with every schema (+):\n%s", name, schema, cmp.Diff(want, got))
					}
				}
			}
		})
	}
}

// sourceLine returns the "// source:" line of a generated file. A file
// whose source line changes when more schemas are generated belongs to the
// package as a whole (it lists every aspect), not to one schema.
func sourceLine(content []byte) string {
	for _, line := range strings.SplitN(string(content), "\n", 4) {
		if strings.HasPrefix(line, "// source: ") {
			return line
		}
	}
	return ""
}

// declaredTypes lists the type names a Go file declares, in order.
func declaredTypes(name string, src []byte) ([]string, error) {
	if src == nil {
		return nil, nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			for _, spec := range g.Specs {
				names = append(names, spec.(*ast.TypeSpec).Name.Name)
			}
		}
	}
	return names, nil
}

// TestGoldenCompile builds every golden output, one package per case, in
// one temporary module that replaces this module with the working tree, with
// one go build and one go vet over all of them.
func TestGoldenCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compile tier runs the go command; skipped in -short mode")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the compile tier needs the go command: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var pkgs, tested []string
	for _, c := range loadGoldenCases(t) {
		if c.pending != "" || c.hasErr || len(c.want) == 0 {
			continue
		}
		pkgDir := filepath.Join(dir, "cases", goIdent(c.name))
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range c.want {
			if err := os.WriteFile(filepath.Join(pkgDir, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for name, content := range c.tests {
			if err := os.WriteFile(filepath.Join(pkgDir, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if len(c.tests) > 0 {
			tested = append(tested, "./cases/"+goIdent(c.name))
		}
		pkgs = append(pkgs, c.name)
	}
	if len(pkgs) == 0 {
		t.Skip("pending: no golden case has expected output yet")
	}
	if err := corpustest.WriteReplaceModule(dir, "goldencheck", root); err != nil {
		t.Fatal(err)
	}
	// -trimpath keeps the build cache key independent of the temporary
	// directory, so unchanged cases are not compiled again.
	steps := [][]string{{"build", "-trimpath", "./..."}, {"vet", "-trimpath", "./..."}}
	if len(tested) > 0 {
		steps = append(steps, append([]string{"test", "-trimpath", "-count=1", "-timeout=5m"}, tested...))
	}
	for _, args := range steps {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("go %s over %d golden packages failed: %v\n%s", strings.Join(args, " "), len(pkgs), err, out)
		}
	}
}

// rewrite replaces the case's expectations with got (or stderr) and writes
// the archive back, keeping the comment and the input sections in order.
func (c *goldenCase) rewrite(got map[string][]byte, stderr []byte) error {
	a := &txtar.Archive{Comment: c.archive.Comment}
	for _, f := range c.archive.Files {
		if f.Name == "stderr" || strings.HasPrefix(f.Name, "out/") || strings.HasPrefix(f.Name, "test/") {
			continue
		}
		a.Files = append(a.Files, f)
	}
	if stderr != nil {
		a.Files = append(a.Files, txtar.File{Name: "stderr", Data: stderr})
	} else {
		names := make([]string, 0, len(got))
		for name := range got {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			a.Files = append(a.Files, txtar.File{Name: "out/" + name, Data: got[name]})
		}
	}
	// Test files go last, after the output they exercise.
	for _, f := range c.archive.Files {
		if strings.HasPrefix(f.Name, "test/") {
			a.Files = append(a.Files, f)
		}
	}
	return os.WriteFile(c.file, txtar.Format(a), 0o644)
}

func stringMap(m map[string][]byte) map[string]string {
	s := make(map[string]string, len(m))
	for k, v := range m {
		s[k] = string(v)
	}
	return s
}

// goIdent turns a case name into a directory name that is also a valid
// import path element.
func goIdent(name string) string {
	return regexp.MustCompile(`[^A-Za-z0-9_]`).ReplaceAllString(name, "_")
}

// TestGoldenCaseFormat checks that malformed case files are rejected with
// a message naming the problem, so a typo cannot silently disable a case.
func TestGoldenCaseFormat(t *testing.T) {
	cases := []struct{ text, err string }{
		{"-- schemas/a.json --\n{}\n-- outs/a.go --\nx\n", `unknown section "outs/a.go"`},
		{"-- schemas/a.json --\n{}\n-- pending --\n\n", "pending section must say what the case waits for"},
		{"-- schemas/a.json --\n{}\n-- out/a.go --\nx\n-- stderr --\ne\n", "either out/ files or stderr, not both"},
		{"-- schemas/sub/a.json --\n{}\n", "no schemas/*.json input"},
		{"-- args --\n-q\n-- schemas/a.json --\n{}\n", "args: flag provided but not defined: -q"},
		{"-- schemas/a.json --\n{}\n-- schemas/a.json --\n{}\n", `section "schemas/a.json" appears twice`},
	}
	for _, c := range cases {
		file := filepath.Join(t.TempDir(), "case.txtar")
		if err := os.WriteFile(file, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := parseGoldenCase(file)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("case %q: error %v, want one containing %q", c.text, err, c.err)
		}
	}
	file := filepath.Join(t.TempDir(), "case.txtar")
	text := "-- args --\n-p names -initialism SKU schemas/b.schema\n-- schemas/a.json --\n{}\n-- schemas/b.schema --\n{}\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := parseGoldenCase(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.Package != "names" || !slices.Equal(c.cfg.Schemas, []string{"schemas/b.schema"}) || !slices.Contains(c.cfg.Initialisms, "SKU") || !slices.Contains(c.cfg.Initialisms, "ID") {
		t.Errorf("args not applied: package %q schemas %v initialisms %v", c.cfg.Package, c.cfg.Schemas, c.cfg.Initialisms)
	}
}
