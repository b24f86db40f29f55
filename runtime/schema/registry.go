// Package schema validates envelope payloads against the JSON Schema of
// their aspect.
//
// A Registry holds the aspects generated code declares (name, schema ref,
// schema document, Go type constructor) and any extra documents they
// reference, such as a shared definitions file. A Validator compiles every
// schema of a Registry once, up front, with
// github.com/santhosh-tekuri/jsonschema/v6, and then checks each envelope's
// payload against the schema found by its schema_ref, or failing that by its
// aspect name.
//
// Nothing is ever loaded from the network or the file system: a $ref
// resolves only to a registered document (or to a standard meta-schema,
// which the library embeds). Schema refs may be absolute URIs (usually the
// document's $id) or slash-separated relative paths such as
// "orders/order_placed.json"; relative ones are placed under the fixed base
// InternalBase, so relative $refs between registered documents resolve the
// same way they do between files on disk. Inside a document that declares
// an absolute $id, relative $refs resolve against that $id. A document is
// also known by its $id, by its Path when it has one (generated code sets it
// for documents registered under their $id), and every resource inside it
// with an $id of its own by that $id; a URL under the directory of a
// document's $id names the document at the same relative path from it. These
// are the rules by which the generator found the files.
//
// The rule for "format" (the one generated decoders apply): the formats
// generated code gives a Go type (date-time, date, uuid, uri, byte, int32,
// uint64, float) are assertions in every draft, checked with package
// parsec's parsers; the other known formats (email, hostname, ipv4, regex,
// ...) are assertions in draft-04 to -07 and annotations in 2019-09 and
// 2020-12; WithFormatAssertion makes every known format an assertion.
//
// Patterns use the ECMAScript dialect JSON Schema specifies: Go's regexp
// when it accepts the pattern, else a backtracking engine with a match
// timeout (see internal/ecmaregex).
package schema

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/internal/schemadoc"
)

// InternalBase is the base URL relative schema refs are resolved against. It
// uses the reserved .invalid domain, so it can never reach the network.
const InternalBase = "https://parsec.invalid/schemas/"

// Aspect is one message kind: the registry entry generated code emits.
type Aspect struct {
	// Name is the aspect name carried in envelopes ("order_placed").
	Name string
	// SchemaRef identifies the schema: an absolute URI or a slash-separated
	// relative path. When empty, the document's $id is used, else the name
	// with ".json" (which envelopes then cannot name as their schema_ref).
	SchemaRef string
	// Schema is the JSON Schema document. An aspect without one is accepted
	// by the registry; validating its envelopes reports ErrNoSchema.
	// Generated code embeds it in compact form by default: minified and
	// without annotation-only members (title, description, examples,
	// default, ...), which validates the same; generate with
	// --embed-schema verbatim to embed the file as written.
	Schema []byte
	// New returns a pointer to a fresh value of the aspect's Go type.
	New func() any
	// Path is the document's slash-separated path in the schema directory
	// it was generated from, when SchemaRef is not that path (it is the
	// document's $id). The document is then also known by the path, so a
	// relative $ref written in a document without an $id finds it, as the
	// generator found the file.
	Path string
}

// Resource is an extra schema document that aspect schemas reference, for
// example a shared definitions file.
type Resource struct {
	// Ref identifies the document like Aspect.SchemaRef.
	Ref string
	// Schema is the JSON document.
	Schema []byte
	// Path is the document's path, as Aspect.Path.
	Path string
}

// Registry indexes aspects by name and by schema ref. It is immutable after
// NewRegistry and safe for concurrent use.
type Registry struct {
	aspects   []Aspect
	byName    map[string]int // index in aspects; ambiguous (-1) for a name listed with several refs
	byRef     map[string]int // normalised ref -> index in aspects
	docs      map[string]any // URL -> parsed document, for the loader
	aspectURL []string       // per aspect, the URL its schema compiles from; "" without one
	// idDirs map a URL under the directory of a document's $id to the
	// document at the same relative path (see loader.Load).
	idDirs []schemadoc.IDDir
}

// ambiguous marks a name several aspects share (each with its own schema
// ref, as one aspect on several channel patterns): only their refs find them.
const ambiguous = -1

// NewRegistry indexes aspects and resources. Duplicate refs, refs that are
// neither absolute URIs nor clean relative paths, and documents that are not
// JSON are errors naming the aspect or resource. A name may repeat only when
// every aspect of that name has its own schema ref (one aspect declared on
// several channel patterns); such aspects are found by ref, never by name.
func NewRegistry(aspects []Aspect, resources ...Resource) (*Registry, error) {
	return newRegistry(aspects, resources, false)
}

