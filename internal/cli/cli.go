// Package cli implements the parsec-gen command line: it maps operating
// system paths onto a gen.Config, runs the generator and writes, checks or
// prunes the generated files. The manual lives in cmd/parsec-gen.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// Exit codes returned by Main.
const (
	// ExitOK means the command did what was asked.
	ExitOK = 0
	// ExitFailed means generation failed or --check found drift.
	ExitFailed = 1
	// ExitUsage means the command line itself was wrong.
	ExitUsage = 2
)

// Header is the first line of every file parsec-gen writes (ir.Header). Only
// files that start with it (and carry Suffix) are ever pruned.
const Header = ir.Header

// Suffix is the file name suffix of generated files eligible for pruning
// (ir.FileSuffix).
const Suffix = ir.FileSuffix

// env is everything Main takes from the process, so tests can run the
// command in-process with a substitute generator and environment.
type env struct {
	generate func(gen.Config) (gen.Files, error)
	getenv   func(string) string
	getwd    func() (string, error)
	stdout   io.Writer
	stderr   io.Writer
}

// Main runs the parsec-gen command line with args (without the program name),
// printing results to stdout and diagnostics to stderr, and returns the exit
// code: ExitOK, ExitFailed or ExitUsage.
func Main(args []string, stdout, stderr io.Writer) int {
	return run(args, env{
		generate: gen.Generate,
		getenv:   os.Getenv,
		getwd:    os.Getwd,
		stdout:   stdout,
		stderr:   stderr,
	})
}

// failure is an error that has already been reported and maps to ExitFailed.
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

// usageError is a command line mistake; it maps to ExitUsage.
type usageError struct{ err error }

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

func run(args []string, e env) int {
	root := newRoot(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	var x *exitCode
	if errors.As(err, &x) {
		return x.code
	}
	var f *failure
	if errors.As(err, &f) {
		if f.msg != "" {
			fmt.Fprintf(e.stderr, "parsec-gen: %s\n", f.msg)
		}
		return ExitFailed
	}
	// Everything else comes from argument parsing: cobra's own errors (unknown
	// command or flag, missing required flag) and our usageError.
	if cmd == nil {
		cmd = root
	}
	fmt.Fprintf(e.stderr, "parsec-gen: %s\n", unknownCommand(err.Error()))
	fmt.Fprintf(e.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return ExitUsage
}

func newRoot(e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "parsec-gen",
		Short: "generate Go types and typed Parsec wrappers from JSON Schema aspects",
		Long: `parsec-gen reads one JSON Schema per aspect (message kind) and emits Go types
with lossless JSON encoding and decoding, validation, and typed wrappers over
the Parsec runtime.`,
		Example: `  parsec-gen generate -o internal/events -p events schemas/
  parsec-gen generate --check -o internal/events schemas/
  parsec-gen version`,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("missing command: want one of %s", strings.Join(commandNames(cmd), ", "))
		},
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newGenerate(e), newRegistry(e), newVersion(e), newBreaking(e))
	applyConventions(root)
	return root
}

func commandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

func newVersion(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the parsec-gen module version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(e.stdout, "parsec-gen %s\n", versionText())
			return nil
		},
	}
}

// modulePath is the module parsec-gen is built from.
const modulePath = "github.com/parsec-gen/parsec-gen"

// version is this module's version from the build information, or
// "(devel)" when the binary was not built from a versioned module. What the
// command prints is release.Version (see versionText); this only adds how
// the binary was built.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionFrom(bi)
}

// versionFrom finds this module's version in bi: it is the main module
// after "go install module/cmd/parsec-gen@version", and a dependency when
// built through a consumer's go.mod ("go tool parsec-gen", "go run").
func versionFrom(bi *debug.BuildInfo) string {
	v := ""
	if bi.Main.Path == modulePath {
		v = bi.Main.Version
	} else {
		for _, d := range bi.Deps {
			if d.Path == modulePath {
				v = d.Version
				if d.Replace != nil {
					v = d.Replace.Version
				}
			}
		}
	}
	if v == "" {
		return "(devel)"
	}
	return v
}
