package footprint

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/internal/corpustest"
)

// Module is a scratch Go module that generated packages are built in; it
// requires this repository's module through a replace directive.
type Module struct {
	Dir string
	Go  string // the go command
}

// modPath is the scratch module's path.
const modPath = "footprintbuild"

// NewModule writes go.mod and go.sum into dir for building generated
// packages against the runtime in repo.
func NewModule(dir, repo, goCmd string) (*Module, error) {
	if goCmd == "" {
		goCmd = "go"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := corpustest.WriteReplaceModule(dir, modPath, repo); err != nil {
		return nil, err
	}
	return &Module{Dir: dir, Go: goCmd}, nil
}

// WritePackage writes files into the package directory pkg.
func (m *Module) WritePackage(pkg string, files gen.Files) error {
	dir := filepath.Join(m.Dir, pkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if filepath.Base(f.Name) != f.Name {
			return fmt.Errorf("generated file name %q is not a plain file name", f.Name)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Warm builds the runtime packages generated code imports, so that a
// package's build measures the package alone.
func (m *Module) Warm() error {
	cmd := exec.Command(m.Go, "build", "github.com/parsec-gen/parsec-gen/runtime/...")
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("warm: %v\n%s", err, out)
	}
	return nil
}

// BuildResult is one `go build` of one package.
type BuildResult struct {
	Wall time.Duration
	CPU  time.Duration // user + system, the compiler included
	// MaxRSS is the peak resident set of the go command and the processes
	// it waited for (the compiler), as wait4 reports it.
	MaxRSS int64 // bytes
	Err    error
}

// Build runs `go build ./pkg` once with a fresh nonce file in the package,
// so that the build cache cannot answer and the compiler runs; the
// runtime packages stay cached.
func (m *Module) Build(ctx context.Context, pkg string) BuildResult {
	nonce := fmt.Sprintf("package %s\n\nconst _ = %q\n", pkg, strconv.FormatInt(time.Now().UnixNano(), 36))
	path := filepath.Join(m.Dir, pkg, "zz_footprint_nonce.go")
	if err := os.WriteFile(path, []byte(nonce), 0o644); err != nil {
		return BuildResult{Err: err}
	}
	run, out, err := Measure(ctx, m.Dir, append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod"), m.Go, "build", "./"+pkg)
	r := BuildResult{Wall: run.Wall, CPU: run.CPU, MaxRSS: run.MaxRSS}
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 400 {
			msg = msg[:400] + "..."
		}
		r.Err = fmt.Errorf("%v: %s", err, msg)
	}
	return r
}

// SyntheticSchema returns a deterministic schema: a root object whose
// definitions are chains of nested objects, five deep (objects objects in
// all), each with a mix of constrained properties (a required string with a
// length bound, a pattern or a format, a bounded integer, an enum, an array
// with an item bound), some closed to other properties, and a $ref to the
// next chain. 2000 objects make about 1 MB.
func SyntheticSchema(objects int) []byte {
	const depth = 5
	var b strings.Builder
	b.WriteString("{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"title\": \"Synthetic\",\n  \"type\": \"object\",\n")
	chains := (objects + depth - 1) / depth
	b.WriteString("  \"properties\": {\n")
	for i := range chains {
		fmt.Fprintf(&b, "    \"c%04d\": {\"$ref\": \"#/definitions/C%04d\"}", i, i)
		if i < chains-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  },\n  \"definitions\": {\n")
	n := 0
	for i := range chains {
		fmt.Fprintf(&b, "    \"C%04d\": ", i)
		levels := min(depth, objects-n)
		writeObject(&b, i, 0, levels, chains, "    ")
		n += levels
		if i < chains-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  }\n}\n")
	return []byte(b.String())
}

func writeObject(b *strings.Builder, chain, level, levels, chains int, indent string) {
	in := indent + "  "
	k := chain*7 + level
	fmt.Fprintf(b, "{\n%s\"type\": \"object\",\n%s\"required\": [\"id\"],\n", in, in)
	if k%3 == 0 {
		fmt.Fprintf(b, "%s\"additionalProperties\": false,\n", in)
	}
	b.WriteString(in + "\"properties\": {\n")
	p := in + "  "
	switch k % 4 {
	case 0:
		fmt.Fprintf(b, "%s\"id\": {\"type\": \"string\", \"minLength\": %d, \"pattern\": \"^[a-z]{%d,}$\"},\n", p, 1+k%3, k%4)
	case 1:
		fmt.Fprintf(b, "%s\"id\": {\"type\": \"string\", \"format\": \"email\"},\n", p)
	default:
		fmt.Fprintf(b, "%s\"id\": {\"type\": \"string\", \"maxLength\": %d},\n", p, 32+k%50)
	}
	fmt.Fprintf(b, "%s\"n\": {\"type\": \"integer\", \"minimum\": %d, \"maximum\": %d},\n", p, k%10, 1000+k)
	fmt.Fprintf(b, "%s\"kind\": {\"enum\": [\"a%d\", \"b%d\"]},\n", p, k, k)
	fmt.Fprintf(b, "%s\"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"maxItems\": %d},\n", p, 8+k%5)
	fmt.Fprintf(b, "%s\"next\": {\"$ref\": \"#/definitions/C%04d\"}", p, (chain+1)%chains)
	if level+1 < levels {
		fmt.Fprintf(b, ",\n%s\"child\": ", p)
		writeObject(b, chain, level+1, levels, chains, p)
	}
	fmt.Fprintf(b, "\n%s}\n%s}", in, indent)
}

// childFlag makes the footprint command run one command and report its
// wall time and peak RSS (see Measure).
const childFlag = "-footprint-measure-child"

// Measure runs name with args in dir and returns its wall time and peak
// RSS. It goes through a fresh process of the running executable (which
// must call MaybeChild first in main): a child's ru_maxrss starts at its
// parent's high-water mark, since it shares the parent's memory until
// exec, so a command started directly by this process, which holds the
// whole corpus's output, would never report less than that.
func Measure(ctx context.Context, dir string, env []string, name string, args ...string) (Run, []byte, error) {
	self, err := os.Executable()
	if err != nil {
		return Run{}, nil, err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{childFlag, name}, args...)...)
	cmd.Dir = dir
	cmd.Env = env
	var out, report bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	r, w, err := os.Pipe()
	if err != nil {
		return Run{}, nil, err
	}
	cmd.ExtraFiles = []*os.File{w}
	// On cancellation the whole process group goes: the child, the command
	// and what the command started (the compiler), not the child alone.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return Run{}, nil, err
	}
	_, copyErr := report.ReadFrom(r)
	r.Close()
	waitErr := cmd.Wait()
	var run Run
	var code int
	if _, err := fmt.Sscan(report.String(), &run.Wall, &run.MaxRSS, &run.CPU, &code); err != nil || copyErr != nil {
		if waitErr != nil {
			return Run{}, out.Bytes(), waitErr
		}
		return Run{}, out.Bytes(), fmt.Errorf("no measurement from %s: %q", childFlag, report.String())
	}
	if code != 0 {
		return run, out.Bytes(), fmt.Errorf("%s: exit status %d", name, code)
	}
	return run, out.Bytes(), waitErr
}

