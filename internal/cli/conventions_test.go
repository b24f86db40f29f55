package cli

import (
	"runtime/debug"
	"strings"
	"testing"

	release "github.com/parsec-gen/parsec-gen/internal/version"
)

func TestVersionFlagMatchesVersionCommand(t *testing.T) {
	cmd := runIn(t, t.TempDir(), &fakeGen{}, "", "version")
	flag := runIn(t, t.TempDir(), &fakeGen{}, "", "--version")
	if cmd.code != ExitOK || flag.code != ExitOK {
		t.Fatalf("exit codes %d and %d: %s %s", cmd.code, flag.code, cmd.stderr, flag.stderr)
	}
	if flag.stdout != cmd.stdout {
		t.Errorf("--version printed %q, version printed %q", flag.stdout, cmd.stdout)
	}
	if !strings.HasPrefix(cmd.stdout, "parsec-gen "+release.Version) {
		t.Errorf("version printed %q, want it to start with parsec-gen %s", cmd.stdout, release.Version)
	}
}

func TestVersionText(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in a test binary")
	}
	// A test binary is built from the working tree: its module is "(devel)".
	if got, want := versionFrom(bi), "(devel)"; got != want {
		t.Fatalf("versionFrom(test binary) = %q, want %q", got, want)
	}
	if got, want := versionText(), release.Version+" (devel)"; got != want {
		t.Errorf("versionText() = %q, want %q", got, want)
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runIn(t, t.TempDir(), &fakeGen{}, "", "completion", shell)
		if r.code != ExitOK || !strings.Contains(r.stdout, "parsec-gen") || len(r.stdout) < 500 {
			t.Errorf("completion %s: exit %d, %d bytes of script, stderr %q", shell, r.code, len(r.stdout), r.stderr)
		}
	}
	// Completion of the subcommand names goes through cobra's __complete.
	r := runIn(t, t.TempDir(), &fakeGen{}, "", "__complete", "gen")
	if r.code != ExitOK || !strings.Contains(r.stdout, "generate") {
		t.Errorf("__complete gen: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generat", "-o", "x", "schemas"}, `parsec-gen: unknown command "generat" for "parsec-gen"; did you mean 'generate'?` + "\n"},
		{[]string{"verison"}, `parsec-gen: unknown command "verison" for "parsec-gen"; did you mean 'version'?` + "\n"},
		{[]string{"frobnicate"}, `parsec-gen: unknown command "frobnicate" for "parsec-gen"` + "\n"},
	} {
		g := &fakeGen{}
		r := runIn(t, t.TempDir(), g, "", c.args...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", c.args, r.code, ExitUsage)
		}
		if first, _, _ := strings.Cut(r.stderr, "Run '"); first != c.want {
			t.Errorf("%v: stderr %q, want it to start with %q", c.args, r.stderr, c.want)
		}
		if len(g.cfgs) != 0 {
			t.Errorf("%v: the generator ran", c.args)
		}
	}
}
