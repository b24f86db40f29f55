package gen_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/parsec-gen/parsec-gen/gen"
)

// A warnings case is a txtar archive in testdata/warnings: schemas/... input
// files (every schemas/*.json is an aspect) and a "warnings" section with
// the warnings Generate reports, one per line. Generation must succeed:
// warnings are never fatal. "go test ./gen -run TestWarnings -update"
// rewrites the warnings sections.
func TestWarnings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "warnings", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no warnings cases (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			var schemas []string
			want, hasWant := "", false
			for _, f := range a.Files {
				switch {
				case f.Name == "warnings":
					want, hasWant = string(f.Data), true
				case strings.HasPrefix(f.Name, "schemas/"):
					fsys[f.Name] = &fstest.MapFile{Data: f.Data}
					if filepath.Dir(f.Name) == "schemas" && strings.HasSuffix(f.Name, ".json") {
						schemas = append(schemas, f.Name)
					}
				default:
					t.Fatalf("unknown section %q (want schemas/... and warnings)", f.Name)
				}
			}
			sort.Strings(schemas)
			var got strings.Builder
			var placed []*gen.Error
			_, err = gen.Generate(gen.Config{FS: fsys, Schemas: schemas, Package: "events",
				Warn: func(msg string) { got.WriteString(msg + "\n") }})
			if err != nil {
				t.Fatalf("Generate failed; warnings must never stop it:\n%v", err)
			}
			// The structured callback sees the same warnings, each placed.
			if _, err := gen.Generate(gen.Config{FS: fsys, Schemas: schemas, Package: "events",
				Warning: func(w *gen.Error) { placed = append(placed, w) }}); err != nil {
				t.Fatal(err)
			}
			var again strings.Builder
			for _, w := range placed {
				if w.File == "" || w.Pos.Line == 0 && w.Pointer == "" {
					t.Errorf("warning without a place: %+v", *w)
				}
				again.WriteString(w.Error() + "\n")
			}
			if again.String() != got.String() {
				t.Errorf("Warning and Warn disagree (-Warn +Warning):\n%s", cmp.Diff(got.String(), again.String()))
			}
			if *update {
				var out []txtar.File
				for _, f := range a.Files {
					if f.Name != "warnings" {
						out = append(out, f)
					}
				}
				a.Files = append(out, txtar.File{Name: "warnings", Data: []byte(got.String())})
				if err := os.WriteFile(file, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !hasWant {
				t.Fatalf("%s has no warnings section: run go test ./gen -run TestWarnings -update", file)
			}
			if diff := cmp.Diff(want, got.String()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
