package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The drafts a schema may be read under, by the names --default-draft
// accepts, with their "$schema" URLs.
var drafts = []struct{ name, url string }{
	{"draft-03", "http://json-schema.org/draft-03/schema#"},
	{"draft-04", "http://json-schema.org/draft-04/schema#"},
	{"draft-06", "http://json-schema.org/draft-06/schema#"},
	{"draft-07", "http://json-schema.org/draft-07/schema#"},
	{"2019-09", "https://json-schema.org/draft/2019-09/schema"},
	{"2020-12", "https://json-schema.org/draft/2020-12/schema"},
}

// DefaultDraft is the draft a schema without "$schema" is read under unless
// Config.DefaultDraft says otherwise: draft-07, the draft most published
// schemas declare (79 of the 116 SchemaStore schemas of the test corpus;
// then draft-04 with 32, 2019-09 with 4 and 2020-12 with 1).
const DefaultDraft = "draft-07"

// DraftNames lists the names DraftURL accepts, oldest first.
func DraftNames() []string {
	var out []string
	for _, d := range drafts {
		out = append(out, d.name)
	}
	return out
}

// DraftURL returns the "$schema" URL of a draft name ("draft-07",
// "2020-12", ...); "" is DefaultDraft.
func DraftURL(name string) (string, error) {
	if name == "" {
		name = DefaultDraft
	}
	for _, d := range drafts {
		if d.name == name {
			return d.url, nil
		}
	}
	return "", fmt.Errorf("unknown draft %q, want one of %s", name, strings.Join(DraftNames(), ", "))
}

const draft03URL = "http://json-schema.org/draft-03/schema#"

func isDraft03(meta string) bool {
	return strings.TrimSuffix(meta, "#") == strings.TrimSuffix(draft03URL, "#")
}

// readDraft settles the draft d is read under: its "$schema"; else draft-03
// or draft-04 when it is written in a style only those drafts accept (which
// a later draft would reject or misread), or 2019-09 or 2020-12 when it uses
// a keyword only those define, with a warning; else the default draft. The choice is written into Value as "$schema", so the embedded
// schema tells the runtime validator the same draft. A draft-03 schema is
// translated to draft-04, the oldest draft the schema library reads.
func (s *Set) readDraft(d *Doc) {
	obj, ok := d.Value.(map[string]any)
	if !ok {
		return
	}
	if meta, ok := obj["$schema"].(string); ok {
		if isDraft03(meta) {
			s.fromDraft03(d, obj)
		}
		return
	}
	if _, ok := obj["$schema"]; ok {
		return // not a string: the meta-schema check reports it
	}
	reason := ""
	switch {
	case hasBoolRequired(obj):
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: no $schema; read as draft-03 because it uses a boolean required", d.Display))
		s.fromDraft03(d, obj)
		return
	case idWithoutDollarID(obj):
		reason = `it has "id" and no "$id"`
	case hasBoolExclusive(obj, 0):
		reason = "it uses a boolean exclusiveMinimum or exclusiveMaximum"
	}
	meta := s.defaultDraft
	if reason != "" {
		meta = "http://json-schema.org/draft-04/schema#"
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: no $schema; read as draft-04 because %s", d.Display, reason))
	} else if kw := newerKeyword(obj); kw != "" && !strings.Contains(meta, "/draft/") {
		name, url := "2020-12", "https://json-schema.org/draft/2020-12/schema"
		if kw == "$recursiveRef" || kw == "$recursiveAnchor" {
			name, url = "2019-09", "https://json-schema.org/draft/2019-09/schema"
		}
		meta = url
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: no $schema; read as %s because it uses %s", d.Display, name, kw))
	}
	if isDraft03(meta) {
		s.fromDraft03(d, obj)
		return
	}
	obj["$schema"] = meta
	d.Lenient = true
}

// newerKeywords exist only from draft 2019-09 on; a schema without "$schema"
// that uses one is written for a newer draft than draft-07.
var newerKeywords = []string{"$anchor", "$dynamicAnchor", "$dynamicRef", "$recursiveAnchor", "$recursiveRef",
	"dependentRequired", "dependentSchemas", "maxContains", "minContains", "prefixItems",
	"unevaluatedItems", "unevaluatedProperties"}

// newerKeyword returns the first of newerKeywords that doc uses, or "".
func newerKeyword(doc map[string]any) string {
	found := ""
	walkSchemas(doc, 0, func(m map[string]any) {
		for _, k := range newerKeywords {
			if _, ok := m[k]; ok && (found == "" || k < found) {
				found = k
			}
		}
	})
	return found
}

// idWithoutDollarID reports a document that names resources or anchors with
// draft-04's "id" (at the top or in a schema inside) and never with "$id".
func idWithoutDollarID(doc map[string]any) bool {
	id, dollar := false, false
	walkSchemas(doc, 0, func(m map[string]any) {
		if _, ok := m["id"].(string); ok {
			id = true
		}
		if _, ok := m["$id"]; ok {
			dollar = true
		}
	})
	return id && !dollar
}

func hasBoolRequired(doc map[string]any) bool {
	found := false
	walkSchemas(doc, 0, func(m map[string]any) {
		if _, ok := m["required"].(bool); ok {
			found = true
		}
	})
	return found
}

