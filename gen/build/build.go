// Package build turns loaded schemas into the IR, making every decision the
// emitter must not make: Go names, declaration order, optionality, pointer or
// value, and how unions are discriminated. Open it to learn why the output
// looks the way it does.
//
// Where each decision is made: names and their collisions in finalize.go
// (names.go for the raw names, renames.go for the warnings, reserved.go for
// the typed client's methods); which kinds a schema admits in kinds.go;
// which Go shape it gets and whether it is declared in shape.go, object.go
// (structs, maps, arrays, tuples), union.go (unions and their strategy) and
// scalar.go (primitives, formats, constraints, enums); keywords left to
// schema validation in residual.go; x-go-type in gotype.go; what follows from
// the model once names are final (variant forms, holders of undeclared
// properties, helper and typed client names) in decide.go, which Complete
// also applies to a model written by hand; channel patterns in channels.go.
// Every Build ends by checking the invariants the emitter relies on
// (invariants.go): a failure is an internal error at the type concerned.
//
// One Go type is declared per canonical schema location, shared by every
// schema that refers to it. Names derive from the location (never from the
// order in which schemas or references are visited), so adding a schema or
// reordering the arguments never renames a type.
//
// Decisions worth knowing:
//   - Names: a root is named by x-go-name, else its title when the title has
//     at most four words (longer titles are sentences), else the aspect name;
//     a top-level definition by its key; anything else by its parent's name
//     plus the property name, "Item", "Value" or the variant name. Inside
//     one file a clash goes to x-go-name, then the root, then top-level
//     definitions (which hold their names even while unreferenced), then
//     location order; the others get a "Type" or numeric suffix. Across
//     files a clash is an error naming both places, so adding a schema
//     never renames a type of another.
//   - Kinds: "type", enum, const and fully typed variants assert the JSON
//     kinds; without them, declared properties imply an object. That guess
//     yields to any asserted kind, but a value of another kind where only the
//     guess applies is a decode error. additionalProperties or items alone
//     make no guess: the value stays raw JSON, checked by the schema.
//   - allOf merges into one struct; an allOf entry bringing a oneOf/anyOf
//     makes the object a union whose variants each carry the merged rest.
//   - Variants of one scalar kind (an enum and a plain string) merge into
//     one enum, open when a plain variant accepts other values.
//   - Keywords the Go types cannot hold (not, if/then/else, propertyNames,
//     dependentSchemas, constraint-only oneOf/anyOf, unevaluatedProperties
//     next to applicators, allOf of non-objects) are listed as Residual on
//     the declared type, for generated code to check with the embedded
//     schema.
package build

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// Config carries the options of a build.
type Config struct {
	// Package is the Go package name of the output.
	Package string
	// Namer spells Go identifiers; nil means naming.New(nil).
	Namer *naming.Namer
	// AssertFormats makes every known format an assertion in every draft
	// (see formatAsserts).
	AssertFormats bool
	// Source maps an FS path to the text generated code shows for it (the
	// "// source:" line, doc comments); nil means the document's Display.
	Source func(fsPath string) string
	// Channels are channel patterns declared outside the schemas (a
	// registry snapshot), beside the schemas' own x-parsec-channels.
	Channels []Channel
	// Inputs overrides, per FS path, what the build derives from an input.
	Inputs map[string]Input
	// Warn receives the build's warnings (a Go name that had to give way
	// to another), sorted, before Build returns; nil drops them.
	Warn func(*load.Error)
}

// Build makes the IR of the loaded schemas. Errors are collected, sorted and
// returned as load.Errors.
func Build(set *load.Set, cfg Config) (*ir.Package, error) {
	if cfg.Namer == nil {
		cfg.Namer = naming.New(nil)
	}
	if !naming.IsExportedIdent("X"+cfg.Package) || naming.IsReserved(cfg.Package) || cfg.Package == "" {
		return nil, load.Errors{{Msg: fmt.Sprintf("package name %q is not a Go identifier", cfg.Package)}}
	}
	b := &builder{
		cfg:      cfg,
		set:      set,
		named:    make(map[string]*ir.Named),
		meta:     make(map[*ir.Named]*namedMeta),
		files:    make(map[*load.Doc]*ir.File),
		chain:    make(map[*jsonschema.Schema]bool),
		nullMem:  make(map[*jsonschema.Schema]bool),
		kindMem:  make(map[*jsonschema.Schema]kindInfo),
		unionRes: make(map[*ir.Named][]ir.Residual),
		// weakVariant marks variant names made up from properties, kinds or
		// positions, which a discriminator value may replace.
		weakVariant: make(map[string]bool),
	}
	p := &ir.Package{Name: cfg.Package, AssertFormats: cfg.AssertFormats}
	for _, d := range set.Inputs {
		f := b.file(d)
		f.Aspect = b.aspect(d)
		f.Root = b.namedFor(d.Schema, true)
	}
	b.finalize()
	if cfg.Warn != nil {
		for _, w := range b.warns.Sort() {
			cfg.Warn(w)
		}
	}
	if len(b.errs) > 0 {
		return nil, b.errs.Sort()
	}
	for _, f := range b.fileList {
		p.Files = append(p.Files, f)
	}
	Complete(p)
	b.channels(p, b.packageNames())
	if len(b.errs) > 0 {
		return nil, b.errs.Sort()
	}
	slices.SortFunc(p.Files, func(a, c *ir.File) int { return strings.Compare(a.Name, c.Name) })
	if err := checkInvariants(p); err != nil {
		return nil, load.Errors{err}
	}
	return p, nil
}

