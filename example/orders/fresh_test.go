package orders_test

import (
	"bytes"
	"testing"

	"github.com/parsec-gen/parsec-gen/internal/cli"
)

// TestGeneratedCodeIsFresh runs `parsec-gen generate --check` exactly as the
// go:generate line in generate.go does (same directory, same arguments): the
// committed *.parsec.go files must be what the current generator makes from
// ../../schemas. Fix a failure with `make generate`.
func TestGeneratedCodeIsFresh(t *testing.T) {
	t.Setenv("GOPACKAGE", "orders")
	var stdout, stderr bytes.Buffer
	if code := cli.Main([]string{"generate", "--check", "-o", ".", "../../schemas"}, &stdout, &stderr); code != 0 {
		t.Errorf("parsec-gen generate --check exited %d: the committed generated code is stale; run make generate\n%s%s",
			code, stdout.String(), stderr.String())
	}
}
