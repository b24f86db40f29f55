package breaking

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Limits that bound the search on large schemas. They make the search
// incomplete, never unsound: a candidate is a finding only once verified.
const (
	maxAlts     = 16    // alternatives (anyOf/oneOf/if branches) per location
	maxPerLoc   = 1024  // candidate values kept per location
	maxPerProp  = 16    // variants tried per property or array item
	maxDepth    = 12    // nesting of generated values
	maxValidate = 40000 // local validations per direction and aspect
)

// searcher generates candidate instances valid under one version (a),
// steered towards the constraints of the other (b).
type searcher struct {
	a        *Version
	hv       *Version // the version the hints belong to (b)
	declared bool     // only properties a declares (policy declared)
	budget   int
}

// item is one entry of a conjunction being expanded: a whole node, or the
// branch keyword of a node whose other keywords were taken already.
type item struct {
	n  node
	kw string // "" for the node, else "anyOf", "oneOf" or "if"
}

// alts expands the in-place applicators of n ($ref, allOf, anyOf, oneOf,
// if/then/else) into alternatives: conjunctions of nodes that all apply to
// the same instance. Recursion through $ref is cut where a node repeats.
func alts(v *Version, n node) [][]node {
	var out [][]node
	expand(v, []item{{n: n}}, nil, map[string]bool{}, &out)
	return out
}

func expand(v *Version, pending []item, conj []node, seen map[string]bool, out *[][]node) {
	if len(*out) >= maxAlts {
		return
	}
	if len(pending) == 0 {
		*out = append(*out, conj)
		return
	}
	it, rest := pending[0], pending[1:]
	if it.kw != "" {
		var branches []node
		if it.kw == "if" {
			cond, _ := it.n.child("if")
			then, okThen := it.n.child("then")
			els, okElse := it.n.child("else")
			branches = append(branches, node{}, node{})
			if okThen {
				branches[0] = then
			}
			if okElse {
				branches[1] = els
			}
			for i, br := range branches {
				next := append([]item(nil), rest...)
				if i == 0 {
					next = append(next, item{n: cond})
				}
				if br.d != nil {
					next = append(next, item{n: br})
				}
				expand(v, next, conj, seen, out)
			}
			return
		}
		list, _ := it.n.obj()[it.kw].([]any)
		for i := range list {
			br, ok := it.n.child(it.kw, strconv.Itoa(i))
			if !ok {
				continue
			}
			expand(v, append(append([]item(nil), rest...), item{n: br}), conj, seen, out)
		}
		return
	}
	x := it.n
	if b, ok := x.val.(bool); ok {
		if !b {
			return // false: this alternative admits nothing
		}
		expand(v, rest, conj, seen, out)
		return
	}
	if seen[x.key()] {
		expand(v, rest, conj, seen, out)
		return
	}
	seen2 := make(map[string]bool, len(seen)+1)
	for k := range seen {
		seen2[k] = true
	}
	seen2[x.key()] = true
	next := append([]item(nil), rest...)
	for _, kw := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
		if r, ok := v.resolve(x, kw); ok {
			next = append(next, item{n: r})
		}
	}
	if list, ok := x.obj()["allOf"].([]any); ok {
		for i := range list {
			if c, ok := x.child("allOf", strconv.Itoa(i)); ok {
				next = append(next, item{n: c})
			}
		}
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		if list, ok := x.obj()[kw].([]any); ok && len(list) > 0 {
			next = append(next, item{n: x, kw: kw})
		}
	}
	if _, ok := x.obj()["if"]; ok {
		next = append(next, item{n: x, kw: "if"})
	}
	expand(v, next, append(append([]node(nil), conj...), x), seen2, out)
}

// flat is every node of every alternative, without repeats.
func flat(v *Version, ns []node) []node {
	var out []node
	seen := map[string]bool{}
	for _, n := range ns {
		for _, alt := range alts(v, n) {
			for _, x := range alt {
				if !seen[x.key()] {
					seen[x.key()] = true
					out = append(out, x)
				}
			}
		}
	}
	return out
}

