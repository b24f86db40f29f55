package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/load"
)

// A diag case is a txtar archive in testdata/diag, run through the real
// generator in a temporary directory:
//
//	-- args --       the command line, one argument per line
//	-- exit --       the expected exit code
//	-- stdout --     optional: the expected standard output
//	-- stderr --     the expected standard error
//	-- anything --   a file written into the directory first
//
// A case that exits non-zero must leave every file it started with as it
// was and write nothing else. "go test ./internal/cli -run TestDiag -update"
// rewrites exit, stdout and stderr.
func TestDiag(t *testing.T) {
	requirePipeline(t)
	files, err := filepath.Glob(filepath.Join("testdata", "diag", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no diag cases (%v)", err)
	}
	for _, file := range files {
		file, err := filepath.Abs(file) // mainIn changes the working directory
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var args []string
			want := map[string]string{}
			tree := map[string]string{}
			for _, f := range a.Files {
				switch f.Name {
				case "args":
					for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
						args = append(args, strings.TrimSpace(l))
					}
				case "exit", "stdout", "stderr":
					want[f.Name] = string(f.Data)
				default:
					tree[f.Name] = string(f.Data)
				}
			}
			writeTree(t, dir, tree)
			r := mainIn(t, dir, args...)
			got := map[string]string{"exit": strconv.Itoa(r.code) + "\n", "stdout": r.stdout, "stderr": r.stderr}
			if *update {
				var out []txtar.File
				for _, f := range a.Files {
					if f.Name != "exit" && f.Name != "stdout" && f.Name != "stderr" {
						out = append(out, f)
					}
				}
				out = append(out, txtar.File{Name: "exit", Data: []byte(got["exit"])})
				if r.stdout != "" {
					out = append(out, txtar.File{Name: "stdout", Data: []byte(r.stdout)})
				}
				a.Files = append(out, txtar.File{Name: "stderr", Data: []byte(r.stderr)})
				if err := os.WriteFile(file, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, k := range []string{"exit", "stdout", "stderr"} {
				if diff := cmp.Diff(want[k], got[k]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
			if r.code != ExitOK {
				after := map[string]string{}
				err := filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
					if err != nil || de.IsDir() {
						return err
					}
					b, err := os.ReadFile(p)
					rel, _ := filepath.Rel(dir, p)
					after[filepath.ToSlash(rel)] = string(b)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tree, after); diff != "" {
					t.Errorf("a failed run changed the directory (-before +after):\n%s", diff)
				}
			}
		})
	}
}

// Workflow command values escape what GitHub would read as syntax.
func TestGitHubEscaping(t *testing.T) {
	var b strings.Builder
	r := newReporter(&b, "github-actions")
	r.warning(&gen.Error{File: "dir,x/a:b%.json", Pos: load.Pos{Line: 2, Col: 3}, Msg: "50% off\nnext line\r"})
	r.plain(sevNote, "no place")
	r.report(sevError, &gen.Error{File: "s.json", Pointer: "/properties/x", Msg: "no line"})
	want := "::warning file=dir%2Cx/a%3Ab%25.json,line=2,col=3::50%25 off%0Anext line%0D\n" +
		"::notice::no place\n" +
		"::error file=s.json::/properties/x: no line\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