// walkSchemas calls f on every schema object of v, skipping instance data
// and extensions.
func walkSchemas(v any, depth int, f func(map[string]any)) {
	if depth > maxDepth {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		f(v)
		for k, c := range v {
			if dataKeywords[k] || strings.HasPrefix(k, "x-") {
				continue
			}
			if m, ok := c.(map[string]any); ok && schemaMapKeywords[k] {
				for _, sub := range m {
					walkSchemas(sub, depth+1, f)
				}
				continue
			}
			walkSchemas(c, depth+1, f)
		}
	case []any:
		for _, e := range v {
			walkSchemas(e, depth+1, f)
		}
	}
}

// fromDraft03 rewrites a draft-03 schema as draft-04: a property's
// "required": true joins its parent's "required" list, "divisibleBy" is
// "multipleOf", "extends" is "allOf", a string dependency is a list of one,
// "disallow" of type names is "not" of those types. What has no draft-04
// form (a schema inside "type" or "disallow") is an error at its place.
func (s *Set) fromDraft03(d *Doc, obj map[string]any) {
	obj["$schema"] = "http://json-schema.org/draft-04/schema#"
	d.Lenient, d.reencode = true, true
	s.draft03(d, obj, "")
}

func (s *Set) draft03(d *Doc, v any, ptr string) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	fail := func(kw, msg string) {
		pos, _ := d.Index.Pos(ptr + "/" + kw)
		s.errs = append(s.errs, &Error{File: d.Display, Pos: pos, Pointer: ptr + "/" + kw, Msg: "draft-03 " + msg})
	}
	if props, ok := m["properties"].(map[string]any); ok {
		var req []any
		for _, k := range d.Index.Keys(ptr + "/properties") {
			p, ok := props[k].(map[string]any)
			if !ok {
				continue
			}
			if r, ok := p["required"].(bool); ok {
				delete(p, "required")
				if r {
					req = append(req, k)
				}
			}
		}
		if len(req) > 0 {
			m["required"] = req
		} else if _, ok := m["required"].(bool); ok {
			delete(m, "required")
		}
	}
	if _, ok := m["required"].(bool); ok {
		delete(m, "required") // meaningful only on a property, handled by its parent
	}
	if v, ok := m["divisibleBy"]; ok {
		delete(m, "divisibleBy")
		m["multipleOf"] = v
	}
	if v, ok := m["extends"]; ok {
		delete(m, "extends")
		if arr, ok := v.([]any); ok {
			m["allOf"] = arr
		} else {
			m["allOf"] = []any{v}
		}
	}
	if deps, ok := m["dependencies"].(map[string]any); ok {
		for k, dv := range deps {
			if str, ok := dv.(string); ok {
				deps[k] = []any{str}
			}
		}
	}
	for _, kw := range []string{"type", "disallow"} {
		if arr, ok := m[kw].([]any); ok && slices.ContainsFunc(arr, func(e any) bool { _, ok := e.(map[string]any); return ok }) {
			alt := "anyOf"
			if kw == "disallow" {
				alt = "not with anyOf"
			}
			fail(kw, fmt.Sprintf("%q with a schema in it is not supported; write it as %s", kw, alt))
			delete(m, kw)
		}
	}
	if t, ok := m["type"].(string); ok && t == "any" {
		delete(m, "type")
	}
	if dis, ok := m["disallow"]; ok {
		delete(m, "disallow")
		m["not"] = map[string]any{"type": dis}
	}
	for _, k := range d.Index.Keys(ptr) {
		child := ptr + "/" + EscapePointerToken(k)
		c, ok := m[k]
		if !ok || dataKeywords[k] || strings.HasPrefix(k, "x-") {
			continue
		}
		switch c := c.(type) {
		case map[string]any:
			if schemaMapKeywords[k] {
				for _, mk := range d.Index.Keys(child) {
					s.draft03(d, c[mk], child+"/"+EscapePointerToken(mk))
				}
				continue
			}
			s.draft03(d, c, child)
		case []any:
			for i, e := range c {
				s.draft03(d, e, child+"/"+strconv.Itoa(i))
			}
		}
	}
}

// withSchema returns raw with a "$schema" member inserted at the start of
// its top-level object, on the line of its "{", keeping everything else as
// written: every other value keeps its line, so positions reported against
// the embedded schema match the file.
func withSchema(raw []byte, meta string) []byte {
	i := bytes.IndexByte(raw, '{')
	if i < 0 {
		return raw
	}
	lit, err := json.Marshal(meta)
	if err != nil {
		return raw
	}
	rest := raw[i+1:]
	ws := rest[:len(rest)-len(bytes.TrimLeft(rest, " \t\r\n"))]
	member := append([]byte(`"$schema": `), lit...)
	var out []byte
	out = append(out, raw[:i+1]...)
	switch {
	case bytes.HasPrefix(bytes.TrimLeft(rest, " \t\r\n"), []byte("}")):
		out = append(out, member...)
		out = append(out, rest...)
	case bytes.ContainsRune(ws, '\n'):
		out = append(out, member...)
		out = append(out, ',')
		out = append(out, rest...)
	default:
		out = append(out, member...)
		out = append(out, ", "...)
		out = append(out, bytes.TrimLeft(rest, " \t")...)
	}
	return out
}
