package version

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const (
	rootModule   = "github.com/parsec-gen/parsec-gen"
	serverModule = "github.com/parsec-gen/parsec-gen/server"
)

func TestVersionIsARelease(t *testing.T) {
	if !regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`).MatchString(Version) {
		t.Fatalf("Version %q is not a release version vMAJOR.MINOR.PATCH", Version)
	}
}

// TestRequirementsMatchVersion checks that the other modules of the
// repository require this one (and each other) at Version, with no replace
// directive: what a dependent of a released server or example resolves.
func TestRequirementsMatchVersion(t *testing.T) {
	for file, wantReqs := range map[string][]string{
		"server/go.mod":                        {rootModule},
		"example/go.mod":                       {rootModule, serverModule},
		"example/otel/go.mod":                  {rootModule},
		"gen/emit/internal/bench/goccy/go.mod": {rootModule},
	} {
		data, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		reqs, replaces := requirements(string(data))
		for _, m := range wantReqs {
			if got := reqs[m]; got != Version {
				t.Errorf("%s: require %s %q, want %s (version.Version)", file, m, got, Version)
			}
		}
		for _, r := range replaces {
			t.Errorf("%s: replace %s: a published go.mod must not replace; go.work maps the modules onto the checkout", file, r)
		}
	}
}

// requirements returns the module -> version requirements of a go.mod and
// the targets of its replace directives (both single-line and block forms).
func requirements(gomod string) (map[string]string, []string) {
	reqs := map[string]string{}
	var replaces []string
	block := ""
	for _, line := range strings.Split(gomod, "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case block != "" && f[0] == ")":
			block = ""
			continue
		case block == "" && len(f) == 2 && f[1] == "(":
			block = f[0]
			continue
		}
		verb := block
		if verb == "" {
			verb, f = f[0], f[1:]
		}
		switch verb {
		case "require":
			if len(f) >= 2 {
				reqs[f[0]] = f[1]
			}
		case "replace":
			replaces = append(replaces, strings.Join(f, " "))
		}
	}
	return reqs, replaces
}

// TestWorkspaceMapsVersion checks that go.work maps exactly Version of the
// root and server modules onto their directories, so the workspace builds
// without asking a module proxy for a version not yet published.
func TestWorkspaceMapsVersion(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "go.work"))
	if err != nil {
		t.Fatal(err)
	}
	_, replaces := requirements(string(data))
	want := map[string]string{
		rootModule + " " + Version + " => ./":         "root",
		serverModule + " " + Version + " => ./server": "server",
	}
	for _, r := range replaces {
		delete(want, r)
	}
	for line := range want {
		t.Errorf("go.work: no replace %q (have %q)", line, replaces)
	}
}
