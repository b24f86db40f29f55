// Package schemadoc holds the rules by which both the generator's loader
// (gen/load) and the runtime validator (runtime/schema) find schema
// documents: under which URLs a document and the resources inside it are
// known, and which file a URL under a document's $id names. Keeping them in
// one place is what makes a $ref resolve to the same schema at generation
// and at run time. It also holds the compact form of a schema document
// (Compact): the text the generator embeds, which validates as the
// original.
package schemadoc

import (
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// schemaMapKeywords hold an object whose every value is a schema.
var schemaMapKeywords = map[string]bool{"properties": true, "patternProperties": true, "definitions": true,
	"$defs": true, "dependentSchemas": true, "dependencies": true}

// dataKeywords hold instance data, not schemas.
var dataKeywords = map[string]bool{"const": true, "enum": true, "default": true, "examples": true, "example": true}

// IsDraft4 reports whether doc declares draft-04 (or the older draft-03)
// in its "$schema", where a resource's identifier is "id" instead of "$id".
func IsDraft4(doc any) bool {
	obj, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	s, _ := obj["$schema"].(string)
	return strings.Contains(s, "/draft-04/") || strings.Contains(s, "/draft-03/")
}

// idKeyword is the keyword naming a resource in doc's draft.
func idKeyword(doc any) string {
	if IsDraft4(doc) {
		return "id"
	}
	return "$id"
}

// RootID returns the absolute URL (without fragment) that doc's top-level
// identifier names, or "" when it has none or a relative or fragment-only
// one. A "file:" identifier is ignored: documents are known by their path.
func RootID(doc any) string {
	obj, ok := doc.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := obj[idKeyword(doc)].(string)
	u, err := url.Parse(id)
	if err != nil || !u.IsAbs() || u.Scheme == "file" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// Resource is a schema inside a document that has an identifier of its
// own, so that other documents can refer to it by URL.
type Resource struct {
	// URL is the absolute URL its identifier resolves to, without fragment.
	URL string
	// Pointer is its JSON pointer in the document.
	Pointer string
	// Schema is the subschema, with the document's "$schema" copied in
	// when it has none, so that it is read under the document's draft
	// when compiled on its own.
	Schema any
}

// Embedded lists the resources nested in doc (not doc itself) whose
// identifier is not just a fragment, in a deterministic order, resolving
// each identifier against the base of the resource around it; base is
// doc's own base URL (its absolute $id, else the URL it is registered
// under).
func Embedded(doc any, base string) []Resource {
	var out []Resource
	kw := idKeyword(doc)
	var meta string
	if obj, ok := doc.(map[string]any); ok {
		meta, _ = obj["$schema"].(string)
	}
	var walk func(v any, ptr, base string, isSchema bool, depth int)
	walk = func(v any, ptr, base string, isSchema bool, depth int) {
		if depth > 1000 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			if isSchema && ptr != "" {
				if id, ok := v[kw].(string); ok && !strings.HasPrefix(id, "#") {
					if abs, ok := resolve(base, id); ok {
						base = abs
						sub := v
						if _, has := v["$schema"]; !has && meta != "" {
							sub = make(map[string]any, len(v)+1)
							for k, c := range v {
								sub[k] = c
							}
							sub["$schema"] = meta
						}
						out = append(out, Resource{URL: abs, Pointer: ptr, Schema: sub})
					}
				}
			}
			for _, k := range sortedKeys(v) {
				child := ptr + "/" + escape(k)
				switch {
				case !isSchema:
					walk(v[k], child, base, false, depth+1)
				case dataKeywords[k] || strings.HasPrefix(k, "x-"):
				case schemaMapKeywords[k]:
					if m, ok := v[k].(map[string]any); ok {
						for _, mk := range sortedKeys(m) {
							walk(m[mk], child+"/"+escape(mk), base, true, depth+1)
						}
					}
				default:
					walk(v[k], child, base, true, depth+1)
				}
			}
		case []any:
			for i, e := range v {
				walk(e, ptr+"/"+strconv.Itoa(i), base, isSchema, depth+1)
			}
		}
	}
	walk(doc, "", base, true, 0)
	return out
}

// resolve resolves ref against base, dropping the fragment.
func resolve(base, ref string) (string, bool) {
	b, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	u := b.ResolveReference(r)
	u.Fragment, u.RawFragment = "", ""
	if !u.IsAbs() {
		return "", false
	}
	return u.String(), true
}

// IDDir maps the directory of a document's absolute $id to the directory
// it is stored in, so that a URL under the $id names the file at the same
// relative path: with "$id": "https://acme.example/defs/common.json" in
// defs/common.json, "https://acme.example/defs/geo.json" is defs/geo.json.
type IDDir struct {
	// Prefix is the $id up to and including its last "/".
	Prefix string
	// Dir is the slash-separated directory of the document, "." for the top.
	Dir string
}

// NewIDDir returns the IDDir of a document with the absolute identifier id
// stored at the slash-separated path p.
func NewIDDir(id, p string) IDDir {
	return IDDir{Prefix: id[:strings.LastIndex(id, "/")+1], Dir: path.Dir(p)}
}

// Map returns the slash-separated path u names under d, if u is under d's
// prefix and the path stays inside the tree.
func (d IDDir) Map(u string) (string, bool) {
	rest, ok := strings.CutPrefix(u, d.Prefix)
	if !ok || rest == "" {
		return "", false
	}
	rest, err := url.PathUnescape(rest)
	if err != nil || strings.ContainsAny(rest, "?#") {
		return "", false
	}
	p := path.Join(d.Dir, rest)
	if p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return "", false
	}
	return p, true
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