// namedMeta is what the builder keeps about a Named until names are final.
type namedMeta struct {
	doc      *load.Doc
	ptr      string
	schema   *jsonschema.Schema
	rawName  string
	priority int // 0 x-go-name, 1 root, 2 definition, 3 derived
	title    string
	desc     string
	deprec   bool
	nullable bool
	file     *ir.File
}

const (
	prioExplicit = iota
	prioRoot
	prioDefinition
	prioDerived
)

type builder struct {
	cfg      Config
	set      *load.Set
	named    map[string]*ir.Named
	meta     map[*ir.Named]*namedMeta
	order    []*ir.Named
	files    map[*load.Doc]*ir.File
	fileList []*ir.File
	refs     []*ir.Ref
	chain    map[*jsonschema.Schema]bool
	nullMem  map[*jsonschema.Schema]bool
	kindMem  map[*jsonschema.Schema]kindInfo
	// unionRes holds checks of a union's shared keywords that its object
	// variants' structs do not express, for the union's own residual.
	unionRes    map[*ir.Named][]ir.Residual
	weakVariant map[string]bool
	errs        load.Errors
	warns       load.Errors
}

// where returns the document and pointer of a schema, if it is in a loaded file.
func (b *builder) where(s *jsonschema.Schema) (*load.Doc, string, bool) {
	return b.set.Locate(s.Location)
}

func (b *builder) loc(d *load.Doc, ptr string) ir.Loc {
	_, pos := d.Place(ptr)
	return ir.Loc{File: d.Display, Line: pos.Line, Col: pos.Col, Pointer: ptr}
}

func (b *builder) errorf(d *load.Doc, ptr string, format string, args ...any) {
	_, pos := d.Place(ptr)
	b.errs = append(b.errs, &load.Error{File: d.Display, Pos: pos, Pointer: ptr, Msg: fmt.Sprintf(format, args...)})
}

// ext returns the extension keyword k written at the schema's location.
func (b *builder) ext(s *jsonschema.Schema, k string) (any, bool) {
	d, ptr, ok := b.where(s)
	if !ok {
		return nil, false
	}
	obj, ok := d.Lookup(ptr)
	if !ok {
		return nil, false
	}
	m, ok := obj.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[k]
	return v, ok
}

func (b *builder) extString(s *jsonschema.Schema, k string) string {
	v, _ := b.ext(s, k)
	str, _ := v.(string)
	return str
}

// file returns the output file for a document.
func (b *builder) file(d *load.Doc) *ir.File {
	if f, ok := b.files[d]; ok {
		return f
	}
	base := path.Base(d.Path)
	stem := strings.TrimSuffix(strings.TrimSuffix(base, ".json"), ".schema")
	var words []string
	for _, w := range naming.Split(stem) {
		words = append(words, strings.ToLower(w))
	}
	name := strings.Join(words, "_")
	if name == "" {
		name = "schema"
	}
	if last := words[len(words)-1:]; len(words) > 1 && (goosOrArch[last[0]] || last[0] == "test") {
		// The go tool would read "_android" or "_test" as a build
		// constraint or a test file.
		name += "_schema"
	}
	f := &ir.File{Name: name + ir.FileSuffix, Path: d.Path, Source: d.Display, Display: d.Display, Schema: d.Embedded(), SchemaRef: d.Path}
	if b.cfg.Source != nil {
		f.Source = b.cfg.Source(d.Path)
	}
	if in, ok := b.cfg.Inputs[d.Path]; ok && in.SchemaRef != "" {
		f.SchemaRef = in.SchemaRef
	} else if obj, ok := d.Value.(map[string]any); ok {
		for _, k := range []string{"$id", "id"} {
			if id, ok := obj[k].(string); ok && id != "" && !strings.HasPrefix(id, "#") {
				f.SchemaRef = id
				break
			}
		}
	}
	if what, ok := reservedFiles[f.Name]; ok {
		b.errorf(d, "", "output file %q is reserved for %s; rename the schema file", f.Name, what)
	}
	for _, other := range b.fileList {
		if other.Name == f.Name {
			b.errorf(d, "", "output file %q would also be written for %s; rename one of the schema files", f.Name, other.Display)
		}
	}
	b.files[d] = f
	b.fileList = append(b.fileList, f)
	return f
}

