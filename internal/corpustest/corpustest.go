// Package corpustest runs the generator over a corpus of real-world schemas
// with instances and measures what survives: for each schema it generates a
// package, compiles all packages in one temporary module together with a
// checker program, decodes every instance into the root type with
// encoding/json (which calls the generated UnmarshalJSON), asks the value's
// Validate method, encodes it again, compares the result with the original
// as JSON (numbers as exact decimals), checks that decoding and encoding the
// result gives the same bytes, and validates it against the schema with
// the runtime validator (runtime/schema, the rules generated NewValidator
// uses). Instances their own schema rejects (quicktype-style ".fail."
// fixtures) are counted apart and must be rejected on decode. Each instance
// is also mutated a few ways (seeded, so runs repeat): the generated decoder
// must accept a mutant exactly when the runtime validator does.
//
// The corpus layout is schemas/NAME.json plus instances/NAME/*.json.
package corpustest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// Options configure Run.
type Options struct {
	// Corpus is the directory holding schemas/ and instances/.
	Corpus string
	// Repo is the root of this module's working tree; the temporary module
	// replaces the module with it.
	Repo string
	// Work is an empty scratch directory for the temporary module.
	Work string
	// Go is the go command to run; empty means "go" from PATH.
	Go string
	// Generate is the generator under test; nil means gen.Generate.
	Generate func(gen.Config) (gen.Files, error)
}

// Report holds the figures of one run and every failure.
type Report struct {
	Schemas   int // schema files in the corpus
	Generated int // schemas Generate accepted
	Compiled  int // generated packages that compiled
	Instances int // instance files in the corpus
	Decoded   int // instances decoded and encoded again without error
	Lossless  int // re-encoded instances equal to the original as JSON
	Valid     int // re-encoded instances valid against their schema
	// LosslessValid counts instances both lossless and valid: the figure
	// the product's target is stated in.
	LosslessValid int
	// ValidateOK counts decoded values whose generated Validate method
	// accepts them (a value that decoded satisfies the schema).
	ValidateOK int
	// Stable counts outputs that decode and encode again to the same bytes.
	Stable int
	// Mutants counts mutated instances (a property removed or added, a
	// value of another kind) checked against the reference validator, and
	// Agree those where the generated decoder accepted exactly when the
	// reference validator did.
	Mutants, Agree int
	// SchemaAccepts counts instances their own schema accepts as written
	// (by the runtime validator's rules), and AcceptedRoundTrip those of
	// them that decode, pass Validate, re-encode stably and losslessly and
	// still validate: the two should be equal.
	SchemaAccepts, AcceptedRoundTrip int
	// SchemaRejects counts instances their schema rejects (quicktype-style
	// ".fail." fixtures, or a fixture that is simply wrong), and
	// RejectedOnDecode those of them the generated decoder rejects: the two
	// should be equal.
	SchemaRejects, RejectedOnDecode int
	// Unvalidatable counts instances whose schema the reference validator
	// cannot compile; they are not counted as valid.
	Unvalidatable int
	// Lenient counts instances validated against the schema as the
	// generator's loader reads it (null or ill-typed annotations dropped),
	// because the file as written does not compile.
	Lenient int
	// GenerateTime is the time spent in gen.Generate over the whole corpus.
	GenerateTime time.Duration
	// CompileTime is the time spent in the go command; CheckTime the time
	// spent running the checker, comparing and validating.
	CompileTime, CheckTime time.Duration
	Failures               []Failure
}

// Failure is one thing that went wrong, with the first error.
type Failure struct {
	Schema   string // schema file name
	Instance string // instance file name, empty for a schema-level failure
	Stage    string // generate, compile, read, decode, encode, Validate, stable, lossless, valid, agree
	Err      string // the first error, on one line
}

// String formats the failure as one line.
func (f Failure) String() string {
	where := f.Schema
	if f.Instance != "" {
		where += " " + f.Instance
	}
	return fmt.Sprintf("%s: %s: %s", where, f.Stage, f.Err)
}

