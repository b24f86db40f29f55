package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parsec-gen/parsec-gen/gen/breaking"
)

// ExitBreaking is the exit code of breaking when it finds a break.
const ExitBreaking = 100

// exitCode is an outcome that has been reported and maps to its own exit
// code.
type exitCode struct{ code int }

func (e *exitCode) Error() string { return fmt.Sprintf("exit %d", e.code) }

type breakingFlags struct {
	against     string
	mode        string
	policy      string
	format      string
	initialisms []string
}

func newBreaking(e env) *cobra.Command {
	var f breakingFlags
	cmd := &cobra.Command{
		Use:   "breaking --against OLD [--mode backward|forward|full] [--policy declared|strict] [--format text|json|github-actions] NEW...",
		Short: "report schema changes that break readers, writers or Go code, each with a witness",
		Long: `breaking compares the aspect schemas NEW (files or directories, as for generate)
with an older version OLD and reports every change that breaks their users:

  backward  an instance the old schema accepts and the new one rejects (new
            readers cannot read old data)
  forward   an instance the new schema accepts and the old one rejects (old
            readers cannot read new data)
  go        a change that keeps the wire compatible but breaks Go code using
            the generated package (a renamed type, field or constant, a
            changed field type)

Every wire finding carries its witness, checked with the runtime's validator.
OLD is a path like NEW, or git:REF[:PATH] to read it from git without touching
the work tree (PATH relative to the repository root; without it, the NEW
paths as they are in REF).

Exit status: 0 nothing breaks, 100 something does, 1 error, 2 usage.`,
		Example: `  parsec-gen breaking --against git:main schemas/
  parsec-gen breaking --against git:v1.4.0:schemas --mode full --format json schemas/
  parsec-gen breaking --against ../released/schemas --policy strict schemas/`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("breaking: no schema PATH given")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return runBreaking(e, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.against, "against", "", "the old version: schema files or directories, or git:REF[:PATH]")
	fl.StringVar(&f.mode, "mode", "backward", "directions checked: backward, forward or full")
	fl.StringVar(&f.policy, "policy", "declared", "declared (producers send only declared properties) or strict (any instance)")
	fl.StringVar(&f.format, "format", "text", "output: text, json or github-actions")
	fl.StringSliceVar(&f.initialisms, "initialism", nil, "extra initialism for Go names, as for generate (repeatable)")
	if err := cmd.MarkFlagRequired("against"); err != nil {
		panic("unreachable: " + err.Error())
	}
	return cmd
}

func runBreaking(e env, f breakingFlags, args []string) error {
	mode, err := breaking.ParseMode(f.mode)
	if err != nil {
		return usagef("--mode: %v", err)
	}
	policy, err := breaking.ParsePolicy(f.policy)
	if err != nil {
		return usagef("--policy: %v", err)
	}
	write, ok := map[string]func(io.Writer, []breaking.Finding) error{
		"text":           breaking.WriteText,
		"json":           breaking.WriteJSON,
		"github-actions": breaking.WriteGitHubActions,
	}[f.format]
	if !ok {
		return usagef("--format: unknown format %q, want \"text\", \"json\" or \"github-actions\"", f.format)
	}
	if f.against == "" {
		return usagef("--against: no old version given")
	}
	initialisms, err := initialismList(f.initialisms)
	if err != nil {
		return err
	}
	cwd, err := e.getwd()
	if err != nil {
		return &failure{fmt.Sprintf("cannot determine the working directory: %v", err)}
	}
	in, err := resolveInputs(cwd, "", args)
	if err != nil {
		return err
	}
	newSrc := breaking.Source{FS: os.DirFS(in.root), Schemas: in.names, Display: in.display, Initialisms: initialisms}
	var oldSrc breaking.Source
	if spec, ok := strings.CutPrefix(f.against, "git:"); ok {
		oldSrc, err = gitSource(cwd, spec, args)
		if err != nil {
			return err
		}
	} else {
		oin, err := resolveInputs(cwd, "", []string{f.against})
		if err != nil {
			return err
		}
		oldSrc = breaking.Source{FS: os.DirFS(oin.root), Schemas: oin.names, Display: oin.display}
	}
	oldSrc.Initialisms = initialisms
	oldV, err := breaking.Load(oldSrc)
	if err != nil {
		return reported(e, "old version ("+f.against+")", err)
	}
	newV, err := breaking.Load(newSrc)
	if err != nil {
		return reported(e, "new version", err)
	}
	findings, err := breaking.Check(oldV, newV, breaking.Options{Mode: mode, Policy: policy})
	if err != nil {
		return &failure{err.Error()}
	}
	if err := write(e.stdout, findings); err != nil {
		return &failure{fmt.Sprintf("writing the report: %v", err)}
	}
	if len(findings) > 0 {
		return &exitCode{ExitBreaking}
	}
	return nil
}

// reported prints a loading error one line per problem and fails.
func reported(e env, what string, err error) error {
	msg := strings.TrimRight(err.Error(), "\n")
	fmt.Fprintln(e.stderr, msg)
	return &failure{"cannot load the " + what}
}

// gitSource reads the old version from git: spec is REF or REF:PATH. PATH
// is relative to the repository root (as in "git show REF:PATH"); without
// it, the NEW paths are looked up in REF at their place in the work tree.
func gitSource(cwd, spec string, newArgs []string) (breaking.Source, error) {
	ref, p, hasPath := strings.Cut(spec, ":")
	if ref == "" {
		return breaking.Source{}, usagef("--against %q: want git:REF or git:REF:PATH", "git:"+spec)
	}
	top, err := git(cwd, "rev-parse", "--show-toplevel")
	if err != nil {
		return breaking.Source{}, &failure{fmt.Sprintf("--against git:%s: %v", spec, err)}
	}
	top = strings.TrimSpace(top)
	commit, err := git(cwd, "rev-parse", "--verify", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return breaking.Source{}, &failure{fmt.Sprintf("--against git:%s: %q is not a commit: %v", spec, ref, err)}
	}
	commit = strings.TrimSpace(commit)
	var paths []string
	if hasPath {
		paths = []string{path.Clean(strings.TrimPrefix(filepath.ToSlash(p), "/"))}
	} else {
		for _, a := range newArgs {
			rel, err := filepath.Rel(top, absPath(cwd, a))
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return breaking.Source{}, usagef("--against git:%s: %s is outside the repository %s; give git:REF:PATH", spec, a, top)
			}
			paths = append(paths, filepath.ToSlash(rel))
		}
	}
	gfs := &gitFS{dir: top, commit: commit, cache: map[string][]byte{}}
	var names []string
	for _, p := range paths {
		kind, err := git(top, "cat-file", "-t", commit+":"+p)
		if err != nil {
			return breaking.Source{}, &failure{fmt.Sprintf("git:%s:%s: no such file or directory in %s", ref, p, ref)}
		}
		switch strings.TrimSpace(kind) {
		case "blob":
			names = append(names, p)
		case "tree":
			out, err := git(top, "ls-tree", "-z", "--end-of-options", commit+":"+p)
			if err != nil {
				return breaking.Source{}, &failure{fmt.Sprintf("git:%s:%s: %v", ref, p, err)}
			}
			n := 0
			for _, ent := range strings.Split(out, "\x00") {
				// "<mode> <type> <object>\t<name>"
				meta, name, ok := strings.Cut(ent, "\t")
				if !ok || !strings.HasSuffix(name, ".json") || !strings.Contains(meta, " blob ") {
					continue
				}
				names = append(names, path.Join(p, name))
				n++
			}
			if n == 0 {
				return breaking.Source{}, &failure{fmt.Sprintf("git:%s:%s: directory holds no *.json schema", ref, p)}
			}
		default:
			return breaking.Source{}, &failure{fmt.Sprintf("git:%s:%s: not a file or directory", ref, p)}
		}
	}
	sort.Strings(names)
	return breaking.Source{
		FS:      gfs,
		Schemas: names,
		Display: func(name string) string { return "git:" + ref + ":" + name },
	}, nil
}

