// Package load reads JSON Schema files from an fs.FS and compiles them with
// github.com/santhosh-tekuri/jsonschema/v6; it is the only package of the
// generator that imports the schema library.
//
// Only files of the given file system are read: a $ref to any other URL
// (http, https, urn, ...) is an error naming the place of the $ref, unless it
// falls under the $id of a loaded schema, in which case it is read from the
// file at the same relative path from that schema's file. Patterns are
// compiled with internal/ecmaregex (Go regexp first, ECMAScript backtracking
// for what Go rejects).
//
// Leniency: an annotation keyword of the wrong kind (a title, description or
// $comment that is not a string, such as null, or examples that is not an
// array; all found in real schemas) carries no meaning the generator uses, so
// it is treated as absent and reported in Set.Warnings; any other metaschema
// violation is an error.
package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	gourl "net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/parsec-gen/parsec-gen/internal/ecmaregex"
)

// fileBase prefixes FS paths to make the URLs the compiler works with.
const fileBase = "file:///"

// Config says where schemas are read from and how paths are shown.
type Config struct {
	// FS is the only source of schema files.
	FS fs.FS
	// Display maps an FS path to the text shown in messages; nil is identity.
	Display func(fsPath string) string
}

// Doc is one loaded schema file.
type Doc struct {
	// Path is the slash-separated FS path.
	Path string
	// Display is Path as shown in messages.
	Display string
	// URL is the absolute URL the compiler knows the document by.
	URL string
	// Raw is the file's bytes.
	Raw []byte
	// Value is the decoded document (numbers as json.Number).
	Value any
	// Index locates JSON pointers in Raw and keeps key order.
	Index *Index
	// Schema is the compiled root schema for input files; nil for files
	// only reached through $ref.
	Schema *jsonschema.Schema
	// Lenient reports that a leniency changed Value (see the package doc),
	// so Raw no longer describes what was compiled.
	Lenient bool
}

// Effective returns the schema text that was compiled: Raw, or, when a
// leniency changed the document, Value re-encoded as compact JSON (object
// keys then come in sorted order). Validators that read the embedded schema
// therefore accept what the generator accepted.
func (d *Doc) Effective() []byte {
	if !d.Lenient {
		return d.Raw
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d.Value); err != nil {
		// Value was decoded from JSON and holds only JSON values.
		return d.Raw
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Set is the result of loading: every input and every file it references.
type Set struct {
	// Inputs are the requested schema files, sorted by Path.
	Inputs []*Doc
	// Warnings are reported leniencies, sorted, one "place: message" each.
	Warnings []string

	cfg    Config
	byURL  map[string]*Doc
	byPath map[string]*Doc
	idDirs []idDir
	errs   []*Error
}

// idDir maps the directory of an absolute $id to the FS directory of its file.
type idDir struct {
	idPrefix string
	fsDir    string
}

// Error is a problem at a place in a schema file.
type Error struct {
	// File is the display path.
	File string
	// Pos is the position, zero when unknown.
	Pos Pos
	// Pointer is the JSON pointer within File.
	Pointer string
	// Msg says what is wrong.
	Msg string
}

// Error formats "file:line:col: msg", else "file#/pointer: msg".
func (e *Error) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
	}
	if e.Pointer == "" && e.File != "" {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s#%s: %s", e.File, e.Pointer, e.Msg)
}

// Errors is a sorted list of errors from one stage.
type Errors []*Error

// MaxErrors caps how many errors are shown.
const MaxErrors = 20

// Error joins the errors one per line, at most MaxErrors of them.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i == MaxErrors {
			fmt.Fprintf(&b, "\ntoo many errors (%d more)", len(es)-MaxErrors)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Sort orders errors by file, line, column, pointer and message and drops duplicates.
func (es Errors) Sort() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		return a.Msg < b.Msg
	})
	return slices.CompactFunc(es, func(a, b *Error) bool { return *a == *b })
}