type schemaCase struct {
	file      string // NAME.json
	pkg       string // Go package directory and name in the temporary module
	instances []string
	files     gen.Files
	genErr    error
}

const modPath = "corpuscheck"

// checkerTimeout bounds the checker run.
const checkerTimeout = 3 * time.Minute

// Run generates, compiles and checks the whole corpus. An error means the
// harness itself could not run; what the generator gets wrong is in the
// Report.
func Run(opts Options) (*Report, error) {
	if opts.Go == "" {
		opts.Go = "go"
	}
	if opts.Generate == nil {
		opts.Generate = gen.Generate
	}
	cases, err := listCorpus(opts.Corpus)
	if err != nil {
		return nil, err
	}
	r := &Report{Schemas: len(cases)}
	for _, c := range cases {
		r.Instances += len(c.instances)
	}
	schemasFS := os.DirFS(filepath.Join(opts.Corpus, "schemas"))
	start := time.Now()
	for _, c := range cases {
		c.files, c.genErr = opts.Generate(gen.Config{
			FS:      schemasFS,
			Schemas: []string{c.file},
			Package: c.pkg,
			Display: func(p string) string { return "schemas/" + p },
		})
	}
	r.GenerateTime = time.Since(start)

	if err := WriteReplaceModule(opts.Work, modPath, opts.Repo); err != nil {
		return nil, err
	}
	var built []*schemaCase
	for _, c := range cases {
		if c.genErr != nil {
			r.fail(c, "", "generate", c.genErr)
			continue
		}
		r.Generated++
		if err := writePackage(opts.Work, c); err != nil {
			return nil, err
		}
		built = append(built, c)
	}

	start = time.Now()
	compiled, err := compile(opts, built, r)
	r.CompileTime = time.Since(start)
	if err != nil {
		return nil, err
	}
	r.Compiled = len(compiled)
	if len(compiled) == 0 {
		r.sortFailures()
		return r, nil
	}
	start = time.Now()
	err = check(opts, compiled, r)
	r.CheckTime = time.Since(start)
	if err != nil {
		return nil, err
	}
	r.sortFailures()
	return r, nil
}

func (r *Report) fail(c *schemaCase, instance, stage string, err error) {
	msg := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i] + " (more)"
	}
	r.Failures = append(r.Failures, Failure{Schema: c.file, Instance: instance, Stage: stage, Err: msg})
}

func (r *Report) sortFailures() {
	sort.SliceStable(r.Failures, func(i, j int) bool {
		a, b := r.Failures[i], r.Failures[j]
		if a.Schema != b.Schema {
			return a.Schema < b.Schema
		}
		return a.Instance < b.Instance
	})
}

