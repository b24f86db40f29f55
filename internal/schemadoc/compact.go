package schemadoc

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// The compact form of a schema document validates exactly as the document:
// it is the document without insignificant whitespace and without the
// members of schema objects that only annotate (title, description,
// $comment, examples, default, deprecated, readOnly, writeOnly, and keys
// that are no keyword of any draft, such as markdownDescription or
// x-intellij-html-description). A member is kept when a JSON pointer in a
// reference may pass through it (see Protect), when it is an "x-parsec-"
// key, and when it is an unknown key whose value holds an identifier
// ($id, $anchor, ...: a validator may register it as a resource). Members
// are only removed in schema positions, found by keyword, never inside
// instance data (enum, const) or from the names of a properties map. Key
// order and the text of every kept string and number are the author's.

// annotationKeywords carry no validation meaning in any draft.
var annotationKeywords = map[string]bool{"title": true, "description": true, "$comment": true, "examples": true,
	"default": true, "deprecated": true, "readOnly": true, "writeOnly": true}

// knownKeywords are the other keywords of draft-03 to 2020-12; they are
// kept. Listing every draft's keywords for every draft keeps, rather than
// drops, what a later draft reads differently.
var knownKeywords = map[string]bool{
	"$schema": true, "$id": true, "id": true, "$ref": true, "$dynamicRef": true, "$dynamicAnchor": true,
	"$recursiveRef": true, "$recursiveAnchor": true, "$anchor": true, "$vocabulary": true, "$defs": true,
	"definitions": true, "type": true, "enum": true, "const": true, "multipleOf": true, "divisibleBy": true,
	"maximum": true, "exclusiveMaximum": true, "minimum": true, "exclusiveMinimum": true, "maxLength": true,
	"minLength": true, "pattern": true, "items": true, "additionalItems": true, "prefixItems": true,
	"maxItems": true, "minItems": true, "uniqueItems": true, "contains": true, "maxContains": true,
	"minContains": true, "maxProperties": true, "minProperties": true, "required": true, "properties": true,
	"patternProperties": true, "additionalProperties": true, "dependencies": true, "dependentRequired": true,
	"dependentSchemas": true, "propertyNames": true, "allOf": true, "anyOf": true, "oneOf": true, "not": true,
	"if": true, "then": true, "else": true, "unevaluatedItems": true, "unevaluatedProperties": true,
	"format": true, "contentEncoding": true, "contentMediaType": true, "contentSchema": true,
	"extends": true, "disallow": true,
}

// schemaValueKeywords hold a schema or an array of schemas.
var schemaValueKeywords = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true,
	"items": true, "not": true, "if": true, "then": true, "else": true, "contains": true,
	"additionalProperties": true, "additionalItems": true, "propertyNames": true, "unevaluatedItems": true,
	"unevaluatedProperties": true, "contentSchema": true}

// identifierKeys name a resource or an anchor a validator may register.
var identifierKeys = map[string]bool{"$id": true, "$anchor": true, "$dynamicAnchor": true, "$recursiveAnchor": true}

// Protect holds the JSON pointers that references may follow: a member a
// pointer may pass through is never removed from the compact form.
type Protect struct {
	// byKey maps a reference token to the tokens before it in a pointer.
	byKey map[string][][]string
}

// AddRefs records the JSON pointer fragments of every "$ref",
// "$dynamicRef" and "$recursiveRef" string anywhere in doc (a decoded JSON
// document). The pointer is taken as relative to any place, since the
// resource it is resolved in may be any document or any subschema with an
// identifier: a member is protected when the path to it ends with the
// tokens of a pointer before one of its tokens.
func (p *Protect) AddRefs(doc any) {
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 10000 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if s, ok := c.(string); ok && (k == "$ref" || k == "$dynamicRef" || k == "$recursiveRef") {
					p.addRef(s)
				}
				walk(c, depth+1)
			}
		case []any:
			for _, c := range v {
				walk(c, depth+1)
			}
		}
	}
	walk(doc, 0)
}