// Load reads and compiles the schema files at paths.
func Load(cfg Config, paths []string) (*Set, error) {
	if cfg.Display == nil {
		cfg.Display = func(p string) string { return p }
	}
	s := &Set{cfg: cfg, byURL: make(map[string]*Doc), byPath: make(map[string]*Doc)}
	sorted := slices.Clone(paths)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	for _, p := range sorted {
		d, err := s.read(p)
		if err != nil {
			s.errs = append(s.errs, &Error{File: cfg.Display(p), Msg: err.Error()})
			continue
		}
		if d != nil {
			s.Inputs = append(s.Inputs, d)
		}
	}
	// Check the references of the inputs before compiling, so a remote
	// $ref is reported at its place; every problem found before compiling
	// is reported together.
	for _, d := range s.Inputs {
		s.checkRefs(d, d.Value, "", d.URL)
	}
	if len(s.errs) > 0 {
		return nil, Errors(s.errs).Sort()
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(loader{s})
	c.UseRegexpEngine(regexpCache{}.compile)
	for _, d := range s.Inputs {
		if err := c.AddResource(d.URL, d.Value); err != nil {
			s.errs = append(s.errs, &Error{File: d.Display, Msg: err.Error()})
		}
	}
	for _, d := range s.Inputs {
		n := len(s.errs)
		sch, err := c.Compile(d.URL)
		if err != nil {
			if len(s.errs) == n { // the loader did not already explain it
				s.errs = append(s.errs, s.compileError(d, err)...)
			}
			continue
		}
		d.Schema = sch
	}
	if len(s.errs) > 0 {
		return nil, Errors(s.errs).Sort()
	}
	slices.Sort(s.Warnings)
	return s, nil
}

// regexpCache compiles each distinct pattern once per Load: large schemas
// repeat the same pattern hundreds of times, and both engines' compiled
// expressions are safe to share.
type regexpCache map[string]cachedRegexp

type cachedRegexp struct {
	re  jsonschema.Regexp
	err error
}

func (c regexpCache) compile(p string) (jsonschema.Regexp, error) {
	if r, ok := c[p]; ok {
		return r.re, r.err
	}
	re, err := ecmaregex.Compile(p)
	c[p] = cachedRegexp{re, err}
	return re, err
}

// read loads the FS file at p (once) and indexes it.
func (s *Set) read(p string) (*Doc, error) {
	if d, ok := s.byPath[p]; ok {
		return d, nil
	}
	if !fs.ValidPath(p) {
		return nil, fmt.Errorf("path %q is not a valid slash-separated path inside the input directory", p)
	}
	raw, err := fs.ReadFile(s.cfg.FS, p)
	if err != nil {
		return nil, fmt.Errorf("cannot read schema: %w", err)
	}
	d := &Doc{Path: p, Display: s.cfg.Display(p), URL: fileBase + escapePath(p), Raw: raw}
	v, ix, err := Parse(raw)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			s.errs = append(s.errs, &Error{File: d.Display, Pos: se.Pos, Msg: "malformed JSON: " + se.Msg})
			return nil, nil
		}
		return nil, err
	}
	d.Value, d.Index = v, ix
	s.lenient(d, v, "", true)
	s.detectDraft4(d)
	s.byPath[p] = d
	s.byURL[d.URL] = d
	if obj, ok := v.(map[string]any); ok {
		for _, k := range []string{"$id", "id"} {
			id, ok := obj[k].(string)
			if !ok {
				continue
			}
			u, err := gourl.Parse(id)
			if err != nil || !u.IsAbs() || u.Scheme == "file" {
				break
			}
			u.Fragment = ""
			u.RawFragment = ""
			abs := u.String()
			s.idDirs = append(s.idDirs, idDir{idPrefix: abs[:strings.LastIndex(abs, "/")+1], fsDir: path.Dir(p)})
			s.byURL[abs] = d
			break
		}
	}
	return d, nil
}