// packageNames returns every package-level name the package's files and
// typed client declare, with who declares it.
func (b *builder) packageNames() map[string]string {
	taken := map[string]string{}
	for _, r := range naming.ReservedTypeNames() {
		taken[r] = "generated code"
	}
	for _, n := range []string{"Client", "Subscription", "NewClient", "Handler", "UnimplementedHandler", "NewValidator", "Aspects", "Resources", "RegistryEntries"} {
		taken[n] = "the typed client"
	}
	for _, f := range b.fileList {
		for _, n := range f.Types {
			taken[n.Name] = "type " + n.Name + " of " + f.Display
			if e, ok := n.Type.(*ir.Enum); ok {
				for _, v := range e.Values {
					taken[v.Name] = "constant " + v.Name + " of " + f.Display
				}
			}
		}
		if f.Root != nil && f.Aspect != "" {
			for _, n := range naming.AspectNames(f.Root.Name) {
				taken[n] = "the aspect constants of " + f.Display
			}
			for _, pre := range naming.AspectMethodPrefixes() {
				taken["client method "+pre+f.Root.Name] = "aspect " + f.Aspect
			}
		}
	}
	for _, m := range []string{"Subscribe", "Handle"} {
		taken["client method "+m] = "the typed client"
	}
	return taken
}

// aspect returns x-parsec-aspect, else the file name without its extensions.
func (b *builder) aspect(d *load.Doc) string {
	if in, ok := b.cfg.Inputs[d.Path]; ok && in.Aspect != "" {
		return in.Aspect
	}
	if obj, ok := d.Value.(map[string]any); ok {
		if a, ok := obj["x-parsec-aspect"].(string); ok && a != "" {
			return a
		}
	}
	return strings.TrimSuffix(strings.TrimSuffix(path.Base(d.Path), ".json"), ".schema")
}

// goName converts a JSON name or title, reporting failures at the place.
func (b *builder) goName(d *load.Doc, ptr, s string) string {
	n, err := b.cfg.Namer.Exported(s)
	if err != nil {
		b.errorf(d, ptr, "%v", err)
		return "Invalid"
	}
	return n
}

// goosOrArch are the GOOS and GOARCH values the go tool recognises in file
// name suffixes.
var goosOrArch = map[string]bool{
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true, "hurd": true,
	"illumos": true, "ios": true, "js": true, "linux": true, "nacl": true, "netbsd": true, "openbsd": true,
	"plan9": true, "solaris": true, "wasip1": true, "windows": true, "zos": true,
	"386": true, "amd64": true, "amd64p32": true, "arm": true, "armbe": true, "arm64": true, "arm64be": true,
	"loong64": true, "mips": true, "mipsle": true, "mips64": true, "mips64le": true, "mips64p32": true,
	"mips64p32le": true, "ppc": true, "ppc64": true, "ppc64le": true, "riscv": true, "riscv64": true,
	"s390": true, "s390x": true, "sparc": true, "sparc64": true, "wasm": true,
}

// reservedFiles are the output files written for the whole package, with
// what each holds: a schema whose own file would take one of these names is
// an error at the schema.
var reservedFiles = map[string]string{
	ir.SharedFile:   "what the package's files share",
	ir.ClientFile:   "the typed client",
	ir.ChannelsFile: "the typed channel patterns",
}

// maxTitleWords bounds the titles used as type names: longer titles are
// sentences, not names.
const maxTitleWords = 4

func (b *builder) titleName(s *jsonschema.Schema) string {
	if s.Title == "" {
		return ""
	}
	words := naming.Split(s.Title)
	if len(words) == 0 || len(words) > maxTitleWords {
		return ""
	}
	n, err := b.cfg.Namer.Exported(s.Title)
	if err != nil {
		return ""
	}
	return n
}