func listCorpus(dir string) ([]*schemaCase, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "schemas"))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var cases []*schemaCase
	for _, de := range entries {
		if de.IsDir() || !strings.HasSuffix(de.Name(), ".json") {
			continue
		}
		name := strings.TrimSuffix(de.Name(), ".json")
		c := &schemaCase{file: de.Name(), pkg: fmt.Sprintf("p%03d", len(cases))}
		inst, err := filepath.Glob(filepath.Join(dir, "instances", name, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(inst)
		c.instances = inst
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("corpus: no schemas in %s", filepath.Join(dir, "schemas"))
	}
	return cases, nil
}

// adapter gives the checker one entry point per package, declared inside
// the package so that a generated package without a usable Aspects fails
// alone instead of breaking the checker.
const adapter = `package %s

// CorpusNew returns a new value of the root type of the package's aspect.
func CorpusNew() any { return Aspects[0].New() }
`

func writePackage(work string, c *schemaCase) error {
	dir := filepath.Join(work, c.pkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range c.files {
		if filepath.Base(f.Name) != f.Name {
			return fmt.Errorf("%s: generated file name %q is not a plain file name", c.file, f.Name)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "zz_corpus_adapter.go"), fmt.Appendf(nil, adapter, c.pkg), 0o644)
}

var pkgHeader = regexp.MustCompile(`(?m)^# ` + modPath + `/(p\d{3})\s*$`)

// compile builds the checker over every package in one go build; when that
// fails it reads which packages failed from the output and builds the
// checker again without them.
func compile(opts Options, built []*schemaCase, r *Report) ([]*schemaCase, error) {
	ok := built
	for attempt := 0; attempt < 3 && len(ok) > 0; attempt++ {
		if err := writeChecker(opts.Work, ok); err != nil {
			return nil, err
		}
		// -trimpath keeps the build cache key independent of the temporary
		// directory, so an unchanged generator output is not compiled again;
		// the generated packages build without optimisation, which compiles
		// them faster and does not change what they do.
		out, err := goCmd(opts, "build", "-trimpath", "-gcflags="+modPath+"/...=-N -l", "-o", filepath.Join(opts.Work, "checker.bin"), "./checker")
		if err == nil {
			return ok, nil
		}
		failed := map[string]string{}
		for _, block := range splitBuildOutput(out) {
			if m := pkgHeader.FindStringSubmatch(block.header); m != nil {
				failed[m[1]] = block.first
			}
		}
		if len(failed) == 0 {
			return nil, fmt.Errorf("building the corpus checker failed outside the generated packages: %v\n%s", err, out)
		}
		var next []*schemaCase
		for _, c := range ok {
			if msg, bad := failed[c.pkg]; bad {
				r.fail(c, "", "compile", errors.New(msg))
				continue
			}
			next = append(next, c)
		}
		ok = next
	}
	if len(ok) > 0 {
		return nil, errors.New("building the corpus checker still fails after excluding the packages that failed")
	}
	return nil, nil
}

type buildBlock struct{ header, first string }

// splitBuildOutput splits go build output into "# pkg" blocks with the
// first error line of each; paths are made relative to the package.
func splitBuildOutput(out []byte) []buildBlock {
	var blocks []buildBlock
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "# "):
			blocks = append(blocks, buildBlock{header: line})
		case len(blocks) > 0 && blocks[len(blocks)-1].first == "" && strings.TrimSpace(line) != "":
			blocks[len(blocks)-1].first = strings.TrimSpace(line)
		}
	}
	return blocks
}

func writeChecker(work string, cases []*schemaCase) error {
	var b bytes.Buffer
	b.WriteString("// Command checker decodes and re-encodes corpus instances with the generated types.\npackage main\n\nimport (\n\t\"os\"\n\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "\t%q\n", modPath+"/"+c.pkg)
	}
	b.WriteString(")\n\nvar roots = map[string]func() any{\n")
	for _, c := range cases {
		fmt.Fprintf(&b, "\t%q: %s.CorpusNew,\n", c.pkg, c.pkg)
	}
	b.WriteString("}\n\nfunc main() { os.Exit(run(roots, os.Stdin, os.Stdout)) }\n")
	dir := filepath.Join(work, "checker")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), b.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "run.go"), []byte(checkerRun), 0o644)
}

