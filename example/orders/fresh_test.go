package orders_test

import (
	"bufio"
	"context"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestGeneratedCodeIsFresh runs this package's go:generate command with
// --check added, exactly as go generate would run it (same directory, same
// tool from go.mod's tool directive): the committed *.parsec.go files must be
// what the current generator makes from ../../schemas. Fix a failure with
// go generate (make generate in this repository).
//
// The test uses nothing but the go command, so a consumer module can copy
// it as it is: it finds the go:generate line in generate.go.
func TestGeneratedCodeIsFresh(t *testing.T) {
	args := generateArgs(t, "generate.go")
	pkg, err := parser.ParseFile(token.NewFileSet(), "generate.go", nil, parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], append(args[1:], "--check")...)
	cmd.Env = append(os.Environ(), "GOPACKAGE="+pkg.Name.Name) // as go generate sets it
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s --check: %v: the committed generated code is stale; run go generate\n%s", strings.Join(args, " "), err, out)
	}
}

// generateArgs returns the command of the "//go:generate go tool parsec-gen"
// or "//go:generate go run .../cmd/parsec-gen" line of file.
func generateArgs(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "//go:generate ")
		if !ok || !strings.Contains(line, "parsec-gen generate") {
			continue
		}
		if strings.ContainsAny(line, "\"'$") {
			t.Fatalf("%s: %q: quotes and variables are not expanded here; write the command out in this test", file, line)
		}
		return strings.Fields(line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("%s has no //go:generate line running parsec-gen generate", file)
	return nil
}
