package schema

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// corpusUncompilable lists corpus schemas the schema library refuses, with
// the reason; every other schema must compile and accept its instances.
var corpusUncompilable = map[string]string{}

// TestCorpus compiles every real-world schema of the corpus (directory
// $PARSEC_CORPUS, or shared/corpus/schemastore beside the repository) and
// validates each of its instances, all of which are valid. It skips with
// -short; a missing corpus skips, and fails under CI=true (testenv.Corpus).
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus validation skipped in -short mode")
	}
	dir := testenv.Corpus(t)
	schemas, err := filepath.Glob(filepath.Join(dir, "schemas", "*.json"))
	if err != nil || len(schemas) == 0 {
		t.Fatalf("corpus %s holds no schemas/*.json (%v)", dir, err)
	}
	sort.Strings(schemas)
	var compiled, instances int
	for _, path := range schemas {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := NewValidator(ModeStrict, []Aspect{{Name: name, SchemaRef: name + ".json", Schema: data}})
		if reason, known := corpusUncompilable[name]; known {
			if err == nil {
				t.Errorf("%s compiles now (was: %s); remove it from corpusUncompilable", name, reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		compiled++
		files, err := filepath.Glob(filepath.Join(dir, "instances", name, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			payload, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			instances++
			e := &envelope.Envelope{Aspect: name, SchemaRef: name + ".json", Payload: payload}
			if err := v.Validate(e); err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
			}
		}
	}
	t.Logf("%d of %d schemas compiled, %d instances validated", compiled, len(schemas), instances)
}