// checkerRun reads requests (one JSON object per line: package and instance
// path) and answers each with the re-encoded value or the error. A panic in
// generated code is reported for that instance, not fatal to the run.
const checkerRun = `package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type request struct {
	Pkg      string
	Instance string
	Mutant   int
	Data     json.RawMessage
}

type response struct {
	Pkg      string
	Instance string
	Mutant   int
	Stage    string ` + "`json:\",omitempty\"`" + `
	Err      string ` + "`json:\",omitempty\"`" + `
	Output   json.RawMessage ` + "`json:\",omitempty\"`" + `
	// ValidateErr is what the decoded value's Validate method says; a value
	// that decoded must validate.
	ValidateErr string ` + "`json:\",omitempty\"`" + `
	// Unstable says decoding the output and encoding again changed it.
	Unstable string ` + "`json:\",omitempty\"`" + `
}

func run(roots map[string]func() any, in io.Reader, out io.Writer) int {
	enc := json.NewEncoder(out)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var req request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := enc.Encode(one(roots, req)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

func one(roots map[string]func() any, req request) (resp response) {
	resp = response{Pkg: req.Pkg, Instance: req.Instance, Mutant: req.Mutant}
	stage := "decode"
	defer func() {
		if p := recover(); p != nil {
			resp.Stage, resp.Err, resp.Output = stage, fmt.Sprintf("panic: %v", p), nil
		}
	}()
	data := []byte(req.Data)
	if len(data) == 0 {
		var err error
		if data, err = os.ReadFile(req.Instance); err != nil {
			resp.Stage, resp.Err = "read", err.Error()
			return resp
		}
	}
	v := roots[req.Pkg]()
	if err := json.Unmarshal(data, v); err != nil {
		resp.Stage, resp.Err = stage, err.Error()
		return resp
	}
	stage = "encode"
	b, err := json.Marshal(v)
	if err != nil {
		resp.Stage, resp.Err = stage, err.Error()
		return resp
	}
	resp.Output = b
	stage = "validate"
	if val, ok := v.(interface{ Validate() error }); !ok {
		resp.ValidateErr = "the root type has no Validate method"
	} else if err := val.Validate(); err != nil {
		resp.ValidateErr = err.Error()
	}
	stage = "re-decode"
	again := roots[req.Pkg]()
	if err := json.Unmarshal(b, again); err != nil {
		resp.Unstable = "the output does not decode: " + err.Error()
	} else if b2, err := json.Marshal(again); err != nil {
		resp.Unstable = "the re-decoded value does not encode: " + err.Error()
	} else if string(b2) != string(b) {
		resp.Unstable = "encoding the re-decoded value gives different bytes"
	}
	return resp
}
`

type request struct {
	Pkg      string
	Instance string
	// Mutant numbers a mutation of the instance (0: the instance itself),
	// whose text is Data.
	Mutant int             `json:",omitempty"`
	Data   json.RawMessage `json:",omitempty"`
}

type response struct {
	Pkg         string
	Instance    string
	Mutant      int
	Stage       string
	Err         string
	Output      json.RawMessage
	ValidateErr string
	Unstable    string
}

