// Package breaking compares two versions of a set of aspect schemas and
// reports the changes that break their users, each proved by a witness.
//
// A backward finding (new readers cannot read old data) carries a witness
// instance that the old schema accepts and the new one rejects; a forward
// finding (old readers cannot read new data) one that the new schema accepts
// and the old one rejects. Every witness is checked with the validator the
// runtime uses (runtime/schema over github.com/santhosh-tekuri/jsonschema/v6)
// before it is reported: the search for witnesses may miss a break, it never
// reports one that is not real.
//
// Witnesses are found by generating instances valid under one version,
// steered by both: the boundaries of either version's numeric and length
// bounds, the values of its enums and consts, samples of its patterns and
// formats, each alternative of anyOf/oneOf/if, every declared property, the
// properties only the other version declares, with $ref (into any file) and
// allOf followed and recursion cut where a schema repeats. Each candidate is
// validated at its place while it is built, and the whole instance under both
// versions at the end.
//
// Under PolicyDeclared (the default) a witness uses only properties the
// schema it is valid under declares (see undeclared for the exact rule), so
// adding an optional property to an open object is compatible both ways;
// PolicyStrict is plain instance semantics.
//
// The go category compares the generator's model of both versions: a Go
// type, field or constant renamed or removed, or a field whose Go type
// changed, breaks code that uses the generated package even when the wire
// format stays compatible.
//
// JudgeDrift applies the same search to the payload schema a program was
// compiled with and the one Parsec's registry holds at run time, for a
// client that publishes (backward, old = compiled), reads (forward) or both:
// it is a client.DriftJudge for client.WithDriftJudge.
package breaking

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// Mode selects the directions checked.
type Mode int

// Modes.
const (
	// ModeBackward: new readers must read old data.
	ModeBackward Mode = iota
	// ModeForward: old readers must read new data.
	ModeForward
	// ModeFull: both.
	ModeFull
)

// ParseMode parses "backward", "forward" or "full".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "backward":
		return ModeBackward, nil
	case "forward":
		return ModeForward, nil
	case "full":
		return ModeFull, nil
	}
	return 0, fmt.Errorf("unknown mode %q, want \"backward\", \"forward\" or \"full\"", s)
}

// Policy says what a producer may send.
type Policy int

// Policies.
const (
	// PolicyDeclared: producers send only properties their schema declares.
	PolicyDeclared Policy = iota
	// PolicyStrict: any instance the schema accepts.
	PolicyStrict
)

// ParsePolicy parses "declared" or "strict".
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "declared":
		return PolicyDeclared, nil
	case "strict":
		return PolicyStrict, nil
	}
	return 0, fmt.Errorf("unknown policy %q, want \"declared\" or \"strict\"", s)
}

// Options configure Check.
type Options struct {
	Mode   Mode
	Policy Policy
}

// Directions of findings.
const (
	Backward = "backward"
	Forward  = "forward"
	Go       = "go"
)

// Finding is one break. Its JSON form is the `--format json` contract.
type Finding struct {
	// Aspect is the aspect name.
	Aspect string `json:"aspect"`
	// Direction is Backward, Forward or Go.
	Direction string `json:"direction"`
	// Rule names what breaks: the JSON Schema keyword that rejects the
	// witness ("required", "minimum", "additionalProperties", ...),
	// "aspect-removed", or for Go findings "type-renamed", "field-removed", ...
	Rule string `json:"rule"`
	// Pointer is the JSON pointer of the rule's place in File.
	Pointer string `json:"pointer"`
	// File is the schema file shown (the new version's where it has one).
	File string `json:"file"`
	// Line and Col are 1-based; 0 when unknown.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Message says what breaks, in English.
	Message string `json:"message"`
	// Witness is the instance one version accepts and the other rejects
	// (compact JSON); null for Go findings.
	Witness json.RawMessage `json:"witness"`

	// instance is the JSON pointer in the witness where it is rejected.
	instance string
}