func escapePath(p string) string {
	return (&gourl.URL{Path: p}).EscapedPath()
}

// schemaMapKeywords hold objects whose values are schemas.
var schemaMapKeywords = map[string]bool{"properties": true, "patternProperties": true, "definitions": true,
	"$defs": true, "dependentSchemas": true, "dependencies": true}

// dataKeywords hold instance data, not schemas.
var dataKeywords = map[string]bool{"const": true, "enum": true, "default": true, "examples": true, "example": true}

// detectDraft4 marks a document without "$schema" as draft-04 when it is
// written in draft-04 only style (a top-level "id" and no "$id", or a boolean
// exclusiveMinimum/exclusiveMaximum), which the latest draft would reject;
// the choice is reported as a warning.
func (s *Set) detectDraft4(d *Doc) {
	obj, ok := d.Value.(map[string]any)
	if !ok {
		return
	}
	if _, ok := obj["$schema"]; ok {
		return
	}
	_, hasID := obj["id"].(string)
	_, hasDollarID := obj["$id"]
	reason := ""
	if hasID && !hasDollarID {
		reason = `it has "id" and no "$id"`
	} else if hasBoolExclusive(obj, 0) {
		reason = "it uses a boolean exclusiveMinimum or exclusiveMaximum"
	}
	if reason == "" {
		return
	}
	obj["$schema"] = "http://json-schema.org/draft-04/schema#"
	d.Lenient = true
	s.Warnings = append(s.Warnings, fmt.Sprintf("%s: no $schema; read as draft-04 because %s", d.Display, reason))
}

func hasBoolExclusive(v any, depth int) bool {
	if depth > 200 {
		return false
	}
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if _, ok := c.(bool); ok && (k == "exclusiveMinimum" || k == "exclusiveMaximum") {
				return true
			}
			if hasBoolExclusive(c, depth+1) {
				return true
			}
		}
	case []any:
		for _, c := range v {
			if hasBoolExclusive(c, depth+1) {
				return true
			}
		}
	}
	return false
}

// annotationMismatch returns the expected JSON kind when k is an annotation
// keyword whose value has another kind, else "".
func annotationMismatch(k string, v any) string {
	switch k {
	case "title", "description", "$comment":
		if _, ok := v.(string); !ok {
			return "a string"
		}
	case "examples":
		if _, ok := v.([]any); !ok {
			return "an array"
		}
	}
	return ""
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

// lenient drops null annotations (title, description, $comment) from schema
// objects, reporting each.
func (s *Set) lenient(d *Doc, v any, ptr string, isSchema bool) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range d.Index.Keys(ptr) {
			child := ptr + "/" + EscapePointerToken(k)
			if isSchema {
				if want := annotationMismatch(k, v[k]); want != "" {
					s.Warnings = append(s.Warnings, fmt.Sprintf("%s: annotation %s is %s, want %s; treated as absent",
						s.place(d, child), k, jsonKind(v[k]), want))
					delete(v, k)
					d.Lenient = true
					continue
				}
				if dataKeywords[k] || strings.HasPrefix(k, "x-") {
					continue
				}
				if schemaMapKeywords[k] {
					if m, ok := v[k].(map[string]any); ok {
						for _, mk := range d.Index.Keys(child) {
							s.lenient(d, m[mk], child+"/"+EscapePointerToken(mk), true)
						}
						continue
					}
				}
			}
			s.lenient(d, v[k], child, isSchema)
		}
	case []any:
		for i, e := range v {
			s.lenient(d, e, ptr+"/"+strconv.Itoa(i), isSchema)
		}
	}
}

// place formats a location in a document for messages.
func (s *Set) place(d *Doc, ptr string) string {
	if p, ok := d.Index.Pos(ptr); ok {
		return fmt.Sprintf("%s:%d:%d", d.Display, p.Line, p.Col)
	}
	return d.Display + "#" + ptr
}