// values returns candidate values for the location loc of version a, valid
// there, most natural first; hints are b's schemas at the same instance
// location, whose boundaries the candidates probe.
func (s *searcher) values(loc node, hints []node, depth int) []any {
	if depth > maxDepth || s.budget <= 0 {
		return nil
	}
	var raw []any
	for _, alt := range alts(s.a, loc) {
		raw = append(raw, s.altValues(alt, hints, depth)...)
	}
	return s.order(raw, hints, func(enc []byte) bool {
		ok, _, err := s.a.validAt(loc.d, loc.ptr, enc)
		return err == nil && ok
	})
}

// free returns candidate values for a place a does not constrain at all
// (an undeclared property of an open object, the items of an array without
// items), steered by b's schemas there.
func (s *searcher) free(hints []node, depth int) []any {
	if depth > maxDepth || s.budget <= 0 {
		return nil
	}
	if len(hints) == 0 {
		return anyValues()
	}
	raw := append(s.altValues(nil, hints, depth), anyValues()...)
	return s.order(raw, hints, func([]byte) bool { return true })
}

// order drops repeats and values valid returns false for. A value valid
// under b's hints too comes first, so the first (the one the enclosing
// object or array is built with) differs from b nowhere and a variant
// isolates one difference; the values b rejects follow, then the rest.
func (s *searcher) order(raw []any, hints []node, valid func([]byte) bool) []any {
	var both, only []any
	seen := map[string]bool{}
	for _, c := range raw {
		if len(both)+len(only) >= maxPerLoc || s.budget <= 0 {
			break
		}
		enc := encode(c)
		if seen[string(enc)] {
			continue
		}
		seen[string(enc)] = true
		s.budget--
		if !valid(enc) {
			continue
		}
		inB := len(hints) > 0
		for _, h := range hints {
			s.budget--
			if ok, _, err := h.d.v.validAt(h.d, h.ptr, enc); err != nil || !ok {
				inB = false
				break
			}
		}
		if inB {
			both = append(both, c)
		} else {
			only = append(only, c)
		}
	}
	if len(both) == 0 {
		return only
	}
	return append(append(both[:1:1], only...), both[1:]...)
}

func (s *searcher) altValues(alt []node, hints []node, depth int) []any {
	var out []any
	hasValues := false
	for _, n := range alt {
		m := n.obj()
		if c, ok := m["const"]; ok {
			out = append(out, c)
			hasValues = true
		}
		if e, ok := m["enum"].([]any); ok {
			out = append(out, capList(e, 64)...)
			hasValues = true
		}
	}
	if hasValues {
		return out
	}
	for _, n := range alt {
		for _, kw := range []string{"default", "examples"} {
			x, ok := n.obj()[kw]
			if !ok {
				continue
			}
			if kw == "examples" {
				if l, ok := x.([]any); ok {
					out = append(out, capList(l, 4)...)
				}
				continue
			}
			out = append(out, x)
		}
	}
	// One list per type, interleaved, so that every type has its early
	// candidates among those kept.
	// Where a says nothing (alt is empty), a type b does not allow needs one
	// value only: b rejects them all alike.
	hintTypes := map[string]bool{}
	if len(alt) == 0 {
		for _, t := range altTypes(flat(s.hv, hints)) {
			hintTypes[t] = true
		}
	}
	types := altTypes(alt)
	if len(alt) == 0 {
		// b's types first: their values probe b's bounds.
		sort.SliceStable(types, func(i, j int) bool { return hintTypes[types[i]] && !hintTypes[types[j]] })
	}
	var lists [][]any
	for _, t := range types {
		var l []any
		switch t {
		case "null":
			l = []any{nil}
		case "boolean":
			l = []any{true, false}
		case "integer", "number":
			l = numbers(alt, hints, t == "integer")
		case "string":
			l = s.stringValues(alt, hints)
		case "object":
			l = s.objects(alt, hints, depth)
		case "array":
			l = s.arrays(alt, hints, depth)
		}
		if len(alt) == 0 && !hintTypes[t] && len(l) > 1 {
			l = l[:1]
		}
		lists = append(lists, l)
	}
	for i := 0; ; i++ {
		more := false
		for _, l := range lists {
			if i < len(l) {
				out = append(out, l[i])
				more = true
			}
		}
		if !more {
			return out
		}
	}
}

