// Package gen turns JSON Schema files describing Parsec aspects into Go
// source files. Generate is pure: it reads only through Config.FS and returns
// the files to write; the command line tool writes them.
//
// Generate runs a pipeline of packages; each answers one kind of question:
//
//   - gen/load: what does a schema file mean? Which files are read, how a
//     $ref resolves, which draft applies, where a keyword is written. The
//     only caller of the JSON Schema library.
//   - gen/build: why does the output look the way it does? Every decision:
//     names and their collisions, which Go shape a schema gets, optionality,
//     pointers, union strategies and variant forms, residual keywords, the
//     typed client's names, reserved file names. Build checks the model's
//     invariants before returning it.
//   - gen/ir: what exactly was decided? The model build hands to emit, with
//     the output's fixed names (header, file suffix, package-wide files).
//   - gen/naming: how does a JSON name become a Go identifier?
//   - gen/emit: how is a decision spelled in Go? Rendering with jennifer;
//     it decides nothing, and a model that breaks an invariant is a bug it
//     reports as an internal error.
//
// A wrong name or shape is found in build, a wrong spelling of a right
// decision in emit, a schema read wrongly in load.
package gen

import (
	"errors"
	"io/fs"

	"github.com/parsec-gen/parsec-gen/gen/build"
	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// Config is the input of Generate.
type Config struct {
	// FS is the only place schemas and the files they $ref are read from.
	FS fs.FS
	// Schemas are the schema files to generate, as slash-separated FS paths.
	// Their order does not change the output.
	Schemas []string
	// Package is the Go package name of the output.
	Package string
	// Display maps an FS path to the text shown in errors and warnings;
	// nil means the FS path itself.
	Display func(fsPath string) string
	// Source maps an FS path to the text generated code shows for it: the
	// "// source:" header line and doc comments ("X corresponds to the
	// schema at ..."). Nil means Display. The command line passes paths
	// relative to the output directory, so the output does not depend on
	// the working directory.
	Source func(fsPath string) string
	// Initialisms are words spelled in upper case in Go names (golint's
	// list, e.g. "ID", "URL"). Nil means the default list; an empty non-nil
	// slice means none.
	Initialisms []string
	// Registry, when set, is a schema registry snapshot to generate from
	// instead of FS and Schemas: one aspect file per pattern aspect with a
	// payload schema, and the typed channel patterns.
	Registry *Snapshot
	// DefaultDraft is the draft a schema without "$schema" is read under:
	// "draft-04", "draft-06", "draft-07", "2019-09", "2020-12" (or
	// "draft-03"); "" is load.DefaultDraft, draft-07.
	DefaultDraft string
	// AssertFormats makes every format the validator knows (email,
	// hostname, ipv4, regex, ...) an assertion in every draft, checked on
	// decode and by the package's validators; by default those formats
	// assert in draft-04 to -07 only.
	AssertFormats bool
	// EmbedSchema is the form of the schema text the generated code
	// embeds (Aspects[i].Schema, Resources[i].Schema): "compact" (or "")
	// is the text minified and without the annotation-only members of
	// schema objects (title, description, $comment, examples, default,
	// deprecated, readOnly, writeOnly and keys no draft defines, but for
	// "x-parsec-" keys and members a $ref pointer passes through), which a
	// validator reads exactly as the original; "verbatim" is the file as
	// written (with the "$schema" of the draft it was read under), for
	// programs that serve the embedded schema to others.
	EmbedSchema string
	// Warn receives warnings, one "place: message" per call, in sorted
	// order; nil drops them. Warnings never stop generation: leniencies
	// applied to the input (a null "description", treated as absent), what
	// looks wrong in a schema (a misspelled keyword, contradictory bounds, an
	// empty enum, a const that its type rules out, oneOf variants that
	// accept one value), and a Go name that had to give way to another.
	Warn func(msg string)
	// Warning, when set, receives each warning as an Error with its place
	// (File, Pos, Pointer) instead of Warn receiving its text.
	Warning func(w *Error)
}

// Error is a problem at a place in a schema file; Generate returns Errors.
type Error = load.Error

// Errors are the sorted problems of the first stage that failed. Error()
// shows at most load.MaxErrors of them.
type Errors = load.Errors

// File is one generated Go source file.
type File struct {
	// Name is the base file name in the output directory.
	Name string
	// Content is the gofmt-formatted source.
	Content []byte
}

// Files are generated files, sorted by Name.
type Files []File

// Generate loads the schemas, builds the model and renders it.
func Generate(cfg Config) (Files, error) {
	p, err := Model(cfg)
	if err != nil {
		return nil, err
	}
	return render(p)
}

// Model loads the schemas and builds the IR without rendering it.
func Model(cfg Config) (*ir.Package, error) {
	namer := naming.New(cfg.Initialisms)
	var bcfg build.Config
	var reg *registryInput
	if cfg.Registry != nil {
		if cfg.FS != nil || len(cfg.Schemas) > 0 {
			return nil, errors.New("generate: a registry snapshot and schema files are alternatives; give one")
		}
		var err error
		reg, err = fromSnapshot(cfg.Registry, namer)
		if err != nil {
			return nil, err
		}
		cfg.FS, cfg.Schemas, cfg.Display, cfg.Source = reg.fs, reg.paths, reg.display, reg.source
		if warn := cfg.warner(); warn != nil {
			cfg.Warn, cfg.Warning = nil, func(w *Error) { warn(reg.place(w)) }
		}
		bcfg.Channels, bcfg.Inputs = reg.chans, reg.inputs
	}
	p, err := loadAndBuild(cfg, namer, bcfg)
	if err != nil && reg != nil {
		return nil, reg.relocate(err)
	}
	return p, err
}

func loadAndBuild(cfg Config, namer *naming.Namer, bcfg build.Config) (*ir.Package, error) {
	if cfg.FS == nil {
		return nil, errors.New("generate: no input file system")
	}
	if len(cfg.Schemas) == 0 && cfg.Registry == nil {
		return nil, errors.New("generate: no schema files given")
	}
	set, err := load.Load(load.Config{FS: cfg.FS, Display: cfg.Display, DefaultDraft: cfg.DefaultDraft, EmbedSchema: cfg.EmbedSchema}, cfg.Schemas)
	if err != nil {
		return nil, err
	}
	warn := cfg.warner()
	if warn != nil {
		ws := set.Lint()
		for _, w := range set.Warnings {
			ws = append(ws, Placed(w))
		}
		for _, w := range ws.Sort() {
			warn(w)
		}
	}
	bcfg.Package, bcfg.Namer, bcfg.Source, bcfg.Warn, bcfg.AssertFormats = cfg.Package, namer, cfg.Source, warn, cfg.AssertFormats
	p, err := build.Build(set, bcfg)
	if err != nil {
		return nil, err
	}
	return p, nil
}