// nestedBase marks references inside a resource with its own $id.
const nestedBase = "nested:"

// checkRefs reports $ref values that point outside the input file system.
func (s *Set) checkRefs(d *Doc, v any, ptr, base string) {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v["$id"].(string); ok && ptr != "" && !strings.HasPrefix(id, "#") {
			// A nested resource changes the base of relative references;
			// the compiler resolves those.
			base = nestedBase
		}
		for _, k := range d.Index.Keys(ptr) {
			child := ptr + "/" + EscapePointerToken(k)
			if dataKeywords[k] {
				continue
			}
			if k == "$ref" {
				if ref, ok := v[k].(string); ok {
					if msg := s.refProblem(base, ref); msg != "" {
						pos, _ := d.Index.Pos(child)
						s.errs = append(s.errs, &Error{File: d.Display, Pos: pos, Pointer: child, Msg: msg})
					}
				}
				continue
			}
			s.checkRefs(d, v[k], child, base)
		}
	case []any:
		for i, e := range v {
			s.checkRefs(d, e, ptr+"/"+strconv.Itoa(i), base)
		}
	}
}

// refProblem says why ref, seen in a document at base, cannot be loaded
// locally; "" when it can.
func (s *Set) refProblem(base, ref string) string {
	r, err := gourl.Parse(ref)
	if err != nil {
		return fmt.Sprintf("$ref %q is not a valid URI reference: %v", ref, err)
	}
	if !r.IsAbs() {
		if base == nestedBase {
			return ""
		}
		// A relative reference names a file next to the referring one:
		// read it now (in author order, so errors do not depend on the
		// compiler's map order) and check its references in turn.
		u, err := gourl.Parse(base)
		if err != nil {
			return ""
		}
		target := u.ResolveReference(r)
		target.Fragment, target.RawFragment = "", ""
		abs := target.String()
		if abs == strings.SplitN(base, "#", 2)[0] {
			if d, ok := s.byURL[abs]; ok {
				return pointerProblem(d, ref, r.Fragment)
			}
			return ""
		}
		if d, ok := s.byURL[abs]; ok {
			return pointerProblem(d, ref, r.Fragment)
		}
		p, ok := s.mapURL(abs)
		if !ok {
			return fmt.Sprintf("$ref %q resolves to %q, which is not a file in the input directory", ref, abs)
		}
		d, err := s.read(p)
		if err != nil {
			return fmt.Sprintf("$ref %q: %v", ref, err)
		}
		if d == nil {
			return "" // malformed JSON, recorded with its own position
		}
		if _, seen := s.byURL[abs]; !seen {
			s.byURL[abs] = d
			s.checkRefs(d, d.Value, "", abs)
		}
		return pointerProblem(d, ref, r.Fragment)
	}
	r.Fragment, r.RawFragment = "", ""
	abs := r.String()
	if isMetaSchema(abs) || s.byURL[abs] != nil {
		return ""
	}
	if _, ok := s.mapURL(abs); ok {
		return ""
	}
	if r.Scheme == "file" {
		return fmt.Sprintf("$ref %q is an absolute file URL; refer to files by a path relative to this one", ref)
	}
	return fmt.Sprintf("remote $ref %q is not supported: only files in the input directory are read, never the network", ref)
}

// pointerProblem reports a JSON pointer fragment that names nothing in d.
// Anchors (fragments not starting with "/") are left to the compiler.
func pointerProblem(d *Doc, ref, frag string) string {
	if !strings.HasPrefix(frag, "/") {
		return ""
	}
	if _, ok := d.Lookup(frag); !ok {
		return fmt.Sprintf("$ref %q: %s has nothing at #%s", ref, d.Display, frag)
	}
	return ""
}