func check(opts Options, cases []*schemaCase, r *Report) error {
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	byPkg := map[string]*schemaCase{}
	mutated := map[mutantKey]mutant{}
	for _, c := range cases {
		byPkg[c.pkg] = c
		for _, inst := range c.instances {
			if err := enc.Encode(request{Pkg: c.pkg, Instance: inst}); err != nil {
				return err
			}
			original, err := os.ReadFile(inst)
			if err != nil {
				return err
			}
			for i, m := range mutants(c.file+"/"+filepath.Base(inst), original, mutantsPerInstance) {
				key := mutantKey{c.pkg, inst, i + 1}
				mutated[key] = m
				if err := enc.Encode(request{Pkg: c.pkg, Instance: inst, Mutant: i + 1, Data: m.data}); err != nil {
					return err
				}
			}
		}
	}
	// A decoder that loops forever must not hang the run: the whole corpus
	// decodes in well under a second, so minutes mean a hang.
	ctx, cancel := context.WithTimeout(context.Background(), checkerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(opts.Work, "checker.bin"))
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return fmt.Errorf("corpus checker did not finish within %v: a generated decoder hangs", checkerTimeout)
	}
	if err != nil {
		return fmt.Errorf("corpus checker: %v\n%s", err, stderr.Bytes())
	}
	validators := map[string]*validator{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var resp response
		if err := dec.Decode(&resp); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("corpus checker output: %w", err)
		}
		c := byPkg[resp.Pkg]
		if c == nil {
			return fmt.Errorf("corpus checker answered for unknown package %q", resp.Pkg)
		}
		inst := filepath.Base(resp.Instance)
		if resp.Mutant > 0 {
			m := mutated[mutantKey{resp.Pkg, resp.Instance, resp.Mutant}]
			v := validators[c.file]
			if v == nil {
				v = newValidator(filepath.Join(opts.Corpus, "schemas", c.file))
				validators[c.file] = v
			}
			r.agreement(c, fmt.Sprintf("%s~%d", inst, resp.Mutant), m, resp, v)
			continue
		}
		v := validators[c.file]
		if v == nil {
			v = newValidator(filepath.Join(opts.Corpus, "schemas", c.file))
			validators[c.file] = v
		}
		original, err := os.ReadFile(resp.Instance)
		if err != nil {
			return err
		}
		accepted := false
		if v.compileErr == nil {
			if origErr := v.validate(original); origErr == nil {
				r.SchemaAccepts++
				accepted = true
				if strings.Contains(inst, ".fail.") {
					r.fail(c, inst, "fixture", errors.New("the schema accepts an instance named as one it rejects"))
				}
			} else {
				r.SchemaRejects++
				if resp.Err != "" && resp.Stage == "decode" {
					r.RejectedOnDecode++
				} else {
					r.fail(c, inst, "reject", fmt.Errorf("the decoder accepts an instance its schema rejects (%v)", origErr))
				}
			}
		}
		if resp.Err != "" {
			if accepted || v.compileErr != nil {
				r.fail(c, inst, resp.Stage, errors.New(resp.Err))
			}
			continue
		}
		r.Decoded++
		if resp.ValidateErr != "" {
			r.fail(c, inst, "Validate", errors.New(resp.ValidateErr))
		} else {
			r.ValidateOK++
		}
		if resp.Unstable != "" {
			r.fail(c, inst, "stable", errors.New(resp.Unstable))
		} else {
			r.Stable++
		}
		lossless := true
		if diff := jsonDiff(original, resp.Output); diff != "" {
			lossless = false
			r.fail(c, inst, "lossless", errors.New(diff))
		} else {
			r.Lossless++
		}
		switch err := v.validate(resp.Output); {
		case v.compileErr != nil:
			r.Unvalidatable++
			r.fail(c, inst, "valid", fmt.Errorf("reference validator cannot compile the schema: %v", v.compileErr))
		case err == nil && v.lenient:
			r.Lenient++
			fallthrough
		case err == nil:
			r.Valid++
			if lossless {
				r.LosslessValid++
				if accepted && resp.ValidateErr == "" && resp.Unstable == "" {
					r.AcceptedRoundTrip++
				}
			}
		default:
			if origErr := v.validate(original); origErr != nil {
				err = fmt.Errorf("%v (the original instance is rejected too: %v)", err, origErr)
			}
			r.fail(c, inst, "valid", err)
		}
	}
	return nil
}

type mutantKey struct {
	pkg, instance string
	n             int
}

// mutantsPerInstance is how many mutations of each instance are checked.
const mutantsPerInstance = 8

// agreement records whether the generated decoder and the reference
// validator agree on a mutated instance: accepted by one exactly when
// accepted by the other.
func (r *Report) agreement(c *schemaCase, name string, m mutant, resp response, v *validator) {
	if v.compileErr != nil {
		return
	}
	r.Mutants++
	if strings.HasPrefix(resp.Err, "panic:") {
		r.fail(c, name, "agree", fmt.Errorf("%s: decoder panicked: %s", m.what, resp.Err))
		return
	}
	decoded := resp.Stage != "decode"
	refErr := v.validate(m.data)
	switch {
	case decoded == (refErr == nil):
		r.Agree++
	case decoded:
		r.fail(c, name, "agree", fmt.Errorf("%s: decoder accepts what the schema rejects (%v)", m.what, refErr))
	default:
		r.fail(c, name, "agree", fmt.Errorf("%s: decoder rejects what the schema accepts (%s)", m.what, resp.Err))
	}
}

type validator struct {
	set        *schema.Set
	ref        string
	compileErr error
	lenient    bool // compiled from the loader's lenient reading
}

// newValidator is the runtime validator over the schema file, with the
// rules generated code uses (runtime/schema: only the given document, the
// one rule for format). When the file as written does not compile, it uses
// the text the generator's loader compiled instead (gen/load drops null or
// ill-typed annotations, which validation never reads) and marks the
// validator lenient.
func newValidator(file string) *validator {
	raw, err := os.ReadFile(file)
	if err != nil {
		return &validator{compileErr: err}
	}
	v := compileSet(filepath.Base(file), raw)
	if v.compileErr == nil {
		return v
	}
	set, lerr := load.Load(load.Config{FS: os.DirFS(filepath.Dir(file))}, []string{filepath.Base(file)})
	if lerr != nil || len(set.Inputs) != 1 || !set.Inputs[0].Lenient {
		return v
	}
	lv := compileSet(filepath.Base(file), set.Inputs[0].Effective())
	if lv.compileErr != nil {
		return &validator{compileErr: errors.Join(v.compileErr, lv.compileErr)}
	}
	lv.lenient = true
	return lv
}

