package cli

import (
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

type generateFlags struct {
	out         string
	pkg         string
	check       bool
	diff        bool
	root        string
	initialisms []string
	// registryURL and registryFile are the alternatives to schema PATHs.
	registryURL     string
	registryFile    string
	registryTimeout time.Duration
	semantics       semanticsFlags
	errorFormat     string
	warnings        string
}

func newGenerate(e env) *cobra.Command {
	var f generateFlags
	cmd := &cobra.Command{
		Use:   "generate -o DIR [-p PKG] [--check [--diff]] (PATH... | --registry URL | --registry-file FILE)",
		Short: "generate Go code from aspect schemas",
		Long: `generate reads the schemas named by PATH (a schema file with any extension, or a
directory whose *.json files are all read, not recursively) and writes one
.parsec.go file per schema, plus the files the package shares, into DIR.

Instead of schema files, --registry-file reads a snapshot of Parsec's schema
registry (as "parsec-gen registry pull" writes it) and --registry fetches one
from the registry's URL: every pattern aspect with a payload schema becomes
an aspect, and each channel pattern gets its typed API.

Nothing is written if anything failed. Files whose bytes did not change are
not rewritten. Stale files in DIR are removed only if they carry the
parsec-gen header and the .parsec.go suffix; a file without that header is
never overwritten (the run fails and names it).

Warnings (what looks wrong in a schema, a Go name that had to give way) go to
standard error and do not fail the run unless --warnings=error.`,
		Example: `  parsec-gen generate -o internal/events -p events schemas/
  parsec-gen generate -o . ../schemas/order_placed.json ../schemas/order_shipped.schema
  parsec-gen generate --check -o internal/events schemas/
  parsec-gen generate --check --diff -o internal/events schemas/
  parsec-gen generate -o internal/events --registry-file registry.snapshot.json
  parsec-gen generate -o internal/events --registry http://localhost:8000/parsec/schemas

  //go:generate go tool parsec-gen generate -o . ../schemas`,
		Args: func(_ *cobra.Command, args []string) error {
			n := 0
			for _, given := range []bool{len(args) > 0, f.registryURL != "", f.registryFile != ""} {
				if given {
					n++
				}
			}
			switch {
			case n == 0:
				return usagef("generate: no schema PATH given (or --registry URL, --registry-file FILE)")
			case n > 1:
				return usagef("generate: schema PATHs, --registry and --registry-file are alternatives; give one")
			case f.registryTimeout <= 0:
				return usagef("--registry-timeout %s: want a positive duration", f.registryTimeout)
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return generate(e, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "output directory for the generated package (created if missing)")
	fl.StringVarP(&f.pkg, "package", "p", "", "Go package name (default $GOPACKAGE, else the base name of --out)")
	fl.BoolVar(&f.check, "check", false, "write nothing; exit 1 and list the files that would change, be added or be removed")
	fl.BoolVar(&f.diff, "diff", false, "with --check: print a unified diff of what would change instead of the file names")
	fl.StringVar(&f.root, "root", "", "directory that relative $refs may reach (default: the deepest directory holding every PATH)")
	fl.StringSliceVar(&f.initialisms, "initialism", nil, "extra initialism for Go names, e.g. --initialism SKU (repeatable)")
	fl.StringVar(&f.registryURL, "registry", "", "generate from the schema registry snapshot served at this URL (fetched once, with --registry-timeout)")
	fl.StringVar(&f.registryFile, "registry-file", "", "generate from a schema registry snapshot file (see parsec-gen registry pull)")
	fl.DurationVar(&f.registryTimeout, "registry-timeout", defaultRegistryTimeout, "how long fetching --registry may take")
	f.semantics.register(cmd)
	fl.StringVar(&f.errorFormat, "error-format", "text", "how errors and warnings are printed: text, json (one object per line) or github-actions (workflow annotations)")
	fl.StringVar(&f.warnings, "warnings", "report", "report (print warnings, still succeed), error (a warning fails the run, nothing written) or off")
	if err := cmd.MarkFlagRequired("out"); err != nil {
		// MarkFlagRequired fails only for a flag that does not exist.
		panic("unreachable: " + err.Error())
	}
	return cmd
}

// generate runs the generate command. Failures are reported in the
// --error-format chosen.
func generate(e env, f generateFlags, args []string) error {
	if f.diff && !f.check {
		return usagef("--diff needs --check: it prints what generate would change instead of writing it")
	}
	if err := checkDiagFlags(f.errorFormat, f.warnings); err != nil {
		return err
	}
	rep := newReporter(e.stderr, f.errorFormat)
	err := generateWith(e, f, args, rep)
	var fl *failure
	if f.errorFormat != "text" && errors.As(err, &fl) && fl.msg != "" {
		rep.plain(sevError, fl.msg)
		return &failure{}
	}
	return err
}

func generateWith(e env, f generateFlags, args []string, rep *reporter) error {
	cwd, err := e.getwd()
	if err != nil {
		return &failure{fmt.Sprintf("cannot determine the working directory: %v", err)}
	}
	outDir := absPath(cwd, f.out)
	pkg, err := packageName(f.pkg, e.getenv("GOPACKAGE"), outDir)
	if err != nil {
		return err
	}
	initialisms, err := initialismList(f.initialisms)
	if err != nil {
		return err
	}
	var in inputs
	cfg := gen.Config{
		Package:     pkg,
		Initialisms: initialisms,
	}
	if f.warnings != "off" {
		cfg.Warning = rep.warning
	}
	if f.registryURL != "" || f.registryFile != "" {
		snap, err := snapshotInput(cwd, outDir, f)
		if err != nil {
			return err
		}
		cfg.Registry = snap
	} else {
		in, err = resolveInputs(cwd, f.root, args)
		if err != nil {
			return err
		}
		cfg.FS, cfg.Schemas, cfg.Display, cfg.Source = os.DirFS(in.root), in.names, in.display, in.sourceFrom(outDir)
	}
	if err := f.semantics.apply(&cfg); err != nil {
		return err
	}
	files, err := e.generate(cfg)
	if err != nil {
		rep.generationErrors(err)
		if hint := in.escapeHint(err.Error()); cfg.Registry == nil && hint != "" {
			rep.hint(hint)
		}
		return &failure{}
	}
	if f.warnings == "error" && rep.warnings > 0 {
		return &failure{fmt.Sprintf("%d warning(s) and --warnings=error: nothing written", rep.warnings)}
	}
	p, err := planOutput(outDir, files)
	if err != nil {
		return &failure{err.Error()}
	}
	shown := func(name string) string { return displayPath(cwd, filepath.Join(outDir, name)) }
	if len(p.foreign) > 0 {
		for _, name := range p.foreign {
			rep.report(sevError, &gen.Error{File: shown(name),
				Msg: fmt.Sprintf("not written by parsec-gen (its first line is not %q); refusing to overwrite it", Header)})
		}
		return &failure{fmt.Sprintf("nothing written: move the file(s) above out of %s, or rename the schema they clash with", displayPath(cwd, outDir))}
	}
	if f.check {
		n := len(p.changes())
		if err := reportDrift(e, f, p, shown); err != nil {
			return &failure{err.Error()}
		}
		if n > 0 {
			return &failure{fmt.Sprintf("%d generated file(s) out of date in %s; run parsec-gen generate", n, displayPath(cwd, outDir))}
		}
		return nil
	}
	if err := p.apply(); err != nil {
		return &failure{err.Error()}
	}
	if gomod, missing := missingRequirements(outDir, files); len(missing) > 0 {
		rep.plain(sevNote, fmt.Sprintf("the generated code imports %s, which %s does not require yet; run go mod tidy",
			strings.Join(missing, ", "), displayPath(cwd, gomod)))
	}
	return nil
}

// reportDrift prints what --check found: one line per file, or with --diff
// a unified diff of every file.
func reportDrift(e env, f generateFlags, p plan, shown func(string) string) error {
	if f.diff {
		return p.writeDiff(e.stdout, shown)
	}
	for _, c := range p.changes() {
		fmt.Fprintf(e.stdout, "%s: would %s\n", shown(c.name), c.verb)
	}
	return nil
}

// packageName picks the package name: the -p flag, else $GOPACKAGE, else the
// base name of the (absolute) output directory sanitised to an identifier.
func packageName(flag, gopackage, outDir string) (string, error) {
	if flag != "" {
		if !validPackage(flag) {
			return "", usagef("-p %q is not a valid Go package name", flag)
		}
		return flag, nil
	}
	if gopackage != "" {
		if !validPackage(gopackage) {
			return "", usagef("$GOPACKAGE %q is not a valid Go package name; pass -p", gopackage)
		}
		return gopackage, nil
	}
	base := filepath.Base(outDir)
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r == '_' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if !validPackage(name) {
		return "", usagef("cannot derive a Go package name from the output directory %q; pass -p", base)
	}
	return name, nil
}

// initialismList adds the --initialism words, upper-cased, to the default
// list; nil (the generator's default) when there are none.
func initialismList(extra []string) ([]string, error) {
	if len(extra) == 0 {
		return nil, nil
	}
	list := naming.DefaultInitialisms()
	for _, w := range extra {
		if w == "" || strings.IndexFunc(w, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
			return nil, usagef("--initialism %q: want ASCII letters and digits only", w)
		}
		list = append(list, strings.ToUpper(w))
	}
	return list, nil
}

func validPackage(name string) bool {
	return name != "_" && token.IsIdentifier(name) && !token.IsKeyword(name)
}

// inputs are the schema files mapped onto one directory tree.
type inputs struct {
	root  string   // absolute directory the FS is rooted at
	cwd   string   // absolute working directory, for display
	names []string // slash-separated paths relative to root, sorted
}

func (in inputs) display(name string) string {
	return displayPath(in.cwd, filepath.Join(in.root, filepath.FromSlash(name)))
}

// sourceFrom returns the Config.Source of files written to outDir: the
// slash-separated path of a schema relative to outDir, so that generated
// code is the same whatever directory the command runs in.
func (in inputs) sourceFrom(outDir string) func(string) string {
	return func(name string) string {
		rel, err := filepath.Rel(outDir, filepath.Join(in.root, filepath.FromSlash(name)))
		if err != nil {
			return name // no relative path (another volume): the path below the root
		}
		return filepath.ToSlash(rel)
	}
}

// resolveInputs expands directories into their *.json files and picks the
// root of the file system handed to the generator: the --root flag, or the
// deepest directory that holds every input. Relative $refs may reach any file
// below the root.
func resolveInputs(cwd, rootFlag string, args []string) (inputs, error) {
	in := inputs{cwd: cwd}
	seen := map[string]bool{}
	var files []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, arg := range args {
		p := absPath(cwd, arg)
		st, err := os.Stat(p)
		if err != nil {
			return in, &failure{pathError(arg, err)}
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return in, &failure{pathError(arg, err)}
		}
		n := 0
		for _, de := range entries {
			if de.IsDir() || !strings.HasSuffix(de.Name(), ".json") {
				continue
			}
			fp := filepath.Join(p, de.Name())
			if st, err := os.Stat(fp); err != nil || !st.Mode().IsRegular() {
				continue // a dangling link or a special file is not a schema
			}
			add(fp)
			n++
		}
		if n == 0 {
			return in, &failure{fmt.Sprintf("%s: directory holds no *.json schema", arg)}
		}
	}
	if rootFlag != "" {
		in.root = absPath(cwd, rootFlag)
	} else {
		in.root = filepath.Dir(files[0])
		for _, f := range files[1:] {
			in.root = commonDir(in.root, filepath.Dir(f))
		}
	}
	for _, f := range files {
		rel, err := filepath.Rel(in.root, f)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return in, usagef("--root %q does not contain %s", rootFlag, displayPath(cwd, f))
		}
		in.names = append(in.names, filepath.ToSlash(rel))
	}
	sort.Strings(in.names)
	return in, nil
}

func pathError(arg string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %v", arg, pe.Err)
	}
	return fmt.Sprintf("%s: %v", arg, err)
}

// commonDir returns the deepest directory containing both a and b, which
// are absolute and clean.
func commonDir(a, b string) string {
	for {
		rel, err := filepath.Rel(a, b)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return a
		}
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
}

func absPath(cwd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(cwd, p)
}

// displayPath shows p relative to the working directory when it can.
func displayPath(cwd, p string) string {
	if rel, err := filepath.Rel(cwd, p); err == nil {
		return rel
	}
	return p
}

// refInError matches "file:line:col: $ref "x"" and "file#/ptr: $ref "x"".
// It is compiled on first use, by a failed run, not at every start.
var refInError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([^:#]+)(?::\d+:\d+|#[^:]*)?: \$ref "([^"]+)"`)
})

// escapeHint explains a failure caused by a relative $ref that climbs above
// the root of the file system the generator sees, which no error from the
// generator can name (the root is the CLI's choice).
func (in inputs) escapeHint(errText string) string {
	for _, line := range strings.Split(errText, "\n") {
		m := refInError().FindStringSubmatch(line)
		if m == nil || strings.Contains(m[2], "://") || strings.HasPrefix(m[2], "#") {
			continue
		}
		ref, _, _ := strings.Cut(m[2], "#")
		rel, err := filepath.Rel(in.root, absPath(in.cwd, m[1]))
		if err != nil {
			continue
		}
		target := path.Join(path.Dir(filepath.ToSlash(rel)), ref)
		if target == ".." || strings.HasPrefix(target, "../") {
			return fmt.Sprintf("hint: $ref %q in %s reaches above %s, the directory schemas are read from; "+
				"pass --root with a directory that holds every schema and every file they reference",
				m[2], m[1], displayPath(in.cwd, in.root))
		}
	}
	return ""
}
