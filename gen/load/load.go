// Package load reads JSON Schema files from an fs.FS and compiles them with
// github.com/santhosh-tekuri/jsonschema/v6; it is the only package of the
// generator that calls the schema library (reads, compiles, resolves
// references, validates against the metaschema). Open it for what a schema
// file means: which files are read, how a $ref resolves, which draft applies,
// where a keyword is written (Doc.Index). Build imports the library only for
// its compiled schema type, *jsonschema.Schema, whose fields it reads to
// decide the Go shapes: mirroring that graph in a type of load's would copy
// the library's model field by field and gain nothing.
//
// Only files of the given file system are read: a $ref to any other URL
// (http, https, urn, ...) is an error naming the place of the $ref, unless it
// is the $id of a loaded schema, of a resource inside one, or of a .json file
// of the file system, or falls under the directory of a loaded schema's $id,
// in which case it is read from the file at the same relative path from that
// schema's file. Relative references resolve against the $id of the
// resource they are written in, else the file's path. The runtime validator
// (runtime/schema) resolves the same documents by the same rules
// (internal/schemadoc). Patterns are
// compiled with internal/ecmaregex (Go regexp first, ECMAScript backtracking
// for what Go rejects).
//
// Drafts: each schema is read under its "$schema", else Config.DefaultDraft
// (draft-07 unless set), except that a schema written in a style only
// draft-03 or draft-04 accepts is read as that draft; draft-03 is translated
// to draft-04 (see draft.go). The draft is written into Value, so the
// embedded schema (Doc.Effective, and Doc.Embedded, its compact form) says
// it.
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
	"github.com/parsec-gen/parsec-gen/internal/schemadoc"
)

// fileBase prefixes FS paths to make the URLs the compiler works with.
const fileBase = "file:///"

// Config says where schemas are read from and how paths are shown.
type Config struct {
	// FS is the only source of schema files.
	FS fs.FS
	// Display maps an FS path to the text shown in messages; nil is identity.
	Display func(fsPath string) string
	// DefaultDraft is the draft a schema without "$schema" is read under
	// (see DraftURL); "" is DefaultDraft.
	DefaultDraft string
	// EmbedSchema is the form of the schema text Doc.Embedded returns:
	// EmbedCompact ("" means it) or EmbedVerbatim.
	EmbedSchema string
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
	// so Raw no longer describes what was compiled: an annotation dropped,
	// a draft-03 schema rewritten as draft-04, or the "$schema" of the draft
	// it was read under added.
	Lenient bool
	// reencode reports a change beyond an added "$schema".
	reencode bool
	// compact is the compact form of Effective, set by Load when
	// Config.EmbedSchema asks for it.
	compact []byte
}

// Effective returns the schema text that was compiled: Raw; Raw with the
// "$schema" member it was read under added first, when that is the only
// change; or, when a leniency changed more, Value re-encoded as compact JSON
// (object keys then come in sorted order). Validators that read the
// embedded schema therefore accept what the generator accepted.
func (d *Doc) Effective() []byte {
	if !d.Lenient {
		return d.Raw
	}
	if !d.reencode {
		if meta, ok := d.Value.(map[string]any)["$schema"].(string); ok {
			return withSchema(d.Raw, meta)
		}
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
	// embedded are the resources with an $id of their own inside loaded
	// documents, by the URL the $id names.
	embedded map[string]embedded
	idDirs   []schemadoc.IDDir
	ids      map[string]string // $id URL -> FS path, see fileIDs
	idsCut   string            // why the $id index may be incomplete ("" when it is not)
	// defaultDraft is the "$schema" URL of Config.DefaultDraft.
	defaultDraft string
	errs         []*Error
}

// embedded is a resource inside a loaded document.
type embedded struct {
	doc *Doc
	schemadoc.Resource
}

// base is the URL relative references in d resolve against: its absolute
// $id, else the URL of its file.
func (d *Doc) base() string {
	if id := schemadoc.RootID(d.Value); id != "" {
		return id
	}
	return d.URL
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
	meta, err := DraftURL(cfg.DefaultDraft)
	if err != nil {
		return nil, err
	}
	if err := checkEmbed(cfg.EmbedSchema); err != nil {
		return nil, err
	}
	s := &Set{cfg: cfg, byURL: make(map[string]*Doc), byPath: make(map[string]*Doc), embedded: make(map[string]embedded),
		defaultDraft: meta}
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
		s.checkRefs(d, d.Value, "", d.base())
	}
	s.checkDynamicRefs()
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
	if err := s.compact(); err != nil {
		return nil, err
	}
	slices.Sort(s.Warnings)
	return s, nil
}

