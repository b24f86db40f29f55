package breaking

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen/build"
	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
	"github.com/parsec-gen/parsec-gen/internal/ecmaregex"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// Source says where one version of the schemas is read from.
type Source struct {
	// FS is the only place the schemas and the files they $ref are read from.
	FS fs.FS
	// Schemas are the aspect schema files, as slash-separated FS paths.
	Schemas []string
	// Display maps an FS path to the text shown in findings and errors;
	// nil means the FS path itself.
	Display func(fsPath string) string
	// Initialisms are as for gen.Config; nil means the default list.
	Initialisms []string
}

// Version is one loaded version of a set of aspect schemas: the generator's
// model of it and the validator the runtime would use for it.
type Version struct {
	pkg     *ir.Package
	docs    []*doc          // every schema file, sorted by path
	byURL   map[string]*doc // base URL (and absolute $id) -> document
	aspects map[string]*doc // aspect name -> root document
	names   []string        // aspect names, sorted
	set     *schema.Set
	// patterns caches compiled patternProperties; nil for one that does not compile.
	patterns map[string]ecmaregex.Regexp
}

// doc is one schema file of a Version.
type doc struct {
	v       *Version
	file    *ir.File
	display string
	url     string // the URL the runtime registers the document under
	base    *url.URL
	value   any
	index   *load.Index
}

// Load reads, checks and models one version of the schemas. It fails where
// generate fails: breaking compares what the generator accepts.
func Load(src Source) (*Version, error) {
	// Positions, and the defaults and examples witnesses start from, are
	// those of the files as written.
	set, err := load.Load(load.Config{FS: src.FS, Display: src.Display, EmbedSchema: load.EmbedVerbatim}, src.Schemas)
	if err != nil {
		return nil, err
	}
	p, err := build.Build(set, build.Config{Package: "schemas", Namer: naming.New(src.Initialisms)})
	if err != nil {
		return nil, err
	}
	return newVersion(p)
}

func newVersion(p *ir.Package) (*Version, error) {
	v := &Version{pkg: p, byURL: make(map[string]*doc), aspects: make(map[string]*doc), patterns: make(map[string]ecmaregex.Regexp)}
	var aspects []schema.Aspect
	var resources []schema.Resource
	for _, f := range p.Files {
		ref := f.SchemaRef
		if ref == "" {
			ref = f.Path
		}
		value, index, err := load.Parse(f.Schema)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Source, err)
		}
		u := refURL(ref)
		base, err := url.Parse(u)
		if err != nil {
			return nil, fmt.Errorf("%s: schema ref %q is not a URL: %w", f.Source, ref, err)
		}
		d := &doc{v: v, file: f, display: f.Source, url: u, base: base, value: value, index: index}
		if obj, ok := value.(map[string]any); ok {
			if id, ok := obj["$id"].(string); ok {
				if iu, err := base.Parse(id); err == nil && iu.IsAbs() {
					iu.Fragment = ""
					d.base = iu
					v.byURL[iu.String()] = d
				}
			}
		}
		v.byURL[u] = d
		v.docs = append(v.docs, d)
		// A document registered under its $id is also known by its path,
		// as generated code registers it.
		docPath := ""
		if ref != f.Path {
			docPath = f.Path
		}
		if f.Root == nil {
			resources = append(resources, schema.Resource{Ref: ref, Schema: f.Schema, Path: docPath})
			continue
		}
		aspects = append(aspects, schema.Aspect{Name: f.Aspect, SchemaRef: ref, Schema: f.Schema, Path: docPath})
		v.aspects[f.Aspect] = d
		v.names = append(v.names, f.Aspect)
	}
	sort.Slice(v.docs, func(i, j int) bool { return v.docs[i].file.Path < v.docs[j].file.Path })
	sort.Strings(v.names)
	v.set = schema.NewSet(aspects, resources)
	return v, nil
}

// refURL places a schema ref the way runtime/schema does: absolute URIs as
// they are, relative paths under schema.InternalBase.
func refURL(ref string) string {
	if u, err := url.Parse(ref); err == nil && u.IsAbs() {
		return u.String()
	}
	return schema.InternalBase + path.Clean(ref)
}

