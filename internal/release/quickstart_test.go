package release

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/internal/version"
)

// shBlock returns the body of the first ```sh block after the HTML comment
// marker in the README.
func shBlock(t *testing.T, readme, marker string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<!-- ` + regexp.QuoteMeta(marker) + `\b[^>]*-->\s*` + "```sh\n(.*?)```").FindStringSubmatch(readme)
	if m == nil {
		t.Fatalf("README.md: no ```sh block after <!-- %s -->", marker)
	}
	return m[1]
}

// TestQuickStartLocalCheckout follows the README's quick start for an
// unpublished checkout, command for command, in a module outside the
// repository: the commands of the README's two blocks run as written, with
// the checkout at ../parsec-gen. The module then generates, builds and runs.
func TestQuickStartLocalCheckout(t *testing.T) {
	goBin := goTool(t)
	repo := testenv.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	setup := shBlock(t, string(data), "quickstart:local-setup")
	generate := shBlock(t, string(data), "quickstart:local-generate")
	if !strings.Contains(setup, rootModule+"@"+version.Version) {
		t.Errorf("README quick start requires no %s@%s (version.Version):\n%s", rootModule, version.Version, setup)
	}

	base := t.TempDir()
	if err := os.Symlink(repo, filepath.Join(base, "parsec-gen")); err != nil {
		t.Fatal(err)
	}
	shop := filepath.Join(base, "shop")
	if err := os.Mkdir(shop, 0o755); err != nil {
		t.Fatal(err)
	}
	e := baseEnv()
	e.run(t, shop, goBin, "mod", "init", "example.com/shop")
	e.run(t, shop, "sh", "-e", "-c", setup)
	writeFiles(t, shop, consumerFiles)
	e.run(t, shop, "sh", "-e", "-c", generate)
	checkConsumer(t, e, goBin, shop)
	if got, want := e.run(t, shop, goBin, "tool", "parsec-gen", "version"), "parsec-gen "+version.Version+"\n"; got != want {
		t.Errorf("go tool parsec-gen version printed %q, want %q", got, want)
	}
}