// Check compares old with new and returns the findings in the directions of
// opts.Mode plus the Go findings, sorted by aspect, direction, file,
// position, rule and pointer.
func Check(old, new *Version, opts Options) ([]Finding, error) {
	var out []Finding
	for _, name := range old.names {
		if _, ok := new.aspects[name]; !ok {
			if opts.Mode == ModeForward {
				continue
			}
			f, ok, err := removed(old, name, opts.Policy)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, f)
			}
			continue
		}
		if opts.Mode != ModeForward {
			fs, err := search(old, new, new, name, Backward, opts.Policy)
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
		if opts.Mode != ModeBackward {
			fs, err := search(new, old, new, name, Forward, opts.Policy)
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
	}
	out = append(out, goFindings(old, new)...)
	sortFindings(out)
	return out, nil
}

func sortFindings(fs []Finding) {
	rank := map[string]int{Backward: 0, Forward: 1, Go: 2}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Aspect != b.Aspect {
			return a.Aspect < b.Aspect
		}
		if a.Direction != b.Direction {
			return rank[a.Direction] < rank[b.Direction]
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		return a.Message < b.Message
	})
}

// candidates returns the instances the search tries for aspect: valid under
// a (and, under the declared policy, using only what a declares).
func candidates(a, b *Version, aspect string, policy Policy) []any {
	rootA, _ := a.root(aspect)
	var hints []node
	if b != nil {
		if rootB, ok := b.root(aspect); ok {
			hints = []node{rootB}
		}
	}
	s := &searcher{a: a, hv: b, declared: policy == PolicyDeclared, budget: maxValidate}
	if s.hv == nil {
		s.hv = a
	}
	var out []any
	for _, c := range s.values(rootA, hints, 0) {
		if policy == PolicyDeclared {
			if _, bad := undeclared(a, []node{rootA}, c, ""); bad {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// removed is the finding for an aspect the new version no longer has.
func removed(old *Version, aspect string, policy Policy) (Finding, bool, error) {
	d := old.aspects[aspect]
	for _, c := range candidates(old, nil, aspect, policy) {
		w := encode(c)
		ok, _, err := old.valid(aspect, w)
		if err != nil {
			return Finding{}, false, err
		}
		if ok {
			return Finding{
				Aspect: aspect, Direction: Backward, Rule: "aspect-removed", File: d.display, Line: 1, Col: 1,
				Message: fmt.Sprintf("aspect %q is removed: new readers have no schema for its messages", aspect),
				Witness: w,
			}, true, nil
		}
	}
	return Finding{}, false, nil
}

// search looks for instances valid under a and invalid under b; shown is
// the new version, whose files the findings point at.
func search(a, b, shown *Version, aspect, dir string, policy Policy) ([]Finding, error) {
	type group struct {
		f      Finding
		causes int
	}
	groups := map[string]*group{}
	var order []string
	for _, c := range candidates(a, b, aspect, policy) {
		w := encode(c)
		okA, _, err := a.valid(aspect, w)
		if err != nil {
			return nil, err
		}
		if !okA {
			continue // cannot happen: candidates are validated; kept for safety
		}
		okB, causes, err := b.valid(aspect, w)
		if err != nil {
			return nil, err
		}
		if okB || len(causes) == 0 {
			continue
		}
		// The witness proves a break at each place b rejects it; each place
		// keeps the witness with the fewest other failures, then the shortest.
		for _, c := range causes {
			f := place(b, shown, aspect, dir, c)
			f.Witness = w
			// Keyed by the rejecting keyword itself: in the forward
			// direction several old keywords may map to one new place.
			key := f.Rule + "\x00" + c.Keyword
			if g, ok := groups[key]; ok {
				if len(causes) < g.causes || len(causes) == g.causes && len(w) < len(g.f.Witness) {
					g.f, g.causes = f, len(causes)
				}
				continue
			}
			groups[key] = &group{f: f, causes: len(causes)}
			order = append(order, key)
		}
	}
	var out []Finding
	for _, k := range order {
		out = append(out, groups[k].f)
	}
	return out, nil
}

// assertions are the keywords a rule is named after.
var assertions = map[string]bool{
	"type": true, "enum": true, "const": true, "required": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true, "minLength": true,
	"maxLength": true, "pattern": true, "format": true, "minItems": true, "maxItems": true,
	"uniqueItems": true, "contains": true, "minContains": true, "maxContains": true,
	"minProperties": true, "maxProperties": true, "additionalProperties": true,
	"unevaluatedProperties": true, "additionalItems": true, "unevaluatedItems": true, "items": true,
	"prefixItems": true, "oneOf": true, "anyOf": true, "allOf": true, "not": true,
	"dependentRequired": true, "dependencies": true, "dependentSchemas": true, "propertyNames": true,
	"if": true, "then": true, "else": true, "contentEncoding": true, "contentMediaType": true,
}

// place turns the first violation of the rejecting version rej into a
// finding located in the shown (new) version.
func place(rej, shown *Version, aspect, dir string, c schema.Violation) Finding {
	loc, frag, _ := strings.Cut(c.Keyword, "#")
	if p, err := url.PathUnescape(frag); err == nil {
		frag = p
	}
	d, _, ok := rej.docFor(loc)
	rule := "schema"
	if ok {
		rule = ruleAt(d, frag)
	}
	inst := c.Pointer
	if inst == "" {
		inst = "the root"
	}
	which := map[bool]string{true: "new", false: "old"}[dir == Forward]
	other := map[bool]string{true: "old", false: "new"}[dir == Forward]
	f := Finding{
		Aspect: aspect, Direction: dir, Rule: rule, instance: c.Pointer,
		Message: fmt.Sprintf("an instance the %s schema accepts fails the %s one at %s: %s", which, other, inst, c.Message),
	}
	// Point at the new version: the rejecting document itself (backward),
	// or the same file and the deepest part of the pointer it still has.
	var sd *doc
	if ok && rej == shown {
		sd = d
	} else if ok && d == rej.aspects[aspect] {
		sd = shown.aspects[aspect]
	} else if ok {
		// The versions may be read from different roots (a directory and
		// a git tree): the same file is the same path, or one path ends
		// in the other.
		for _, x := range shown.docs {
			a, b := x.file.Path, d.file.Path
			if a == b || strings.HasSuffix(a, "/"+b) || strings.HasSuffix(b, "/"+a) {
				sd = x
				break
			}
		}
	}
	if sd == nil {
		sd = shown.aspects[aspect]
		frag = ""
	}
	for {
		if pos, ok := sd.index.Pos(frag); ok {
			f.File, f.Pointer, f.Line, f.Col = sd.display, frag, pos.Line, pos.Col
			return f
		}
		if frag == "" {
			f.File = sd.display
			return f
		}
		frag = frag[:max(strings.LastIndex(frag, "/"), 0)]
	}
}

// ruleAt names the rule of a keyword location: the last assertion keyword
// of its pointer, or "false" for a false schema.
func ruleAt(d *doc, ptr string) string {
	toks := strings.Split(ptr, "/")
	last := len(toks) - 1
	if b, ok := lookup(d.value, ptr).(bool); ok && !b && (last == 0 || !assertions[unescape(toks[last])]) {
		return "false"
	}
	for i := last; i > 0; i-- {
		if t := unescape(toks[i]); assertions[t] {
			return t
		}
	}
	return "schema"
}

func unescape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

func lookup(v any, ptr string) any {
	if ptr == "" {
		return v
	}
	n := node{d: &doc{}, val: v}
	var toks []string
	for _, t := range strings.Split(ptr[1:], "/") {
		toks = append(toks, strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~"))
	}
	c, ok := n.child(toks...)
	if !ok {
		return nil
	}
	return c.val
}
