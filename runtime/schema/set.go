package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Set validates JSON values against any part of a set of registered
// documents, compiling each (document, JSON pointer) pair on first use and
// keeping it. Generated code uses it for the keywords it does not turn into
// Go checks (if/then/else, not, ...):
//
//	var schemas = schema.NewSet(Aspects, Resources)
//
//	func (v *OrderPlaced) Validate() error {
//		...
//		return schemas.ValidateValue("orders/order_placed.json", "/properties/lines", v.Lines)
//	}
//
// A Set is safe for concurrent use; compilation happens under a lock,
// validation of compiled schemas does not take it.
type Set struct {
	aspects   []Aspect
	resources []Resource
	cfg       config

	once sync.Once
	reg  *Registry
	err  error

	mu       sync.Mutex // serialises use of the compiler
	compiler *jsonschema.Compiler
	compiled sync.Map // location string -> *setEntry
}

type setEntry struct {
	sch *jsonschema.Schema
	err error
}

// NewSet returns a Set over aspects' schemas and resources. Nothing is
// parsed or compiled until the first validation; a registration or
// compilation error is then returned by every validation that needs it.
// Options as for NewValidator (WithFormatAssertion; WithResources adds to
// resources).
func NewSet(aspects []Aspect, resources []Resource, opts ...Option) *Set {
	s := &Set{aspects: aspects, resources: resources}
	for _, o := range opts {
		o(&s.cfg)
	}
	return s
}

func (s *Set) init() {
	s.reg, s.err = newRegistry(s.aspects, append(append([]Resource(nil), s.resources...), s.cfg.resources...), s.cfg.assertFormat)
	if s.err == nil {
		s.compiler = newCompiler(s.reg, s.cfg)
	}
}

// schema returns the compiled schema at pointer inside the document ref.
func (s *Set) schema(ref, pointer string) (*jsonschema.Schema, error) {
	s.once.Do(s.init)
	if s.err != nil {
		return nil, s.err
	}
	if pointer != "" && !strings.HasPrefix(pointer, "/") {
		return nil, fmt.Errorf("schema: %q is not a JSON pointer", pointer)
	}
	u, err := refURL(ref)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if _, ok := s.reg.docs[u]; !ok {
		return nil, fmt.Errorf("schema: schema ref %q is not registered", ref)
	}
	// The fragment is percent-decoded by the library; only "%" needs care.
	loc := u + "#" + strings.ReplaceAll(pointer, "%", "%25")
	if e, ok := s.compiled.Load(loc); ok {
		return e.(*setEntry).sch, e.(*setEntry).err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.compiled.Load(loc); ok {
		return e.(*setEntry).sch, e.(*setEntry).err
	}
	sch, err := s.compiler.Compile(loc)
	if err != nil {
		err = fmt.Errorf("schema: %s#%s: %w", ref, pointer, err)
	}
	s.compiled.Store(loc, &setEntry{sch: sch, err: err})
	return sch, err
}

// Validate checks the JSON value instance against the subschema at pointer
// ("" for the whole document, else an RFC 6901 pointer such as
// "/properties/lines") in the registered document ref. It returns a
// *ValidationError wrapping ErrMalformedPayload or ErrInvalidPayload, or an
// error when ref or pointer do not name a schema that compiles.
func (s *Set) Validate(ref, pointer string, instance []byte) error {
	sch, err := s.schema(ref, pointer)
	if err != nil {
		return err
	}
	inst, err := parsePayload(instance)
	if err != nil {
		return &ValidationError{SchemaRef: ref + "#" + pointer, Err: ErrMalformedPayload, Detail: err.Error()}
	}
	if err := sch.Validate(inst); err != nil {
		return invalid("", ref+"#"+pointer, err)
	}
	return nil
}

// ValidateValue is Validate of the encoding/json form of v.
func (s *Set) ValidateValue(ref, pointer string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("schema: %s#%s: encoding the value: %w", ref, pointer, err)
	}
	return s.Validate(ref, pointer, data)
}