// compileSet registers doc as the only document of a schema.Set and
// compiles it, by validating null once.
func compileSet(ref string, doc []byte) *validator {
	set := schema.NewSet([]schema.Aspect{{Name: "corpus", SchemaRef: ref, Schema: doc}}, nil)
	var ve *schema.ValidationError
	if err := set.Validate(ref, "", []byte("null")); err != nil && !errors.As(err, &ve) {
		return &validator{compileErr: err}
	}
	return &validator{set: set, ref: ref}
}

func (v *validator) validate(doc []byte) error {
	if v.compileErr != nil {
		return v.compileErr
	}
	err := v.set.Validate(v.ref, "", doc)
	var ve *schema.ValidationError
	if errors.As(err, &ve) && len(ve.Causes) > 0 {
		c := ve.Causes[0]
		at := c.Pointer
		if at == "" {
			at = "/"
		}
		return fmt.Errorf("at %s: %s", at, c.Message)
	}
	return err
}

// jsonDiff compares two JSON documents semantically (object key order
// ignored, numbers compared as exact decimal values) and describes the
// first difference with its JSON pointer, or returns "".
func jsonDiff(want, got []byte) string {
	a, err := decodeJSON(want)
	if err != nil {
		return "original: " + err.Error()
	}
	b, err := decodeJSON(got)
	if err != nil {
		return "re-encoded: " + err.Error()
	}
	return diffValue("", a, b)
}

func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func diffValue(ptr string, want, got any) string {
	at := ptr
	if at == "" {
		at = "/"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %s", at, short(got))
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s/%s: lost (want %s)", ptr, escape(k), short(w[k]))
			}
			if d := diffValue(ptr+"/"+escape(k), w[k], gv); d != "" {
				return d
			}
		}
		extra := make([]string, 0)
		for k := range g {
			if _, ok := w[k]; !ok {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return fmt.Sprintf("%s/%s: invented %s", ptr, escape(extra[0]), short(g[extra[0]]))
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: want an array, got %s", at, short(got))
		}
		for i := range min(len(w), len(g)) {
			if d := diffValue(ptr+"/"+strconv.Itoa(i), w[i], g[i]); d != "" {
				return d
			}
		}
		if len(w) != len(g) {
			return fmt.Sprintf("%s: want %d items, got %d", at, len(w), len(g))
		}
		return ""
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !sameNumber(w, g) {
			return fmt.Sprintf("%s: want %s, got %s", at, w, short(got))
		}
		return ""
	default: // string, bool, nil
		if want != got {
			return fmt.Sprintf("%s: want %s, got %s", at, short(want), short(got))
		}
		return ""
	}
}

// sameNumber compares decimal texts exactly. Texts with huge exponents
// (which big.Rat would expand) are compared as text.
func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	if len(a) > 64 || len(b) > 64 || hugeExponent(string(a)) || hugeExponent(string(b)) {
		return false
	}
	x, ok1 := new(big.Rat).SetString(string(a))
	y, ok2 := new(big.Rat).SetString(string(b))
	return ok1 && ok2 && x.Cmp(y) == 0
}

func hugeExponent(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
	return err != nil || e > 400 || e < -400
}