// newRegistry is NewRegistry; allFormats keeps every "format" keyword as an
// assertion (WithFormatAssertion) instead of leaving out those that are
// annotations in their document's draft.
func newRegistry(aspects []Aspect, resources []Resource, allFormats bool) (*Registry, error) {
	r := &Registry{
		aspects:   make([]Aspect, 0, len(aspects)),
		byName:    make(map[string]int, len(aspects)),
		byRef:     make(map[string]int, len(aspects)),
		docs:      make(map[string]any, len(aspects)+len(resources)),
		aspectURL: make([]string, 0, len(aspects)),
	}
	var errs []error
	refOwner := make(map[string]string) // URL -> who registered it, for messages
	parse := func(who string, data []byte) (any, bool) {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			errs = append(errs, fmt.Errorf("schema: %s: invalid JSON: %w", who, err))
			return nil, false
		}
		dropBadAnnotations(doc)
		if !allFormats {
			stripAnnotationFormats(doc)
		}
		return doc, true
	}
	addDoc := func(who, ref, docPath string, doc any) (string, bool) {
		u, err := refURL(ref)
		if err != nil {
			errs = append(errs, fmt.Errorf("schema: %s: %w", who, err))
			return "", false
		}
		if prev, ok := refOwner[u]; ok {
			errs = append(errs, fmt.Errorf("schema: %s: schema ref %q is already used by %s", who, ref, prev))
			return "", false
		}
		refOwner[u] = who
		r.docs[u] = doc
		// A document is also known by its own absolute $id, so $refs
		// written against the $id find it, and by its path, so relative
		// $refs from documents without an $id find it; the resources
		// inside it that have an $id are known by that.
		id := schemadoc.RootID(doc)
		also := []string{id}
		if docPath != "" {
			pu, err := refURL(docPath)
			if err != nil {
				errs = append(errs, fmt.Errorf("schema: %s: path: %w", who, err))
				return "", false
			}
			also = append(also, pu)
			if id != "" {
				r.idDirs = append(r.idDirs, schemadoc.NewIDDir(id, strings.TrimPrefix(pu, InternalBase)))
			}
		} else if id != "" && strings.HasPrefix(u, InternalBase) {
			r.idDirs = append(r.idDirs, schemadoc.NewIDDir(id, strings.TrimPrefix(u, InternalBase)))
		}
		for _, a := range also {
			if a != "" && a != u {
				if _, taken := refOwner[a]; !taken {
					r.docs[a] = doc
				}
			}
		}
		base := u
		if id != "" {
			base = id
		}
		for _, res := range schemadoc.Embedded(doc, base) {
			if _, taken := r.docs[res.URL]; !taken {
				r.docs[res.URL] = res.Schema
			}
		}
		return u, true
	}

	for _, a := range aspects {
		who := fmt.Sprintf("aspect %q", a.Name)
		if a.Name == "" {
			errs = append(errs, errors.New("schema: aspect with an empty name"))
			continue
		}
		i := len(r.aspects)
		if prev, dup := r.byName[a.Name]; dup {
			// The same aspect may be declared on several channel patterns,
			// each with its own schema ref; envelopes then name the ref.
			if a.SchemaRef == "" || prev != ambiguous && r.aspects[prev].SchemaRef == "" {
				errs = append(errs, fmt.Errorf("schema: %s is registered twice (an aspect listed again needs a schema ref of its own)", who))
				continue
			}
			r.byName[a.Name] = ambiguous
		} else {
			r.byName[a.Name] = i
		}
		r.aspects = append(r.aspects, a)
		r.aspectURL = append(r.aspectURL, "")
		if len(a.Schema) == 0 {
			if a.SchemaRef != "" {
				errs = append(errs, fmt.Errorf("schema: %s: schema ref %q without a schema document", who, a.SchemaRef))
			}
			continue
		}
		doc, ok := parse(who, a.Schema)
		if !ok {
			continue
		}
		ref := a.SchemaRef
		if ref == "" {
			ref = schemadoc.RootID(doc)
		}
		if ref == "" {
			ref = a.Name + ".json"
		}
		u, ok := addDoc(who, ref, a.Path, doc)
		if !ok {
			continue
		}
		r.aspectURL[i] = u
		if a.SchemaRef != "" || schemadoc.RootID(doc) != "" {
			r.byRef[normalizeRef(ref)] = i
		}
	}
	for _, res := range resources {
		if res.Ref == "" {
			errs = append(errs, errors.New("schema: resource with an empty ref"))
			continue
		}
		who := fmt.Sprintf("resource %q", res.Ref)
		if doc, ok := parse(who, res.Schema); ok {
			addDoc(who, res.Ref, res.Path, doc)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// schemaMapKeywords hold an object whose every value is a schema.
var schemaMapKeywords = map[string]bool{"properties": true, "patternProperties": true, "definitions": true,
	"$defs": true, "dependentSchemas": true, "dependencies": true}

// dataKeywords hold instance data, not schemas.
var dataKeywords = map[string]bool{"const": true, "enum": true, "default": true, "examples": true, "example": true}

// dropBadAnnotations removes, from every schema object in doc, annotation
// keywords of the wrong JSON kind: a title, description or $comment that is
// not a string (null is common in real schemas) or examples that is not an
// array. They carry no validation meaning, but the meta-schema check would
// reject the whole document. The generator applies the same leniency, so
// the runtime accepts every schema the generator accepted.
func dropBadAnnotations(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			switch k {
			case "title", "description", "$comment":
				if _, ok := child.(string); !ok {
					delete(v, k)
				}
				continue
			case "examples":
				if _, ok := child.([]any); !ok {
					delete(v, k)
				}
				continue
			}
			if dataKeywords[k] || strings.HasPrefix(k, "x-") {
				continue
			}
			if m, ok := child.(map[string]any); ok && schemaMapKeywords[k] {
				for _, sub := range m {
					dropBadAnnotations(sub)
				}
				continue
			}
			dropBadAnnotations(child)
		}
	case []any:
		for _, e := range v {
			dropBadAnnotations(e)
		}
	}
}