// MaybeChild runs the command of a Measure child and exits if this process
// is one; otherwise it returns.
func MaybeChild() {
	if len(os.Args) < 3 || os.Args[1] != childFlag {
		return
	}
	// The report pipe must not leak into the command: a compiler holding
	// it open would keep Measure waiting after a cancellation.
	syscall.CloseOnExec(3)
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if err != nil {
		code = 1
		if cmd.ProcessState == nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	var rss, cpu int64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
			rss = ru.Maxrss * 1024 // kilobytes on Linux
		}
		cpu = int64(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime())
	}
	report := os.NewFile(3, "report")
	fmt.Fprintf(report, "%d %d %d %d\n", int64(wall), rss, cpu, code)
	report.Close()
	os.Exit(code)
}

// Run is one timed run of a command.
type Run struct {
	Wall   time.Duration
	MaxRSS int64
	// CPU is user plus system time of the command and what it waited
	// for: unlike Wall, it hardly moves when other work shares the cores.
	CPU time.Duration
}

// TimeCommand runs name with args n times in dir (through Measure) and
// returns the runs; the first failure stops it.
func TimeCommand(ctx context.Context, n int, dir, name string, args ...string) ([]Run, error) {
	var runs []Run
	for range n {
		r, out, err := Measure(ctx, dir, os.Environ(), name, args...)
		if err != nil {
			return runs, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// Median is the median wall time of runs.
func Median(runs []Run) time.Duration {
	if len(runs) == 0 {
		return 0
	}
	d := make([]time.Duration, len(runs))
	for i, r := range runs {
		d[i] = r.Wall
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}