// gitFS reads the files of one commit with git cat-file; it never touches
// the work tree or the index.
type gitFS struct {
	dir, commit string
	cache       map[string][]byte
}

func (g *gitFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	if b, ok := g.cache[name]; ok {
		return b, nil
	}
	out, err := git(g.dir, "cat-file", "blob", g.commit+":"+name)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	g.cache[name] = []byte(out)
	return []byte(out), nil
}

func (g *gitFS) Open(name string) (fs.File, error) {
	b, err := g.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &gitFile{name: path.Base(name), r: bytes.NewReader(b), size: int64(len(b))}, nil
}

// gitFile is an open blob of a gitFS.
type gitFile struct {
	name string
	r    *bytes.Reader
	size int64
}

func (f *gitFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *gitFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *gitFile) Close() error               { return nil }
func (f *gitFile) Name() string               { return f.name }
func (f *gitFile) Size() int64                { return f.size }
func (f *gitFile) Mode() fs.FileMode          { return 0o444 }
func (f *gitFile) ModTime() time.Time         { return time.Time{} }
func (f *gitFile) IsDir() bool                { return false }
func (f *gitFile) Sys() any                   { return nil }

// git runs git in dir and returns its standard output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		var ee *exec.ExitError
		if msg != "" && errors.As(err, &ee) {
			return "", errors.New(msg)
		}
		return "", err
	}
	return stdout.String(), nil
}