// explicitName returns a checked x-go-name, or "".
func (b *builder) explicitName(s *jsonschema.Schema, d *load.Doc, ptr string) string {
	v, ok := b.ext(s, "x-go-name")
	if !ok {
		return ""
	}
	n, _ := v.(string)
	if !naming.IsExportedIdent(n) {
		b.errorf(d, ptr+"/x-go-name", "x-go-name %q is not an exported Go identifier", fmt.Sprint(v))
		return ""
	}
	return n
}

// resolve follows $ref chains whose schemas carry nothing else.
func (b *builder) resolve(s *jsonschema.Schema) *jsonschema.Schema {
	seen := 0
	for b.isPureRef(s) {
		s = refTarget(s)
		seen++
		if seen > 1000 {
			if d, ptr, ok := b.where(s); ok {
				b.errorf(d, ptr, "$ref cycle with no type in it: unrepresentable")
			}
			return s
		}
	}
	return s
}

func refTarget(s *jsonschema.Schema) *jsonschema.Schema {
	if a := allOfAlias(s); a != nil {
		return a
	}
	if s.Ref != nil {
		return s.Ref
	}
	if s.RecursiveRef != nil {
		return s.RecursiveRef
	}
	return s.DynamicRef.Ref
}

func hasRef(s *jsonschema.Schema) bool {
	return s.Ref != nil || s.RecursiveRef != nil || (s.DynamicRef != nil && s.DynamicRef.Ref != nil)
}

// isPureRef reports a schema that stands for another one: a $ref plus
// annotations only, or an allOf whose entries are annotations except one.
// In drafts up to 07 a validator ignores every keyword beside $ref (the
// schema library drops them), so a "type" written there changes nothing:
// the decoder accepts what the validator accepts.
func (b *builder) isPureRef(s *jsonschema.Schema) bool {
	if hasRef(s) {
		return withoutRefIsEmpty(s)
	}
	return allOfAlias(s) != nil
}

// allOfAlias returns the one entry of an allOf that carries assertions when
// the schema has nothing else ({"allOf": [{"$ref": "#/x"}, {"description": "..."}]}).
func allOfAlias(s *jsonschema.Schema) *jsonschema.Schema {
	if len(s.AllOf) == 0 || hasRef(s) {
		return nil
	}
	c := *s
	c.AllOf = nil
	if !withoutRefIsEmpty(&c) {
		return nil
	}
	var only *jsonschema.Schema
	for _, a := range s.AllOf {
		if a.Bool == nil && !hasRef(a) && withoutRefIsEmpty(a) {
			continue
		}
		if only != nil {
			return nil
		}
		only = a
	}
	return only
}

// withoutRefIsEmpty reports whether the schema has no assertion or applicator
// besides its $ref.
func withoutRefIsEmpty(s *jsonschema.Schema) bool {
	return s.Bool == nil && s.Types == nil && s.Enum == nil && s.Const == nil && s.Not == nil &&
		len(s.AllOf) == 0 && len(s.AnyOf) == 0 && len(s.OneOf) == 0 && s.If == nil && s.Format == nil &&
		s.MaxProperties == nil && s.MinProperties == nil && len(s.Required) == 0 && s.PropertyNames == nil &&
		len(s.Properties) == 0 && len(s.PatternProperties) == 0 && s.AdditionalProperties == nil &&
		len(s.Dependencies) == 0 && len(s.DependentRequired) == 0 && len(s.DependentSchemas) == 0 &&
		s.UnevaluatedProperties == nil && s.MinItems == nil && s.MaxItems == nil && !s.UniqueItems &&
		s.Contains == nil && s.Items == nil && s.AdditionalItems == nil && len(s.PrefixItems) == 0 &&
		s.Items2020 == nil && s.UnevaluatedItems == nil && s.MinLength == nil && s.MaxLength == nil &&
		s.Pattern == nil && s.Maximum == nil && s.Minimum == nil && s.ExclusiveMaximum == nil &&
		s.ExclusiveMinimum == nil && s.MultipleOf == nil
}

// jsonText renders a decoded JSON value as compact JSON without HTML escaping.
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from a parsed JSON document, so they always encode.
		panic("unreachable: re-encoding parsed JSON: " + err.Error())
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// ratText renders an exact decimal for r, or a float approximation when r
// has no finite decimal expansion.
func ratText(r *big.Rat) string {
	if r == nil {
		return ""
	}
	if r.IsInt() {
		return r.Num().String()
	}
	for prec := 1; prec <= 40; prec++ {
		s := r.FloatString(prec)
		if back, ok := new(big.Rat).SetString(s); ok && back.Cmp(r) == 0 {
			return s
		}
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func intOr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}
