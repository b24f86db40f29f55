package breaking

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/evolutions/*/verdict.json")

// verdictFinding is a finding as recorded in verdict.json.
type verdictFinding struct {
	Direction string          `json:"direction"`
	Rule      string          `json:"rule"`
	Pointer   string          `json:"pointer"`
	Line      int             `json:"line"`
	Col       int             `json:"col"`
	Witness   json.RawMessage `json:"witness,omitempty"`
}

type verdict struct {
	Declared []verdictFinding `json:"declared"`
	Strict   []verdictFinding `json:"strict"`
}

// TestEvolutions checks the verdicts on consecutive versions of published
// schemas and verifies each witness with the runtime's validator.
func TestEvolutions(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "evolutions", "*", "old.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 20 {
		t.Fatalf("%d evolutions, want at least 20", len(dirs))
	}
	breaks, compatible := 0, 0
	for _, oldPath := range dirs {
		dir := filepath.Dir(oldPath)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			oldRaw := mustRead(t, oldPath)
			newRaw := mustRead(t, filepath.Join(dir, "new.json"))
			load := func(raw []byte) *Version {
				v, err := Load(Source{FS: fstest.MapFS{"schema.json": {Data: raw}}, Schemas: []string{"schema.json"}})
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			oldV, newV := load(oldRaw), load(newRaw)
			oldSet := schema.NewSet([]schema.Aspect{{Name: "schema", SchemaRef: "schema.json", Schema: oldRaw}}, nil)
			newSet := schema.NewSet([]schema.Aspect{{Name: "schema", SchemaRef: "schema.json", Schema: newRaw}}, nil)
			var got verdict
			for _, policy := range []Policy{PolicyDeclared, PolicyStrict} {
				fs, err := Check(oldV, newV, Options{Mode: ModeFull, Policy: policy})
				if err != nil {
					t.Fatal(err)
				}
				// Deterministic: a second run (maps iterate differently)
				// reports the same bytes.
				again, err := Check(load(oldRaw), load(newRaw), Options{Mode: ModeFull, Policy: policy})
				if err != nil {
					t.Fatal(err)
				}
				var first, second bytes.Buffer
				if err := WriteJSON(&first, fs); err != nil {
					t.Fatal(err)
				}
				if err := WriteJSON(&second, again); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first.Bytes(), second.Bytes()) {
					t.Errorf("two runs differ:\n%s", cmp.Diff(first.String(), second.String()))
				}
				var vf []verdictFinding
				for _, f := range fs {
					vf = append(vf, verdictFinding{f.Direction, f.Rule, f.Pointer, f.Line, f.Col, nil})
					if f.Direction == Go {
						continue
					}
					vf[len(vf)-1].Witness = f.Witness
					accept, reject := oldSet, newSet
					if f.Direction == Forward {
						accept, reject = newSet, oldSet
					}
					if err := accept.Validate("schema.json", "", f.Witness); err != nil {
						t.Errorf("%s %s: witness %s is not accepted: %v", f.Direction, f.Rule, f.Witness, err)
					}
					if err := reject.Validate("schema.json", "", f.Witness); err == nil {
						t.Errorf("%s %s: witness %s is not rejected", f.Direction, f.Rule, f.Witness)
					}
				}
				if policy == PolicyDeclared {
					got.Declared = vf
				} else {
					got.Strict = vf
				}
			}
			if len(got.Declared)+len(got.Strict) > 0 {
				breaks++
			} else {
				compatible++
			}
			enc, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			enc = append(enc, '\n')
			path := filepath.Join(dir, "verdict.json")
			if *update {
				if err := os.WriteFile(path, enc, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := mustRead(t, path)
			if !bytes.Equal(want, enc) {
				t.Errorf("%s (-want +got):\n%s", path, cmp.Diff(string(want), string(enc)))
			}
		})
	}
	if breaks == 0 || compatible == 0 {
		t.Errorf("the evolutions should include breaking and compatible ones: %d breaking, %d compatible", breaks, compatible)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
