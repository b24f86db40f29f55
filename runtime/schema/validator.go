package schema

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/parsec-gen/parsec-gen/internal/ecmaregex"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// Mode says what a failed validation means to the client.
type Mode int

// Validation modes. The zero value is ModeStrict.
const (
	// ModeStrict: an envelope that fails validation is rejected.
	ModeStrict Mode = iota
	// ModeWarn: the failure is reported and the envelope still delivered.
	ModeWarn
	// ModeOff: nothing is compiled or validated.
	ModeOff
)

// String returns "strict", "warn" or "off".
func (m Mode) String() string {
	switch m {
	case ModeStrict:
		return "strict"
	case ModeWarn:
		return "warn"
	case ModeOff:
		return "off"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode parses "strict", "warn" or "off".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "strict":
		return ModeStrict, nil
	case "warn":
		return ModeWarn, nil
	case "off":
		return ModeOff, nil
	}
	return 0, fmt.Errorf("schema: unknown validation mode %q, want \"strict\", \"warn\" or \"off\"", s)
}

// Sentinel errors a *ValidationError wraps.
var (
	// ErrNoSchema: no schema is registered for the envelope's schema_ref or
	// aspect. Strict mode rejects such envelopes; warn mode reports them.
	ErrNoSchema = errors.New("no schema registered")
	// ErrMalformedPayload: the payload is not valid JSON.
	ErrMalformedPayload = errors.New("payload is not valid JSON")
	// ErrInvalidPayload: the payload does not satisfy its schema.
	ErrInvalidPayload = errors.New("payload does not match its schema")
)

// Violation is one failing location in a payload.
type Violation struct {
	// Pointer is the JSON pointer (RFC 6901) of the failing value in the
	// payload; "" is the payload itself.
	Pointer string
	// Message says what is wrong, in English.
	Message string
	// Keyword is the location of the failing schema keyword: the schema's
	// ref (absolute, or relative as registered) and a JSON pointer into it.
	Keyword string
}

// ValidationError reports an envelope whose payload could not be validated
// or failed validation.
type ValidationError struct {
	Aspect    string      // empty for a Set check
	SchemaRef string      // the ref of the schema used, or the envelope's when none was found
	Err       error       // ErrNoSchema, ErrMalformedPayload or ErrInvalidPayload
	Detail    string      // the parse error, for ErrMalformedPayload
	Causes    []Violation // every failing location, for ErrInvalidPayload
}

// maxListed caps the violations Error spells out; Causes keeps them all.
const maxListed = 20