// probes caps the values tried at one place: every composite value (each
// probes a place further down), and at most n scalars.
func probes(l []any, n int) []any {
	var out []any
	for _, v := range l {
		switch v.(type) {
		case map[string]any, []any:
			out = append(out, v)
		default:
			if n > 0 {
				out = append(out, v)
				n--
			}
		}
	}
	return out
}

func capList(l []any, n int) []any {
	if len(l) > n {
		return l[:n]
	}
	return l
}

var allTypes = []string{"object", "array", "string", "integer", "number", "boolean", "null"}

// altTypes is the intersection of the "type" keywords of a conjunction, in
// a fixed order; every type when none constrains it. Objects and arrays come
// first when the schema speaks of them, so the natural candidate is first.
func altTypes(alt []node) []string {
	set := map[string]bool{}
	for _, t := range allTypes {
		set[t] = true
	}
	for _, n := range alt {
		var ts []string
		switch t := n.obj()["type"].(type) {
		case string:
			ts = []string{t}
		case []any:
			for _, x := range t {
				if s, ok := x.(string); ok {
					ts = append(ts, s)
				}
			}
		default:
			continue
		}
		allowed := map[string]bool{}
		for _, t := range ts {
			allowed[t] = true
			if t == "number" {
				allowed["integer"] = true
			}
		}
		for t := range set {
			if !allowed[t] {
				delete(set, t)
			}
		}
	}
	order := allTypes
	if !implies(alt, "properties", "required", "additionalProperties", "patternProperties", "minProperties") {
		if implies(alt, "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains") {
			order = []string{"array", "object", "string", "integer", "number", "boolean", "null"}
		} else if implies(alt, "minLength", "maxLength", "pattern", "format") {
			order = []string{"string", "object", "array", "integer", "number", "boolean", "null"}
		} else if implies(alt, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf") {
			order = []string{"integer", "number", "object", "array", "string", "boolean", "null"}
		}
	}
	var out []string
	for _, t := range order {
		if set[t] {
			out = append(out, t)
		}
	}
	return out
}

func implies(alt []node, kws ...string) bool {
	for _, n := range alt {
		for _, k := range kws {
			if _, ok := n.obj()[k]; ok {
				return true
			}
		}
	}
	return false
}

func num(x any) (float64, bool) {
	switch v := x.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	}
	return 0, false
}

// numbers probes the numeric boundaries of both versions.
func numbers(alt, hints []node, integer bool) []any {
	var first []float64
	var thresholds []float64
	var mults []float64
	collect := func(ns []node, own bool) {
		for _, n := range ns {
			m := n.obj()
			for _, kw := range []string{"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"} {
				if f, ok := num(m[kw]); ok {
					thresholds = append(thresholds, f)
					if own {
						switch kw {
						case "minimum":
							first = append(first, f)
						case "exclusiveMinimum":
							first = append(first, math.Floor(f)+1)
						}
					}
				}
			}
			if f, ok := num(m["multipleOf"]); ok && f > 0 {
				mults = append(mults, f)
			}
		}
	}
	collect(alt, true)
	collect(hints, false)
	vals := append([]float64(nil), first...)
	vals = append(vals, 0, 1)
	for _, t := range thresholds {
		vals = append(vals, math.Floor(t)-1, math.Floor(t), math.Ceil(t), math.Ceil(t)+1)
		if !integer {
			vals = append(vals, t-0.5, t+0.5)
		}
	}
	for _, m := range mults {
		vals = append(vals, m, 2*m)
		for _, t := range thresholds {
			vals = append(vals, math.Ceil(t/m)*m, math.Floor(t/m)*m)
		}
	}
	if !integer {
		vals = append(vals, 0.5)
	}
	var out []any
	for _, f := range vals {
		if math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e15 {
			continue
		}
		if integer && f != math.Trunc(f) {
			continue
		}
		out = append(out, json.Number(strconv.FormatFloat(f, 'f', -1, 64)))
	}
	return out
}