func (p *Protect) addRef(ref string) {
	_, frag, ok := strings.Cut(ref, "#")
	if !ok {
		return
	}
	p.addPointer(frag)
	if dec, err := url.PathUnescape(frag); err == nil && dec != frag {
		p.addPointer(dec)
	}
}

func (p *Protect) addPointer(ptr string) {
	if !strings.HasPrefix(ptr, "/") {
		return
	}
	toks := strings.Split(ptr[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	if p.byKey == nil {
		p.byKey = make(map[string][][]string)
	}
	for i, t := range toks {
		p.byKey[t] = append(p.byKey[t], toks[:i])
	}
}

// protects reports whether a pointer may pass through the member key of
// the object at path.
func (p *Protect) protects(path []string, key string) bool {
	if p == nil {
		return false
	}
	for _, before := range p.byKey[key] {
		if len(before) <= len(path) && equalTokens(path[len(path)-len(before):], before) {
			return true
		}
	}
	return false
}

func equalTokens(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Compact returns the compact form of the schema document src (see the
// comment at the top of this file), keeping the members p protects; p may
// be nil. src must be one valid JSON value.
func Compact(src []byte, p *Protect) ([]byte, error) {
	c := &compactor{src: src, prot: p, out: make([]byte, 0, len(src)/2)}
	var doc any
	if err := json.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	c.draft4 = IsDraft4(doc)
	c.ws()
	if err := c.schema(nil, 0); err != nil {
		return nil, err
	}
	c.ws()
	if c.pos != len(src) {
		return nil, errors.New("schemadoc: data after the top-level value")
	}
	return c.out, nil
}

type compactor struct {
	src    []byte
	pos    int
	out    []byte
	prot   *Protect
	draft4 bool
}

var errSyntax = errors.New("schemadoc: malformed JSON")

func (c *compactor) ws() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *compactor) peek() byte {
	if c.pos < len(c.src) {
		return c.src[c.pos]
	}
	return 0
}

// skip moves past the value at pos and returns its bytes.
func (c *compactor) skip() ([]byte, error) {
	start := c.pos
	depth := 0
	for c.pos < len(c.src) {
		switch b := c.src[c.pos]; b {
		case '"':
			if err := c.skipString(); err != nil {
				return nil, err
			}
			if depth == 0 {
				return c.src[start:c.pos], nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				c.pos++
				return c.src[start:c.pos], nil
			}
			if depth < 0 {
				return nil, errSyntax
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return nil, errSyntax
			}
		default:
			if depth == 0 {
				for c.pos < len(c.src) && !strings.ContainsRune(",:]} \t\n\r", rune(c.src[c.pos])) {
					c.pos++
				}
				return c.src[start:c.pos], nil
			}
		}
		c.pos++
	}
	return nil, errSyntax
}

func (c *compactor) skipString() error {
	c.pos++ // the opening quote
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case '\\':
			c.pos += 2
			continue
		case '"':
			c.pos++
			return nil
		}
		c.pos++
	}
	return errSyntax
}

// copyValue appends the value at pos without insignificant whitespace.
func (c *compactor) copyValue() error {
	v, err := c.skip()
	if err != nil {
		return err
	}
	for i := 0; i < len(v); i++ {
		switch b := v[i]; b {
		case ' ', '\t', '\n', '\r':
		case '"':
			j := i + 1
			for ; j < len(v) && v[j] != '"'; j++ {
				if v[j] == '\\' {
					j++
				}
			}
			c.out = append(c.out, v[i:j+1]...)
			i = j
		default:
			c.out = append(c.out, b)
		}
	}
	return nil
}

// members calls f for each member of the object at pos, with the raw and
// decoded key and pos at the member's value; f appends what it keeps.
func (c *compactor) members(f func(rawKey []byte, key string, first bool) (bool, error)) error {
	c.pos++ // {
	c.out = append(c.out, '{')
	first := true
	c.ws()
	if c.peek() == '}' {
		c.pos++
		c.out = append(c.out, '}')
		return nil
	}
	for {
		c.ws()
		if c.peek() != '"' {
			return errSyntax
		}
		start := c.pos
		if err := c.skipString(); err != nil {
			return err
		}
		rawKey := c.src[start:c.pos]
		var key string
		if err := json.Unmarshal(rawKey, &key); err != nil {
			return err
		}
		c.ws()
		if c.peek() != ':' {
			return errSyntax
		}
		c.pos++
		c.ws()
		wrote, err := f(rawKey, key, first)
		if err != nil {
			return err
		}
		if wrote {
			first = false
		}
		c.ws()
		switch c.peek() {
		case ',':
			c.pos++
		case '}':
			c.pos++
			c.out = append(c.out, '}')
			return nil
		default:
			return errSyntax
		}
	}
}

func (c *compactor) key(rawKey []byte, first bool) {
	if !first {
		c.out = append(c.out, ',')
	}
	c.out = append(c.out, rawKey...)
	c.out = append(c.out, ':')
}

const maxDepth = 10000

// schema appends the schema at pos, found at path in the document.
func (c *compactor) schema(path []string, depth int) error {
	if depth > maxDepth {
		return errors.New("schemadoc: schema nested too deeply")
	}
	if c.peek() != '{' {
		return c.copyValue()
	}
	return c.members(func(rawKey []byte, k string, first bool) (bool, error) {
		at := append(path[:len(path):len(path)], k)
		switch {
		case schemaMapKeywords[k]:
			c.key(rawKey, first)
			return true, c.schemaMap(at, depth+1)
		case schemaValueKeywords[k]:
			c.key(rawKey, first)
			return true, c.schemas(at, depth+1)
		case knownKeywords[k] || strings.HasPrefix(k, "x-parsec-") || c.prot.protects(path, k):
			c.key(rawKey, first)
			return true, c.copyValue()
		}
		start := c.pos
		v, err := c.skip()
		if err != nil {
			return false, err
		}
		if !annotationKeywords[k] && c.holdsIdentifier(v) {
			c.pos = start
			c.key(rawKey, first)
			return true, c.copyValue()
		}
		return false, nil
	})
}

// schemaMap appends the object of schemas at pos.
func (c *compactor) schemaMap(path []string, depth int) error {
	if c.peek() != '{' {
		return c.copyValue()
	}
	return c.members(func(rawKey []byte, k string, first bool) (bool, error) {
		c.key(rawKey, first)
		return true, c.schema(append(path[:len(path):len(path)], k), depth+1)
	})
}

// schemas appends the schema or array of schemas at pos.
func (c *compactor) schemas(path []string, depth int) error {
	if c.peek() != '[' {
		return c.schema(path, depth)
	}
	c.pos++
	c.out = append(c.out, '[')
	for i := 0; ; i++ {
		c.ws()
		if c.peek() == ']' && i == 0 {
			break
		}
		if i > 0 {
			c.out = append(c.out, ',')
		}
		if err := c.schema(append(path[:len(path):len(path)], strconv.Itoa(i)), depth+1); err != nil {
			return err
		}
		c.ws()
		if c.peek() == ',' {
			c.pos++
			continue
		}
		if c.peek() != ']' {
			return errSyntax
		}
		break
	}
	c.pos++
	c.out = append(c.out, ']')
	return nil
}

// holdsIdentifier reports whether the JSON value v has an object member
// naming a resource or an anchor anywhere inside.
func (c *compactor) holdsIdentifier(v []byte) bool {
	var doc any
	if json.Unmarshal(v, &doc) != nil {
		return true
	}
	var find func(v any, depth int) bool
	find = func(v any, depth int) bool {
		if depth > maxDepth {
			return true
		}
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if identifierKeys[k] || c.draft4 && k == "id" || find(e, depth+1) {
					return true
				}
			}
		case []any:
			for _, e := range v {
				if find(e, depth+1) {
					return true
				}
			}
		}
		return false
	}
	return find(doc, 0)
}