// Error lists the violations, at most 20 of them:
// `schema: aspect "order_placed" (schema "orders/order_placed.json"): payload does not match its schema: /lines/0/qty: minimum: got 0, want 1`.
func (e *ValidationError) Error() string {
	var b strings.Builder
	switch {
	case e.Aspect != "" && e.SchemaRef != "":
		fmt.Fprintf(&b, "schema: aspect %q (schema %q)", e.Aspect, e.SchemaRef)
	case e.Aspect != "":
		fmt.Fprintf(&b, "schema: aspect %q", e.Aspect)
	default:
		fmt.Fprintf(&b, "schema: schema %q", e.SchemaRef)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	for i, c := range e.Causes {
		if i == maxListed {
			fmt.Fprintf(&b, "; and %d more", len(e.Causes)-maxListed)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		ptr := c.Pointer
		if ptr == "" {
			ptr = "(payload)"
		}
		b.WriteString(ptr)
		b.WriteString(": ")
		b.WriteString(c.Message)
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *ValidationError) Unwrap() error { return e.Err }

// Option configures a Validator.
type Option func(*config)

type config struct {
	resources    []Resource
	assertFormat bool
}

// WithResources registers extra documents the aspect schemas reference.
func WithResources(resources ...Resource) Option {
	return func(c *config) { c.resources = append(c.resources, resources...) }
}

// WithFormatAssertion makes every known "format" an assertion in every
// draft: an "email" that is not an email fails also in a 2020-12 schema. By
// default the formats generated code gives a Go type (date-time, date, uuid,
// uri, byte, int32, uint64, float) assert in every draft and the others only
// in draft-04 to -07; see the package documentation.
func WithFormatAssertion() Option { return func(c *config) { c.assertFormat = true } }

// Validator checks envelope payloads against their aspect's compiled schema.
// It is immutable after NewValidator and safe for concurrent use.
type Validator struct {
	mode     Mode
	registry *Registry
	byName   map[string]*jsonschema.Schema
	byRef    map[string]*jsonschema.Schema // normalised ref -> schema
}

var printer = message.NewPrinter(language.English)

// NewValidator registers aspects (see NewRegistry) and compiles every schema
// once; validating an envelope never compiles. Schemas without "$schema" are
// read as draft 2020-12. A schema that does not compile is an error naming
// its aspect. In ModeOff nothing is compiled.
func NewValidator(mode Mode, aspects []Aspect, opts ...Option) (*Validator, error) {
	if mode != ModeStrict && mode != ModeWarn && mode != ModeOff {
		return nil, fmt.Errorf("schema: unknown validation mode %d", int(mode))
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	reg, err := newRegistry(aspects, cfg.resources, cfg.assertFormat)
	if err != nil {
		return nil, err
	}
	v := &Validator{
		mode:     mode,
		registry: reg,
		byName:   make(map[string]*jsonschema.Schema),
		byRef:    make(map[string]*jsonschema.Schema),
	}
	if mode == ModeOff {
		return v, nil
	}
	c := newCompiler(reg, cfg)
	var errs []error
	compiled := make([]*jsonschema.Schema, len(reg.aspects))
	for i, a := range reg.aspects {
		u := reg.aspectURL[i]
		if u == "" {
			continue // no schema document
		}
		sch, err := c.Compile(u)
		if err != nil {
			errs = append(errs, fmt.Errorf("schema: aspect %q (%s): %w", a.Name, u, err))
			continue
		}
		compiled[i] = sch
		if reg.byName[a.Name] != ambiguous {
			v.byName[a.Name] = sch
		}
	}
	for ref, i := range reg.byRef {
		if sch := compiled[i]; sch != nil {
			v.byRef[ref] = sch
		}
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, errors.Join(errs...)
	}
	return v, nil
}

// newCompiler returns a compiler that resolves only reg's documents and
// uses ECMAScript pattern semantics.
func newCompiler(reg *Registry, cfg config) *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(loader{reg})
	c.UseRegexpEngine(func(s string) (jsonschema.Regexp, error) { return ecmaregex.Compile(s) })
	registerFormats(c)
	return c
}

// Mode returns the validator's mode: the client rejects a failed envelope in
// ModeStrict and reports and delivers it in ModeWarn.
func (v *Validator) Mode() Mode { return v.mode }

// Rejects reports whether a failed validation should drop the envelope
// (ModeStrict).
func (v *Validator) Rejects() bool { return v.mode == ModeStrict }

// Registry returns the aspects the validator was built from.
func (v *Validator) Registry() *Registry { return v.registry }

// SchemaRef returns the schema ref registered for aspect, if any.
func (v *Validator) SchemaRef(aspect string) (string, bool) { return v.registry.SchemaRef(aspect) }

// Validate checks env's payload against the schema registered for its
// schema_ref, or, when it has none or an unknown one, for its aspect name.
// An absent payload is validated as JSON null. It returns nil in ModeOff,
// and otherwise a *ValidationError wrapping ErrNoSchema (no schema for the
// envelope), ErrMalformedPayload (payload not JSON, or with duplicate keys)
// or ErrInvalidPayload (with every violation). Whether the error rejects the
// envelope is the caller's decision, normally by Mode.
func (v *Validator) Validate(env *envelope.Envelope) error {
	if v.mode == ModeOff {
		return nil
	}
	sch, ref := v.lookup(env)
	if sch == nil {
		return &ValidationError{Aspect: env.Aspect, SchemaRef: env.SchemaRef, Err: ErrNoSchema}
	}
	var inst any
	if len(env.Payload) > 0 {
		var err error
		inst, err = parsePayload(env.Payload)
		if err != nil {
			return &ValidationError{Aspect: env.Aspect, SchemaRef: ref, Err: ErrMalformedPayload, Detail: err.Error()}
		}
	}
	err := sch.Validate(inst)
	if err == nil {
		return nil
	}
	return invalid(env.Aspect, ref, err)
}

// invalid builds the *ValidationError for a failed schema validation.
func invalid(aspect, ref string, err error) *ValidationError {
	ve := &ValidationError{Aspect: aspect, SchemaRef: ref, Err: ErrInvalidPayload}
	var jve *jsonschema.ValidationError
	if errors.As(err, &jve) {
		collect(jve, &ve.Causes)
		// The library walks properties in map order; sort for stable output.
		sort.SliceStable(ve.Causes, func(i, j int) bool {
			a, b := ve.Causes[i], ve.Causes[j]
			if a.Pointer != b.Pointer {
				return a.Pointer < b.Pointer
			}
			return a.Keyword < b.Keyword
		})
	} else {
		ve.Detail = err.Error()
	}
	return ve
}

func (v *Validator) lookup(env *envelope.Envelope) (*jsonschema.Schema, string) {
	if env.SchemaRef != "" {
		if sch, ok := v.byRef[normalizeRef(env.SchemaRef)]; ok {
			return sch, env.SchemaRef
		}
	}
	if sch, ok := v.byName[env.Aspect]; ok {
		a, _ := v.registry.ByName(env.Aspect) // present: byName holds only registered aspects
		ref := a.SchemaRef
		if ref == "" {
			ref = v.registry.aspectURL[v.registry.byName[a.Name]]
		}
		return sch, ref
	}
	return nil, ""
}

// collect appends the leaves of the error tree: the failures that are not
// just "a subschema failed".
func collect(e *jsonschema.ValidationError, out *[]Violation) {
	if len(e.Causes) == 0 {
		*out = append(*out, Violation{
			Pointer: pointer(e.InstanceLocation),
			Message: e.ErrorKind.LocalizedString(printer),
			Keyword: keywordLocation(e),
		})
		return
	}
	for _, c := range e.Causes {
		collect(c, out)
	}
}

// keywordLocation is the failing keyword's absolute location, with the
// internal base stripped so relative refs read as they were registered:
// "orders/order_placed.json#/properties/lines/items/properties/qty/minimum".
func keywordLocation(e *jsonschema.ValidationError) string {
	loc := strings.TrimPrefix(e.SchemaURL, InternalBase)
	if !strings.Contains(loc, "#") {
		loc += "#"
	}
	return loc + pointer(e.ErrorKind.KeywordPath())
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}