// node is one schema value: a place in a document.
type node struct {
	d   *doc
	ptr string
	val any // map[string]any or bool
}

func (n node) key() string { return n.d.url + "#" + n.ptr }

func (n node) obj() map[string]any {
	m, _ := n.val.(map[string]any)
	return m
}

// child returns the subschema at keyword path toks below n.
func (n node) child(toks ...string) (node, bool) {
	cur := n.val
	ptr := n.ptr
	for _, t := range toks {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return node{}, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) {
				return node{}, false
			}
			cur = c[i]
		default:
			return node{}, false
		}
		ptr += "/" + load.EscapePointerToken(t)
	}
	switch cur.(type) {
	case map[string]any, bool:
		return node{d: n.d, ptr: ptr, val: cur}, true
	}
	return node{}, false
}

// root returns the root node of an aspect.
func (v *Version) root(aspect string) (node, bool) {
	d, ok := v.aspects[aspect]
	if !ok {
		return node{}, false
	}
	return node{d: d, ptr: "", val: d.value}, true
}

// resolve follows the $ref (or draft 2019 $recursiveRef / $dynamicRef read
// as a plain reference) of n, if any.
func (v *Version) resolve(n node, kw string) (node, bool) {
	ref, ok := n.obj()[kw].(string)
	if !ok {
		return node{}, false
	}
	u, err := n.d.base.Parse(ref)
	if err != nil {
		return node{}, false
	}
	frag := u.Fragment
	u.Fragment = ""
	d, ok := v.byURL[u.String()]
	if !ok {
		return node{}, false
	}
	r := node{d: d, ptr: "", val: d.value}
	if frag == "" {
		return r, true
	}
	if !strings.HasPrefix(frag, "/") {
		return findAnchor(r, frag)
	}
	var toks []string
	for _, t := range strings.Split(frag[1:], "/") {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
		toks = append(toks, t)
	}
	return r.child(toks...)
}

// findAnchor finds the subschema of d declaring $anchor (or a fragment-only
// $id, as older drafts write it) name.
func findAnchor(root node, name string) (node, bool) {
	var found node
	ok := false
	var walk func(val any, ptr string)
	walk = func(val any, ptr string) {
		if ok {
			return
		}
		switch c := val.(type) {
		case map[string]any:
			if a, _ := c["$anchor"].(string); a == name {
				found, ok = node{d: root.d, ptr: ptr, val: c}, true
				return
			}
			if id, _ := c["$id"].(string); id == "#"+name {
				found, ok = node{d: root.d, ptr: ptr, val: c}, true
				return
			}
			keys := make([]string, 0, len(c))
			for k := range c {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == "enum" || k == "const" || k == "examples" || k == "default" {
					continue
				}
				walk(c[k], ptr+"/"+load.EscapePointerToken(k))
			}
		case []any:
			for i, e := range c {
				walk(e, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(root.val, "")
	return found, ok
}

// valid reports whether the runtime's validator accepts instance under the
// schema of aspect.
func (v *Version) valid(aspect string, instance []byte) (bool, []schema.Violation, error) {
	d := v.aspects[aspect]
	return v.validAt(d, "", instance)
}

func (v *Version) validAt(d *doc, ptr string, instance []byte) (bool, []schema.Violation, error) {
	ref := d.file.SchemaRef
	if ref == "" {
		ref = d.file.Path
	}
	err := v.set.Validate(ref, ptr, instance)
	if err == nil {
		return true, nil, nil
	}
	if ve, ok := err.(*schema.ValidationError); ok && ve.Err == schema.ErrInvalidPayload {
		return false, ve.Causes, nil
	}
	return false, nil, err
}

// docFor maps a keyword location reported by the validator
// ("ref#/pointer", the internal base stripped) to its document.
func (v *Version) docFor(location string) (*doc, string, bool) {
	ref, frag, _ := strings.Cut(location, "#")
	d, ok := v.byURL[refURL(ref)]
	if !ok {
		return nil, "", false
	}
	return d, frag, true
}

// encode is the compact JSON of a witness.
func encode(x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		panic("unreachable: witness values are JSON values: " + err.Error())
	}
	return b
}
