package emit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/gen/emit"
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// TestCompileTier builds and vets what the emitter produces in a module of
// its own that depends on this repository through a replace directive, as a
// consumer's module would.
func TestCompileTier(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// Keep the root module's requirements (so versions match) under a new
	// module path, and point the root module at the working tree.
	text := strings.Replace(string(gomod), "module github.com/parsec-gen/parsec-gen", "module example.com/consumer", 1)
	text += "\nrequire github.com/parsec-gen/parsec-gen v0.0.0\nreplace github.com/parsec-gen/parsec-gen => " + root + "\n"
	write(t, filepath.Join(mod, "go.mod"), []byte(text))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mod, "go.sum"), sum)
	for dir, p := range map[string]*ir.Package{"kitchen": kitchen(), "emitted": orderPlaced()} {
		files, err := emit.Package(p, emit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			write(t, filepath.Join(mod, dir, f.Name), f.Content)
		}
	}
	if out, err := exec.Command(filepath.Join(filepath.Dir(goBin), "gofmt"), "-l", mod).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("gofmt -l: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