// dynamicPlace is a $dynamicAnchor, $recursiveAnchor, $dynamicRef or
// $recursiveRef written in a loaded document.
type dynamicPlace struct {
	doc   *Doc
	ptr   string // of the keyword
	value string // the anchor name or the reference; "" for $recursiveAnchor
}

// checkDynamicRefs refuses the references whose target depends on the
// schema that uses them: a $dynamicRef to an anchor name that more than one
// loaded resource declares with $dynamicAnchor, or a $recursiveRef when more
// than one resource declares "$recursiveAnchor": true. One Go type cannot
// stand for what such a reference means in each use, and the first
// binding's type would reject values the schema accepts where another
// binding applies. A dynamic reference with a single possible binding is a
// plain reference and is generated as one.
func (s *Set) checkDynamicRefs() {
	paths := make([]string, 0, len(s.byPath))
	for p := range s.byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	anchors := map[string][]dynamicPlace{}
	var recAnchors, refs []dynamicPlace
	for _, p := range paths {
		d := s.byPath[p]
		var walk func(v any, ptr string, depth int)
		walk = func(v any, ptr string, depth int) {
			if depth > maxDepth {
				return
			}
			switch v := v.(type) {
			case map[string]any:
				for _, k := range d.Index.Keys(ptr) {
					child := ptr + "/" + EscapePointerToken(k)
					if dataKeywords[k] || strings.HasPrefix(k, "x-") {
						continue
					}
					switch str, _ := v[k].(string); k {
					case "$dynamicAnchor":
						anchors[str] = append(anchors[str], dynamicPlace{d, child, str})
					case "$recursiveAnchor":
						if v[k] == true {
							recAnchors = append(recAnchors, dynamicPlace{d, child, ""})
						}
					case "$dynamicRef", "$recursiveRef":
						refs = append(refs, dynamicPlace{d, child, str})
					}
					walk(v[k], child, depth+1)
				}
			case []any:
				for i, e := range v {
					walk(e, ptr+"/"+strconv.Itoa(i), depth+1)
				}
			}
		}
		walk(d.Value, "", 0)
	}
	for _, r := range refs {
		bindings := recAnchors
		what := `"$recursiveAnchor": true`
		if strings.HasSuffix(r.ptr, "/$dynamicRef") {
			_, frag, _ := strings.Cut(r.value, "#")
			if frag == "" || strings.HasPrefix(frag, "/") {
				continue // a JSON pointer: an ordinary reference
			}
			bindings = anchors[frag]
			what = fmt.Sprintf("$dynamicAnchor %q", frag)
		}
		if len(bindings) < 2 {
			continue
		}
		var at []string
		for _, b := range bindings {
			at = append(at, s.place(b.doc, b.ptr))
		}
		pos, _ := r.doc.Index.Pos(r.ptr)
		kw := path.Base(r.ptr)
		s.errs = append(s.errs, &Error{File: r.doc.Display, Pos: pos, Pointer: r.ptr, Msg: fmt.Sprintf(
			"%s %q is not supported: what it refers to depends on the schema that uses it (%s at %s), and one Go type cannot stand for each; write a $ref to the schema meant",
			kw, r.value, what, strings.Join(at, ", "))})
	}
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
	s.readDraft(d)
	s.byPath[p] = d
	s.byURL[d.URL] = d
	if id := schemadoc.RootID(v); id != "" {
		s.idDirs = append(s.idDirs, schemadoc.NewIDDir(id, p))
		if other, taken := s.byURL[id]; taken && other != d {
			pos, _ := ix.Pos("/" + idKeyword(d))
			s.errs = append(s.errs, &Error{File: d.Display, Pos: pos, Msg: fmt.Sprintf("$id %q is already the $id of %s", id, other.Display)})
		} else {
			s.byURL[id] = d
		}
	}
	for _, r := range schemadoc.Embedded(v, d.base()) {
		if _, taken := s.embedded[r.URL]; !taken {
			s.embedded[r.URL] = embedded{doc: d, Resource: r}
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
					d.Lenient, d.reencode = true, true
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

// checkRefs reports $ref values that point outside the input file system.
func (s *Set) checkRefs(d *Doc, v any, ptr, base string) {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v[idKeyword(d)].(string); ok && ptr != "" && !strings.HasPrefix(id, "#") {
			// A nested resource changes the base of relative references.
			if b, err := gourl.Parse(base); err == nil {
				if r, err := gourl.Parse(id); err == nil {
					u := b.ResolveReference(r)
					u.Fragment, u.RawFragment = "", ""
					base = u.String()
				}
			}
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
// locally; "" when it can. A file that a reference names is read now, in
// author order (so errors do not depend on the compiler's map order), and
// its references are checked in turn.
func (s *Set) refProblem(base, ref string) string {
	r, err := gourl.Parse(ref)
	if err != nil {
		return fmt.Sprintf("$ref %q is not a valid URI reference: %v", ref, err)
	}
	target := r
	if !r.IsAbs() {
		u, err := gourl.Parse(base)
		if err != nil {
			return ""
		}
		target = u.ResolveReference(r)
	}
	frag := r.Fragment
	target.Fragment, target.RawFragment = "", ""
	abs := target.String()
	if d, ok := s.byURL[abs]; ok {
		return pointerProblem(d, "", ref, frag)
	}
	if e, ok := s.embedded[abs]; ok {
		return pointerProblem(e.doc, e.Pointer, ref, frag)
	}
	if r.IsAbs() && isMetaSchema(abs) {
		return ""
	}
	p, ok := s.mapURL(abs)
	if !ok {
		switch {
		case !r.IsAbs():
			return fmt.Sprintf("$ref %q resolves to %q, which is not a file in the input directory", ref, abs)
		case r.Scheme == "file":
			return fmt.Sprintf("$ref %q is an absolute file URL; refer to files by a path relative to this one", ref)
		}
		return fmt.Sprintf("remote $ref %q is not supported: no input file has this $id%s, and only files in the input directory are read, never the network", ref, s.idsNote())
	}
	d, err := s.read(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if strings.HasPrefix(abs, fileBase) {
				return fmt.Sprintf("$ref %q: there is no file %q", ref, s.cfg.Display(p))
			}
			return fmt.Sprintf("$ref %q resolves to %q: no loaded schema has this $id, and there is no file %q at the same place under the directory of a loaded schema's $id", ref, abs, s.cfg.Display(p))
		}
		return fmt.Sprintf("$ref %q: %v", ref, err)
	}
	if d == nil {
		return "" // malformed JSON, recorded with its own position
	}
	if e, ok := s.embedded[abs]; ok {
		return pointerProblem(e.doc, e.Pointer, ref, frag)
	}
	if _, seen := s.byURL[abs]; !seen {
		s.byURL[abs] = d
		b := abs
		if id := schemadoc.RootID(d.Value); id != "" {
			b = id
		}
		s.checkRefs(d, d.Value, "", b)
	}
	return pointerProblem(d, "", ref, frag)
}

// idKeyword is the keyword that names a resource in d's draft.
func idKeyword(d *Doc) string {
	if schemadoc.IsDraft4(d.Value) {
		return "id"
	}
	return "$id"
}

// pointerProblem reports a JSON pointer fragment that names nothing in d.
// Anchors (fragments not starting with "/") are left to the compiler.
func pointerProblem(d *Doc, at, ref, frag string) string {
	if !strings.HasPrefix(frag, "/") {
		return ""
	}
	if _, ok := d.Lookup(at + frag); !ok {
		return fmt.Sprintf("$ref %q: %s has nothing at #%s", ref, d.Display, frag)
	}
	return ""
}

func isMetaSchema(u string) bool {
	return strings.HasPrefix(u, "http://json-schema.org/") || strings.HasPrefix(u, "https://json-schema.org/")
}

// mapURL maps an absolute URL to an FS path: a file URL to its path, the
// $id of a .json file anywhere in the file system to that file, and a URL
// under the directory of a loaded schema's $id to the file at the same
// relative path from that schema's file.
func (s *Set) mapURL(u string) (string, bool) {
	if strings.HasPrefix(u, fileBase) {
		p, err := gourl.PathUnescape(strings.TrimPrefix(u, fileBase))
		return p, err == nil
	}
	if p, ok := s.fileIDs()[u]; ok {
		return p, true
	}
	for _, id := range s.idDirs {
		if p, ok := id.Map(u); ok && fs.ValidPath(p) {
			return p, true
		}
	}
	return "", false
}

// Bounds of the search for a file by its $id.
const (
	maxIDScanFiles = 10000
	maxIDScanSize  = 8 << 20
)

// fileIDs indexes the .json files of the file system by the $id URLs they
// declare (their own and those of resources inside them), on first use: a
// $ref may name a schema by its $id without the schema being an input. Files
// that do not parse are left out; they are reported only if read as schemas.
func (s *Set) fileIDs() map[string]string {
	if s.ids != nil {
		return s.ids
	}
	s.ids = map[string]string{}
	visited := 0
	// A file or directory that cannot be read is passed over; what was found
	// stays usable, and a $ref the index then cannot place says why (idsCut).
	err := fs.WalkDir(s.cfg.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			if s.idsCut == "" {
				s.idsCut = fmt.Sprintf("the search for files by $id could not read %s", err)
			}
			return nil
		}
		if de.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		if visited++; visited > maxIDScanFiles {
			s.idsCut = fmt.Sprintf("the search for files by $id stopped after %d files", maxIDScanFiles)
			return fs.SkipAll
		}
		if info, err := de.Info(); err != nil || info.Size() > maxIDScanSize {
			return nil
		}
		raw, err := fs.ReadFile(s.cfg.FS, p)
		if err != nil {
			return nil
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return nil
		}
		id := schemadoc.RootID(v)
		base := fileBase + escapePath(p)
		if id != "" {
			base = id
			if _, dup := s.ids[id]; !dup {
				s.ids[id] = p
			}
		}
		for _, r := range schemadoc.Embedded(v, base) {
			if _, dup := s.ids[r.URL]; !dup {
				s.ids[r.URL] = p
			}
		}
		return nil
	})
	if err != nil && s.idsCut == "" {
		s.idsCut = fmt.Sprintf("the search for files by $id stopped early: %v", err)
	}
	return s.ids
}

// idsNote says, in parentheses, why the $id index may lack a file, or
// nothing when it is complete.
func (s *Set) idsNote() string {
	if s.idsCut == "" {
		return ""
	}
	return " (" + s.idsCut + ")"
}

// loader gives the compiler the documents of the Set.
type loader struct{ s *Set }

// Load implements jsonschema.URLLoader.
func (l loader) Load(u string) (any, error) {
	if d, ok := l.s.byURL[u]; ok {
		return d.Value, nil
	}
	if e, ok := l.s.embedded[u]; ok {
		return e.Schema, nil
	}
	p, ok := l.s.mapURL(u)
	if !ok {
		return nil, fmt.Errorf("%q is not a file in the input directory%s; the network is never read", u, l.s.idsNote())
	}
	d, err := l.s.read(p)
	if err != nil {
		return nil, err
	}
	if d == nil { // malformed JSON, already recorded with its position
		return nil, fmt.Errorf("%q is not valid JSON", p)
	}
	if e, ok := l.s.embedded[u]; ok {
		return e.Schema, nil
	}
	l.s.byURL[u] = d
	l.s.checkRefs(d, d.Value, "", u)
	return d.Value, nil
}

// Locate returns the document and JSON pointer of a compiled schema location.
func (s *Set) Locate(location string) (*Doc, string, bool) {
	u, frag, _ := strings.Cut(location, "#")
	ptr, err := gourl.PathUnescape(frag)
	if err != nil {
		ptr = frag
	}
	if d, ok := s.byURL[u]; ok {
		return d, ptr, true
	}
	if e, ok := s.embedded[u]; ok {
		return e.doc, e.Pointer + ptr, true
	}
	return nil, "", false
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
