package build

import (
	"fmt"
	"go/doc/comment"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

func (b *builder) isInput(d *load.Doc) bool {
	for _, in := range b.set.Inputs {
		if in == d {
			return true
		}
	}
	return false
}

// rawName derives a type name from the schema's location alone: the name
// does not depend on which reference reached the schema first.
func (b *builder) rawName(s *jsonschema.Schema, d *load.Doc, ptr string) (string, int) {
	if s.Bool == nil {
		if n := b.explicitName(s, d, ptr); n != "" {
			return n, prioExplicit
		}
	}
	return b.nameAt(d, ptr, 0)
}

// valueAt returns the raw schema object at ptr, or nil.
func valueAt(d *load.Doc, ptr string) map[string]any {
	v, _ := d.Lookup(ptr)
	m, _ := v.(map[string]any)
	return m
}

func splitPointer(ptr string) []string {
	if ptr == "" {
		return nil
	}
	toks := strings.Split(ptr[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

func joinPointer(toks []string) string {
	var sb strings.Builder
	for _, t := range toks {
		sb.WriteByte('/')
		sb.WriteString(escape(t))
	}
	return sb.String()
}

// nameAt names the schema at ptr in d from its path, read from the root:
// a top-level definition is named after itself, anything else after the
// schema that contains it plus a suffix (property name, "Item", "Value",
// variant name, ...). An x-go-name on the way replaces the name so far.
func (b *builder) nameAt(d *load.Doc, ptr string, _ int) (string, int) {
	toks := splitPointer(ptr)
	root := valueAt(d, "")
	if n, ok := root["x-go-name"].(string); ok && naming.IsExportedIdent(n) && len(toks) == 0 {
		return n, prioExplicit
	}
	cur, prio := b.rootName(d, root), prioRoot
	at := ""
	for i := 0; i < len(toks); i++ {
		kw := toks[i]
		next := func() (string, bool) {
			if i+1 < len(toks) {
				i++
				at += "/" + escape(kw) + "/" + escape(toks[i])
				return toks[i], true
			}
			return "", false
		}
		isIndex := i+1 < len(toks) && isDigits(toks[i+1])
		switch kw {
		case "definitions", "$defs":
			name, ok := next()
			if !ok {
				return cur + b.goName(d, ptr, kw), prioDerived
			}
			if i == 1 {
				cur, prio = b.goName(d, at, name), prioDefinition
			} else {
				cur, prio = naming.JoinWords(cur, b.goName(d, at, name)), prioDerived
			}
		case "properties", "dependentSchemas", "dependencies":
			name, ok := next()
			if !ok {
				return cur + b.goName(d, ptr, kw), prioDerived
			}
			cur, prio = naming.JoinWords(cur, b.goName(d, at, name)), prioDerived
		case "patternProperties":
			next()
			cur, prio = cur+"Value", prioDerived
		case "items", "prefixItems":
			if isIndex {
				idx, _ := next()
				cur, prio = cur+"Item"+idx, prioDerived
			} else {
				at += "/" + kw
				cur, prio = cur+"Item", prioDerived
			}
		case "oneOf", "anyOf":
			if !isIndex {
				return cur + b.goName(d, ptr, kw), prioDerived
			}
			unionAt := at + "/" + kw
			idx, _ := next()
			n, _ := strconv.Atoi(idx)
			suffixes := b.variantSuffixes(d, unionAt, cur)
			if n < len(suffixes) {
				cur += suffixes[n]
			} else {
				cur += "Variant" + idx
			}
			prio = prioDerived
		case "allOf":
			if !isIndex {
				return cur + b.goName(d, ptr, kw), prioDerived
			}
			idx, _ := next()
			cur, prio = cur+"Part"+idx, prioDerived
		case "additionalProperties":
			at += "/" + kw
			cur, prio = cur+"Value", prioDerived
		case "additionalItems":
			at += "/" + kw
			cur, prio = cur+"Rest", prioDerived
		default:
			at += "/" + escape(kw)
			cur, prio = cur+b.goName(d, at, kw), prioDerived
		}
		if obj := valueAt(d, at); obj != nil {
			if n, ok := obj["x-go-name"].(string); ok && naming.IsExportedIdent(n) {
				cur, prio = n, prioExplicit
			}
		}
	}
	return cur, prio
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// rootName names a document's root: a short title, else the aspect name
// (input files) or the file name (files reached through $ref).
func (b *builder) rootName(d *load.Doc, root map[string]any) string {
	if n, ok := root["x-go-name"].(string); ok && naming.IsExportedIdent(n) {
		return n
	}
	if in, ok := b.cfg.Inputs[d.Path]; ok && in.Name != "" {
		return in.Name
	}
	if t, ok := root["title"].(string); ok {
		if words := naming.Split(t); len(words) > 0 && len(words) <= maxTitleWords {
			return b.goName(d, "/title", t)
		}
	}
	if b.isInput(d) {
		return b.goName(d, "", b.aspect(d))
	}
	return b.goName(d, "", strings.TrimSuffix(strings.TrimSuffix(path.Base(d.Path), ".json"), ".schema"))
}

// candidate is s as an exported name, or "" when s cannot become one (only
// the empty string cannot): a variant's name has fallbacks, so a candidate
// that fails is no error, the next rule names the variant.
func (b *builder) candidate(s string) string {
	name, err := b.cfg.Namer.Exported(s)
	if err != nil {
		return ""
	}
	return name
}

// variantSuffixes names the variants of the oneOf/anyOf array at ptr, whose
// union is named parent: a short title, else the name of the $ref target,
// else the single JSON type, else "Variant<i>"; a suffix used twice gets the
// variant index appended. A title or target name that is the word parent
// ends with is passed over ("RuleOp" + "Op" would say it twice), and one
// that starts with it loses that word ("RuleOp" + "OpList" is
// "RuleOpList").
func (b *builder) variantSuffixes(d *load.Doc, ptr, parent string) []string {
	v, _ := d.Lookup(ptr)
	arr, _ := v.([]any)
	out := make([]string, len(arr))
	count := map[string]int{}
	for i, item := range arr {
		obj, _ := item.(map[string]any)
		name := ""
		if t, ok := obj["title"].(string); ok {
			if words := naming.Split(t); len(words) > 0 && len(words) <= maxTitleWords {
				name = b.candidate(t)
			}
		}
		if ref, ok := obj["$ref"].(string); name == "" && ok {
			if toks := strings.Split(ref, "/"); len(toks) > 0 {
				last := toks[len(toks)-1]
				last = strings.TrimSuffix(strings.TrimSuffix(last, ".json"), ".schema")
				name = b.candidate(last)
			}
		}
		if name != "" && parent != "" {
			if naming.RepeatsLastWord(parent, name) {
				name = ""
			} else {
				name = naming.TrimOverlap(parent, name)
			}
		}
		weak := name == ""
		if props, ok := obj["properties"].(map[string]any); name == "" && ok {
			// An object variant is named after its first property that no
			// other variant declares ({"ps": ...} | {"sh": ...}).
			for _, k := range d.Index.Keys(ptr + "/" + strconv.Itoa(i) + "/properties") {
				if _, ok := props[k]; ok && !declaredElsewhere(arr, i, k) {
					name = b.candidate(k)
					break
				}
			}
		}
		kinds := obj
		if ref, ok := obj["$ref"].(string); name == "" && ok {
			// A target passed over above still says what kind it is.
			if target := localTarget(d, ref); target != nil {
				kinds = target
			}
		}
		if _, ok := kinds["enum"]; name == "" && ok {
			name = "Enum"
		}
		if _, ok := kinds["const"]; name == "" && ok {
			name = "Const"
		}
		if t, ok := kinds["type"].(string); name == "" && ok {
			name = typeSuffix[t]
		}
		if name == "" {
			name = "Variant" + strconv.Itoa(i)
		}
		out[i] = name
		count[name]++
		if weak {
			b.weakVariant[d.Display+"#"+ptr+"/"+strconv.Itoa(i)] = true
		}
	}
	for i, n := range out {
		if count[n] > 1 {
			out[i] = n + strconv.Itoa(i)
		}
	}
	return out
}

// localTarget returns the schema object a "#/..." $ref names in d, or nil.
func localTarget(d *load.Doc, ref string) map[string]any {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok || !strings.HasPrefix(frag, "/") {
		return nil
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		return nil
	}
	return valueAt(d, ptr)
}

// lineBreaks turns every line terminator into "\n".
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n")

// sanitize turns schema text into comment lines: split at every line
// terminator, control characters removed, invalid UTF-8 replaced, trailing
// space trimmed, runs of blank lines collapsed. Nothing in a line can end a
// // comment.
func sanitize(texts ...string) []string {
	var out []string
	for _, t := range texts {
		if t == "" {
			continue
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		t = strings.ToValidUTF8(t, "\uFFFD")
		t = lineBreaks.Replace(t)
		for _, line := range strings.Split(t, "\n") {
			line = strings.Map(func(r rune) rune {
				if r == '\t' {
					return ' '
				}
				if unicode.IsControl(r) {
					return -1
				}
				return r
			}, line)
			// Leading space would make gofmt turn the line into a code
			// block and reindent it; schema text is prose.
			line = strings.TrimSpace(line)
			if line == "" && (len(out) == 0 || out[len(out)-1] == "") {
				continue
			}
			out = append(out, line)
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// docLines builds a doc comment: a first line starting with name, then the
// schema's title and description, then a deprecation paragraph.
func docLines(first, title, desc string, deprecated bool) []string {
	lines := []string{first}
	if body := sanitize(title, desc); len(body) > 0 {
		lines = append(lines, "")
		lines = append(lines, body...)
	}
	if deprecated {
		lines = append(lines, "", "Deprecated: the schema marks this as deprecated.")
	}
	return canonicalDoc(lines)
}

// canonicalDoc returns doc comment lines in the form gofmt gives them, so
// generated files stay gofmt-clean: a one-line paragraph without final
// punctuation gets a period (gofmt would make it a heading), then the text
// is reprinted by go/doc/comment (lists, links). Printed as "// "+line, or
// "//" for an empty line, the result is what gofmt prints.
func canonicalDoc(lines []string) []string {
	for i, l := range lines {
		single := (i == 0 || lines[i-1] == "") && (i == len(lines)-1 || lines[i+1] == "")
		if single && l != "" && !strings.ContainsRune(".!?:;,", rune(l[len(l)-1])) {
			lines[i] = l + "."
		}
	}
	var p comment.Parser
	text := (&comment.Printer{}).Comment(p.Parse(strings.Join(lines, "\n")))
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "// "):
			out = append(out, l[3:])
		case l == "//":
			out = append(out, "")
		default:
			// A code block line ("//\t..."); cannot happen with trimmed
			// lines, keep its text.
			out = append(out, strings.TrimSpace(strings.TrimPrefix(l, "//")))
		}
	}
	return out
}

func fieldDoc(name, jsonName, title, desc string, deprecated bool) []string {
	return docLines(fmt.Sprintf("%s corresponds to the JSON property %s.", name, quoteForDoc(jsonName)), title, desc, deprecated)
}

// quoteForDoc quotes a JSON name for a comment line, with no line terminator.
func quoteForDoc(s string) string {
	return strconv.QuoteToGraphic(s)
}

var typeSuffix = map[string]string{"null": "Null", "boolean": "Bool", "integer": "Int", "number": "Number",
	"string": "String", "array": "Array", "object": "Object"}

// declaredElsewhere reports whether a variant other than i declares property k.
func declaredElsewhere(variants []any, i int, k string) bool {
	for j, v := range variants {
		if j == i {
			continue
		}
		obj, _ := v.(map[string]any)
		if props, ok := obj["properties"].(map[string]any); ok {
			if _, ok := props[k]; ok {
				return true
			}
		}
	}
	return false
}