var formatSamples = map[string]string{
	"date-time":             "2024-01-02T03:04:05Z",
	"date":                  "2024-01-02",
	"time":                  "03:04:05Z",
	"duration":              "P1D",
	"email":                 "a@example.com",
	"idn-email":             "a@example.com",
	"hostname":              "example.com",
	"idn-hostname":          "example.com",
	"ipv4":                  "192.0.2.1",
	"ipv6":                  "2001:db8::1",
	"uri":                   "https://example.com/a",
	"uri-reference":         "a",
	"iri":                   "https://example.com/a",
	"iri-reference":         "a",
	"uri-template":          "https://example.com/{a}",
	"uuid":                  "00000000-0000-4000-8000-000000000000",
	"json-pointer":          "/a",
	"relative-json-pointer": "0",
	"regex":                 "a",
	"byte":                  "YQ==",
}

// strings probes lengths, patterns, formats and the literal values both
// versions mention.
func (s *searcher) stringValues(alt, hints []node) []any {
	var out []any
	lengths := []int{}
	var patterns []string
	var formats []string
	collect := func(ns []node, own bool) {
		for _, n := range ns {
			m := n.obj()
			if p, ok := m["pattern"].(string); ok {
				patterns = append(patterns, p)
			}
			if f, ok := m["format"].(string); ok {
				formats = append(formats, f)
			}
			if f, ok := num(m["minLength"]); ok {
				if own {
					lengths = append(lengths, int(f))
				} else {
					lengths = append(lengths, int(f)-1)
				}
			}
			if f, ok := num(m["maxLength"]); ok {
				if own {
					lengths = append(lengths, int(f))
				} else {
					lengths = append(lengths, int(f)+1)
				}
			}
			if !own {
				if c, ok := m["const"].(string); ok {
					out = append(out, c)
				}
				if e, ok := m["enum"].([]any); ok {
					out = append(out, capList(e, 8)...)
				}
			}
		}
	}
	collect(alt, true)
	ownPatterns := len(patterns)
	collect(hints, false)
	for i, p := range patterns {
		for _, smp := range patternSamples(p) {
			out = append(out, smp)
			if i < ownPatterns {
				// Pad or cut a sample of a's pattern to b's lengths.
				for _, l := range lengths {
					if l > len(smp) && l <= 4096 {
						out = append(out, smp+strings.Repeat(smp[len(smp)-min(len(smp), 1):], l-len(smp)))
					}
				}
			}
		}
	}
	for _, f := range formats {
		if smp, ok := formatSamples[f]; ok {
			out = append(out, smp)
		}
	}
	lengths = append(lengths, 0, 1)
	for _, l := range lengths {
		if l >= 0 && l <= 4096 {
			out = append(out, strings.Repeat("a", l))
		}
	}
	// Natural first: a's own pattern or format sample before plain letters.
	return out
}