func short(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func goCmd(opts Options, args ...string) ([]byte, error) {
	cmd := exec.Command(opts.Go, args...)
	cmd.Dir = opts.Work
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	return cmd.CombinedOutput()
}

// WriteReplaceModule writes dir/go.mod for a module named modPath that
// requires everything the module at root requires (so generated code may
// import any of it directly) and replaces that module with the tree at
// root, and copies root's go.sum.
func WriteReplaceModule(dir, modPath, root string) error {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	moduleLine := regexp.MustCompile(`(?m)^module\s+(\S+)\s*$`)
	m := moduleLine.FindSubmatch(gomod)
	if m == nil {
		return fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
	}
	self := string(m[1])
	body := moduleLine.ReplaceAll(gomod, []byte("module "+modPath))
	// Directives that only make sense in root's own directory are dropped.
	body = regexp.MustCompile(`(?ms)^(replace|tool|exclude|retract|ignore|godebug)\s*\(.*?^\)[ \t]*$`).ReplaceAll(body, nil)
	body = regexp.MustCompile(`(?m)^(replace|tool|exclude|retract|ignore|godebug)\b.*$`).ReplaceAll(body, nil)
	body = fmt.Appendf(body, "\nrequire %s v0.0.0\n\nreplace %s => %s\n", self, self, root)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), body, 0o644); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

// FindRepo returns the directory of the nearest go.mod at or above dir.
func FindRepo(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// mutant is a mutated instance and what was changed.
type mutant struct {
	data []byte
	what string // e.g. `/a/0: "x" -> 7`
}

// mutants returns up to n distinct mutations of the JSON document data,
// chosen by a generator seeded from name so runs are repeatable: a property
// removed, a value replaced by one of another kind, a property added, a
// container emptied or grown.
func mutants(name string, data []byte, n int) []mutant {
	h := fnv.New64a()
	h.Write([]byte(name)) // a hash.Hash never returns an error
	rng := rand.New(rand.NewPCG(h.Sum64(), 1))
	seen := map[string]bool{string(data): true}
	var out []mutant
	for attempt := 0; attempt < 4*n && len(out) < n; attempt++ {
		doc, err := decodeJSON(data)
		if err != nil {
			return nil
		}
		doc, what := mutate(doc, rng)
		b, err := json.Marshal(doc)
		if err != nil || seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		out = append(out, mutant{b, what})
	}
	return out
}

// mutate changes one randomly chosen place of doc and returns the result
// and a description of the change.
func mutate(doc any, rng *rand.Rand) (any, string) {
	type place struct {
		ptr string
		v   any
		set func(any)
	}
	var places []place
	var walk func(ptr string, v any, set func(any), depth int)
	walk = func(ptr string, v any, set func(any), depth int) {
		places = append(places, place{ptr, v, set})
		if depth > 12 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(ptr+"/"+escape(k), x[k], func(nv any) { x[k] = nv }, depth+1)
			}
		case []any:
			for i, e := range x {
				walk(ptr+"/"+strconv.Itoa(i), e, func(nv any) { x[i] = nv }, depth+1)
			}
		}
	}
	root := doc
	walk("", doc, func(nv any) { root = nv }, 0)
	// Places are in document order (object keys sorted), so the seeded
	// choice picks the same place on every run.
	p := places[rng.IntN(len(places))]
	at := p.ptr
	if at == "" {
		at = "/"
	}
	replace := func(nv any) string {
		old := short(p.v)
		p.set(nv)
		return fmt.Sprintf("%s: %s -> %s", at, old, short(nv))
	}
	switch x := p.v.(type) {
	case map[string]any:
		ks := sortedKeys(x)
		switch op := rng.IntN(3); {
		case op == 0 && len(ks) > 0:
			k := ks[rng.IntN(len(ks))]
			delete(x, k)
			return root, fmt.Sprintf("%s/%s: removed", p.ptr, escape(k))
		case op == 1:
			x["parsecMutantExtra"] = true
			return root, p.ptr + "/parsecMutantExtra: added"
		default:
			return root, replace(map[string]any{})
		}
	case []any:
		if rng.IntN(2) == 0 {
			return root, replace([]any{})
		}
		p.set(append(x, "parsec-mutant"))
		return root, fmt.Sprintf("%s/%d: added \"parsec-mutant\"", p.ptr, len(x))
	case string:
		return root, replace(json.Number("7"))
	case json.Number:
		return root, replace("seven")
	case bool:
		return root, replace(json.Number("0"))
	default: // null
		return root, replace(false)
	}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
