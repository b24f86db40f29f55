package emit_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parsec-gen/parsec-gen/gen/emit"
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

var update = flag.Bool("update", false, "rewrite the golden output in internal/bench/emitted")

const emittedDir = "internal/bench/emitted"

// TestGoldenOrderPlaced renders the order_placed model and compares it with
// the committed output (which the benchmark package builds and exercises).
func TestGoldenOrderPlaced(t *testing.T) {
	files, err := emit.Package(orderPlaced(), emit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := emit.Package(orderPlaced(), emit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files, again); diff != "" {
		t.Fatalf("output differs between two runs (-first +second):\n%s", diff)
	}
	for _, f := range files {
		if !bytes.HasPrefix(f.Content, []byte(ir.Header+"\n// source: ")) {
			t.Errorf("%s: header missing:\n%.200s", f.Name, f.Content)
		}
		path := filepath.Join(emittedDir, f.Name)
		if *update {
			if err := os.MkdirAll(emittedDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if diff := cmp.Diff(string(want), string(f.Content)); diff != "" {
			t.Errorf("%s differs from the golden file (-want +got):\n%s", f.Name, diff)
		}
	}
}

// TestGoldenKitchen renders the model that uses every IR construct; its
// output is committed in internal/kitchen, whose own tests exercise it.
func TestGoldenKitchen(t *testing.T) {
	golden(t, kitchen(), "internal/kitchen")
}

func golden(t *testing.T, p *ir.Package, dir string) {
	t.Helper()
	files, err := emit.Package(p, emit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if diff := cmp.Diff(string(want), string(f.Content)); diff != "" {
			t.Errorf("%s differs from the golden file (-want +got):\n%s", f.Name, diff)
		}
	}
}