// propSchemas returns the subschemas of a conjunction that apply to the
// property key, and whether any of them declares it.
func propSchemas(ns []node, key string) (sub []node, declared bool) {
	for _, n := range ns {
		if c, ok := n.child("properties", key); ok {
			sub = append(sub, c)
			declared = true
			continue
		}
		matched := false
		if pp, ok := n.obj()["patternProperties"].(map[string]any); ok {
			for _, p := range sortedKeys(pp) {
				if n.d.v.match(p, key) {
					if c, ok := n.child("patternProperties", p); ok {
						sub = append(sub, c)
						matched = true
						declared = true
					}
				}
			}
		}
		if !matched {
			if c, ok := n.child("additionalProperties"); ok {
				sub = append(sub, c)
			}
		}
	}
	return sub, declared
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// propOrder is the declared property names of a conjunction in the order
// the author wrote them.
func propOrder(alt []node) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range alt {
		props, ok := n.obj()["properties"].(map[string]any)
		if !ok {
			continue
		}
		keys := n.d.index.Keys(n.ptr + "/properties")
		if len(keys) != len(props) {
			keys = sortedKeys(props)
		}
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

func required(alt []node) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range alt {
		l, _ := n.obj()["required"].([]any)
		for _, x := range l {
			if k, ok := x.(string); ok && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// open reports whether the conjunction declares undeclared properties
// acceptable explicitly (additionalProperties or unevaluatedProperties set to
// anything but false), and whether it forbids them.
func openness(alt []node) (explicit, closed bool) {
	for _, n := range alt {
		for _, kw := range []string{"additionalProperties", "unevaluatedProperties"} {
			x, ok := n.obj()[kw]
			if !ok {
				continue
			}
			if b, isBool := x.(bool); isBool && !b {
				closed = true
			} else {
				explicit = true
			}
		}
	}
	return explicit, closed
}

func (s *searcher) objects(alt, hints []node, depth int) []any {
	hintNodes := flat(s.hv, hints)
	props := propOrder(alt)
	req := required(alt)
	vals := map[string][]any{}
	valuesOf := func(key string) []any {
		if v, ok := vals[key]; ok {
			return v
		}
		sub, _ := propSchemas(alt, key)
		bsub, _ := propSchemas(hintNodes, key)
		var out []any
		if len(sub) == 0 {
			out = s.free(bsub, depth+1)
		} else {
			out = s.values(sub[0], bsub, depth+1)
		}
		vals[key] = out
		return out
	}
	base := map[string]any{}
	for _, k := range req {
		v := valuesOf(k)
		if len(v) == 0 {
			return nil
		}
		base[k] = v[0]
	}
	// The properties b requires and a declares join the base, so that a
	// variant fails b for its own difference only; the base without them
	// stays a candidate (for b's required).
	out := []any{base}
	declaredA := map[string]bool{}
	for _, k := range props {
		declaredA[k] = true
	}
	own := base
	for _, k := range requiredEverywhere(s.hv, hints) {
		if _, ok := base[k]; ok || !declaredA[k] {
			continue
		}
		if v := valuesOf(k); len(v) > 0 {
			if len(base) == len(own) {
				base = clone(own)
			}
			base[k] = v[0]
		}
	}
	if len(base) != len(own) {
		out = append(out, base)
	}
	full := clone(base)
	for _, k := range props {
		vs := valuesOf(k)
		if len(vs) == 0 {
			continue
		}
		if _, ok := full[k]; !ok {
			full[k] = vs[0]
		}
		for i, v := range probes(vs, maxPerProp) {
			if _, isReq := base[k]; isReq && i == 0 {
				continue
			}
			o := clone(base)
			o[k] = v
			out = append(out, o)
		}
	}
	out = append(out, full)
	// Properties a does not declare: the names b declares, and one neither
	// does. Under the declared policy only where a accepts any name
	// explicitly.
	explicit, closed := openness(alt)
	if !closed && (!s.declared || explicit) {
		declared := map[string]bool{}
		for _, k := range props {
			declared[k] = true
		}
		var extra []string
		for _, k := range propOrder(hintNodes) {
			if !declared[k] {
				extra = append(extra, k)
			}
		}
		extra = append(extra, "undeclared")
		for _, k := range extra {
			for _, v := range probes(valuesOf(k), maxPerProp) {
				o := clone(base)
				o[k] = v
				out = append(out, o)
			}
		}
	}
	for _, n := range alt {
		pp, ok := n.obj()["patternProperties"].(map[string]any)
		if !ok {
			continue
		}
		for _, p := range sortedKeys(pp) {
			for _, k := range patternSamples(p) {
				for _, v := range capList(valuesOf(k), 4) {
					o := clone(base)
					o[k] = v
					out = append(out, o)
				}
			}
		}
	}
	return out
}

func clone(m map[string]any) map[string]any {
	o := make(map[string]any, len(m)+1)
	for k, v := range m {
		o[k] = v
	}
	return o
}

func anyValues() []any {
	return []any{nil, true, json.Number("0"), json.Number("0.5"), "", map[string]any{}, []any{}}
}

func (s *searcher) arrays(alt, hints []node, depth int) []any {
	hintNodes := flat(s.hv, hints)
	minItems := 0
	var prefix []node
	var rest []node
	for _, n := range alt {
		if f, ok := num(n.obj()["minItems"]); ok && int(f) > minItems {
			minItems = int(f)
		}
		if l, ok := n.obj()["prefixItems"].([]any); ok && prefix == nil {
			for i := range l {
				c, _ := n.child("prefixItems", strconv.Itoa(i))
				prefix = append(prefix, c)
			}
		}
		switch it := n.obj()["items"].(type) {
		case []any:
			if prefix == nil {
				for i := range it {
					c, _ := n.child("items", strconv.Itoa(i))
					prefix = append(prefix, c)
				}
			}
			if c, ok := n.child("additionalItems"); ok {
				rest = append(rest, c)
			}
		case map[string]any, bool:
			c, _ := n.child("items")
			rest = append(rest, c)
		}
	}
	hintAt := func(i int) []node { return itemSchemas(hintNodes, i) }
	// The base holds the first value of every prefix position (the
	// positions are probed one at a time below), then rest values up to
	// minItems.
	var base []any
	var prefixVals [][]any
	for i, p := range prefix {
		vs := s.values(p, hintAt(i), depth+1)
		if len(vs) == 0 {
			break // the tuple ends here; shorter arrays may still be valid
		}
		base = append(base, vs[0])
		prefixVals = append(prefixVals, vs)
	}
	var restVals []any
	if len(rest) > 0 {
		restVals = s.values(rest[0], hintAt(len(prefix)), depth+1)
	} else {
		restVals = s.free(hintAt(len(prefix)), depth+1)
	}
	for len(base) < minItems {
		if len(restVals) == 0 {
			return nil
		}
		base = append(base, restVals[0])
	}
	out := []any{append([]any{}, base...)}
	for _, n := range hintNodes {
		if f, ok := num(n.obj()["maxItems"]); ok && len(restVals) > 0 && f < 64 {
			a := append([]any{}, base...)
			for len(a) < int(f)+1 {
				a = append(a, restVals[0])
			}
			out = append(out, a)
		}
	}
	unique := false
	for _, n := range hintNodes {
		if u, _ := n.obj()["uniqueItems"].(bool); u {
			unique = true
		}
	}
	for i, vs := range prefixVals {
		for _, v := range probes(vs[1:], maxPerProp) {
			a := append([]any{}, base...)
			a[i] = v
			out = append(out, a)
		}
	}
	if len(prefix) > 0 {
		// Shorter tuples, for the other version's minItems.
		for k := 0; k < len(base); k++ {
			out = append(out, append([]any{}, base[:k]...))
		}
	}
	for _, v := range probes(restVals, maxPerProp) {
		a := append([]any{}, base...)
		if len(prefix) == 0 && len(a) > 0 {
			a[0] = v
		} else {
			a = append(a, v)
		}
		out = append(out, a)
		if unique {
			out = append(out, append(append([]any{}, base...), v, v))
		}
	}
	return out
}

// itemSchemas returns the subschemas of ns that apply to the array element
// at index i: prefixItems (or draft-07 items arrays) at i, else items, else
// additionalItems.
func itemSchemas(ns []node, i int) []node {
	var out []node
	for _, n := range ns {
		if c, ok := n.child("prefixItems", strconv.Itoa(i)); ok {
			out = append(out, c)
		} else if c, ok := n.child("items", strconv.Itoa(i)); ok {
			out = append(out, c)
		} else if _, isList := n.obj()["items"].([]any); isList {
			if c, ok := n.child("additionalItems"); ok {
				out = append(out, c)
			}
		} else if c, ok := n.child("items"); ok {
			out = append(out, c)
		}
	}
	return out
}

// requiredEverywhere is the properties every alternative of every schema
// in ns requires, in the order the first one lists them.
func requiredEverywhere(v *Version, ns []node) []string {
	var out []string
	first := true
	for _, n := range ns {
		for _, alt := range alts(v, n) {
			req := required(alt)
			if first {
				out, first = req, false
				continue
			}
			in := map[string]bool{}
			for _, k := range req {
				in[k] = true
			}
			var keep []string
			for _, k := range out {
				if in[k] {
					keep = append(keep, k)
				}
			}
			out = keep
		}
	}
	return out
}