// refURL maps a schema ref to the URL the document is registered under: an
// absolute URI as is (without fragment; an empty one, as in the draft-04
// style "$id": "https://example.com/a.json#", is the document itself), a
// relative path under InternalBase.
func refURL(ref string) (string, error) {
	ref = strings.TrimSuffix(ref, "#")
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("schema ref %q is not a URI: %w", ref, err)
	}
	if u.Fragment != "" || strings.Contains(ref, "#") {
		return "", fmt.Errorf("schema ref %q must not have a fragment", ref)
	}
	if u.IsAbs() {
		return u.String(), nil
	}
	if u.Host != "" || u.RawQuery != "" || strings.HasPrefix(ref, "/") {
		return "", fmt.Errorf("schema ref %q must be an absolute URI or a relative path like \"orders/order_placed.json\"", ref)
	}
	clean := path.Clean(ref)
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("schema ref %q leaves the schema tree", ref)
	}
	return InternalBase + clean, nil
}

// normalizeRef is the lookup key of a ref: relative paths cleaned, so that
// "./orders/a.json" and "orders/a.json" are the same schema.
func normalizeRef(ref string) string {
	if u, err := refURL(ref); err == nil {
		return u
	}
	return ref
}

// Aspects returns the registered aspects in registration order.
func (r *Registry) Aspects() []Aspect { return append([]Aspect(nil), r.aspects...) }

// ByName returns the aspect called name; false also when several aspects
// share the name (each is found by its schema ref).
func (r *Registry) ByName(name string) (Aspect, bool) {
	if i, ok := r.byName[name]; ok && i != ambiguous {
		return r.aspects[i], true
	}
	return Aspect{}, false
}

// ByRef returns the aspect whose schema ref is ref (relative refs compare
// after cleaning: "./a.json" is "a.json").
func (r *Registry) ByRef(ref string) (Aspect, bool) {
	if i, ok := r.byRef[normalizeRef(ref)]; ok {
		return r.aspects[i], true
	}
	return Aspect{}, false
}

// New returns a fresh value of the Go type of the aspect called name (a
// pointer, from Aspect.New), or nil when the aspect is unknown or has no
// constructor.
func (r *Registry) New(aspect string) any {
	if a, ok := r.ByName(aspect); ok && a.New != nil {
		return a.New()
	}
	return nil
}

// SchemaRef returns the schema ref of the aspect called name, if it has one.
func (r *Registry) SchemaRef(aspect string) (string, bool) {
	a, ok := r.ByName(aspect)
	if !ok || a.SchemaRef == "" {
		return "", false
	}
	return a.SchemaRef, true
}

// loader serves the registered documents and refuses everything else, so
// compiling never touches the network or the file system. A URL under the
// directory of a document's $id that names no registered document is the
// document at the same path relative to that document's path, as the
// generator maps it to a file.
type loader struct{ r *Registry }

func (l loader) Load(u string) (any, error) {
	if doc, ok := l.r.docs[u]; ok {
		return doc, nil
	}
	for _, d := range l.r.idDirs {
		if p, ok := d.Map(u); ok {
			if doc, ok := l.r.docs[InternalBase+p]; ok {
				return doc, nil
			}
		}
	}
	return nil, fmt.Errorf("%q is not a registered schema document (schemas are never loaded from the network or disk)", u)
}
