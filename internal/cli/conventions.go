package cli

import (
	"strings"

	"github.com/spf13/cobra"

	release "github.com/parsec-gen/parsec-gen/internal/version"
)

// applyConventions gives the root command what users of other Go tools
// expect of a command line: --version beside the version command, a
// completion command for bash, zsh, fish and PowerShell, and an unknown
// command reported as one, with the closest commands suggested.
func applyConventions(root *cobra.Command) {
	root.Version = versionText()
	root.SetVersionTemplate("parsec-gen {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = false
	// Without an Args check on the root, cobra resolves the first word as a
	// command before it parses flags, so "parsec-gen generat -o x" is an
	// unknown command with a suggestion, not "unknown shorthand flag 'o'".
	root.Args = nil
	root.SuggestionsMinimumDistance = 2
}

// versionText is what parsec-gen version and --version print after the
// program name: release.Version, followed by the module version the binary
// was built from when the build information says something else ("(devel)"
// for a build in a working tree of this repository).
func versionText() string {
	v := release.Version
	switch built := version(); built {
	case v:
		return v
	case "(devel)":
		return v + " (devel)"
	default:
		return v + " (module " + built + ")"
	}
}

// unknownCommand rewrites cobra's multi-line "unknown command" error with its
// "Did you mean this?" list into one line, as every other error is printed.
func unknownCommand(msg string) string {
	head, rest, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return msg
	}
	var names []string
	for _, f := range strings.Fields(rest) {
		names = append(names, "'"+f+"'")
	}
	return head + "; did you mean " + strings.Join(names, " or ") + "?"
}