func isMetaSchema(u string) bool {
	return strings.HasPrefix(u, "http://json-schema.org/") || strings.HasPrefix(u, "https://json-schema.org/")
}

// mapURL maps an absolute URL under a known $id directory to an FS path.
func (s *Set) mapURL(u string) (string, bool) {
	if strings.HasPrefix(u, fileBase) {
		p, err := gourl.PathUnescape(strings.TrimPrefix(u, fileBase))
		return p, err == nil
	}
	for _, id := range s.idDirs {
		if rest, ok := strings.CutPrefix(u, id.idPrefix); ok {
			p := path.Join(id.fsDir, rest)
			if fs.ValidPath(p) {
				return p, true
			}
		}
	}
	return "", false
}

// loader gives the compiler the documents of the Set.
type loader struct{ s *Set }

// Load implements jsonschema.URLLoader.
func (l loader) Load(u string) (any, error) {
	if d, ok := l.s.byURL[u]; ok {
		return d.Value, nil
	}
	p, ok := l.s.mapURL(u)
	if !ok {
		return nil, fmt.Errorf("%q is not a file in the input directory; the network is never read", u)
	}
	d, err := l.s.read(p)
	if err != nil {
		return nil, err
	}
	if d == nil { // malformed JSON, already recorded with its position
		return nil, fmt.Errorf("%q is not valid JSON", p)
	}
	l.s.byURL[u] = d
	l.s.checkRefs(d, d.Value, "", u)
	return d.Value, nil
}

// Locate returns the document and JSON pointer of a compiled schema location.
func (s *Set) Locate(location string) (*Doc, string, bool) {
	u, frag, _ := strings.Cut(location, "#")
	d, ok := s.byURL[u]
	if !ok {
		return nil, "", false
	}
	ptr, err := gourl.PathUnescape(frag)
	if err != nil {
		ptr = frag
	}
	return d, ptr, true
}

// compileError turns a compiler error into placed errors.
func (s *Set) compileError(d *Doc, err error) []*Error {
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			doc := d
			if dd, _, ok := s.Locate(sve.URL); ok {
				doc = dd
			}
			var out []*Error
			p := message.NewPrinter(language.English)
			var walk func(*jsonschema.ValidationError)
			walk = func(e *jsonschema.ValidationError) {
				if len(e.Causes) == 0 {
					ptr := ""
					for _, t := range e.InstanceLocation {
						ptr += "/" + EscapePointerToken(t)
					}
					pos, _ := doc.Index.Pos(ptr)
					out = append(out, &Error{File: doc.Display, Pos: pos, Pointer: ptr,
						Msg: "invalid schema: " + e.ErrorKind.LocalizedString(p)})
					return
				}
				for _, c := range e.Causes {
					walk(c)
				}
			}
			walk(ve)
			return out
		}
	}
	var lue *jsonschema.LoadURLError
	if errors.As(err, &lue) {
		return []*Error{{File: d.Display, Msg: fmt.Sprintf("cannot load %q: %v", lue.URL, lue.Err)}}
	}
	var ire *jsonschema.InvalidRegexError
	if errors.As(err, &ire) {
		if dd, ptr, ok := s.Locate(ire.URL); ok {
			pos, _ := dd.Index.Pos(ptr)
			return []*Error{{File: dd.Display, Pos: pos, Pointer: ptr, Msg: fmt.Sprintf("invalid pattern %q: %v", ire.Regex, ire.Err)}}
		}
	}
	return []*Error{{File: d.Display, Msg: "invalid schema: " + strings.ReplaceAll(err.Error(), fileBase, "")}}
}

// Place returns the display path and position of a JSON pointer in d.
func (d *Doc) Place(ptr string) (string, Pos) {
	p, _ := d.Index.Pos(ptr)
	return d.Display, p
}

// Lookup returns the decoded value at the JSON pointer ptr of d.
func (d *Doc) Lookup(ptr string) (any, bool) {
	v := d.Value
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}
