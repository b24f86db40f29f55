package registry

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/parsec-gen/parsec-gen/internal/schemadoc"
)

// DiffKind says how a compiled-in entry differs from the live registry.
type DiffKind string

// The kinds of difference.
const (
	// PatternGone: the live registry has no entry for the pattern.
	PatternGone DiffKind = "pattern deregistered"
	// VersionChanged: the pattern's version differs.
	VersionChanged DiffKind = "version changed"
	// AspectGone: the live entry no longer has the aspect.
	AspectGone DiffKind = "aspect removed"
	// AspectAdded: the live entry has an aspect the compiled one lacks.
	AspectAdded DiffKind = "aspect added"
	// SchemaChanged: the aspect's payload schema differs.
	SchemaChanged DiffKind = "payload schema changed"
	// RequiredChanged: the aspect's required flag differs.
	RequiredChanged DiffKind = "required changed"
)

// Difference is one way an entry compiled into a program differs from the
// live registry.
type Difference struct {
	Kind    DiffKind
	Pattern string
	// Aspect is the aspect concerned; "" for the pattern itself.
	Aspect string
	// OldVersion is the compiled-in version, NewVersion the live one (0 when
	// the pattern is gone).
	OldVersion, NewVersion int64
}

// DriftError reports a Difference through a client's error hooks.
type DriftError struct {
	Difference
	// Verdict is the judgement of the difference for the program's
	// direction; nil when nothing judged it (no judge was configured, or
	// the difference is not one of two payload schemas).
	Verdict *Verdict
}

func (e *DriftError) Error() string {
	d := e.Difference
	what := fmt.Sprintf("pattern %q", d.Pattern)
	if d.Aspect != "" {
		what += fmt.Sprintf(" aspect %q", d.Aspect)
	}
	msg := fmt.Sprintf("parsec: registry drift: %s: %s (compiled version %d, live version %d)", what, d.Kind, d.OldVersion, d.NewVersion)
	v := e.Verdict
	switch {
	case v == nil:
	case !v.Breaking():
		msg += fmt.Sprintf(": compatible for a client that %s", v.Direction)
	default:
		b := v.Breaks[0]
		msg += fmt.Sprintf(": breaking for a client that %s: %s (witness %s)", b.Direction, b.Message, b.Witness)
		if n := len(v.Breaks) - 1; n > 0 {
			msg += fmt.Sprintf(" and %d more", n)
		}
	}
	return msg
}

// Diff compares the entries a program was compiled with against the live
// ones: patterns the program does not know are not its concern. The result
// follows the order of compiled, then of each entry's aspects.
func Diff(compiled, live []Entry) []Difference {
	byPattern := make(map[string]Entry, len(live))
	for _, e := range live {
		byPattern[e.Pattern] = e
	}
	var out []Difference
	for _, c := range compiled {
		l, ok := byPattern[c.Pattern]
		if !ok {
			out = append(out, Difference{Kind: PatternGone, Pattern: c.Pattern, OldVersion: c.Version})
			continue
		}
		out = append(out, DiffEntry(c, l)...)
	}
	return out
}

// DiffEntry compares one pattern's compiled-in entry with its live one.
func DiffEntry(compiled, live Entry) []Difference {
	d := func(k DiffKind, aspect string) Difference {
		return Difference{Kind: k, Pattern: compiled.Pattern, Aspect: aspect, OldVersion: compiled.Version, NewVersion: live.Version}
	}
	var out []Difference
	if compiled.Version != live.Version {
		out = append(out, d(VersionChanged, ""))
	}
	for _, a := range compiled.Aspects {
		la, ok := live.Aspects.Lookup(a.Name)
		switch {
		case !ok:
			out = append(out, d(AspectGone, a.Name))
			continue
		case !SameSchema(a.PayloadSchema, la.PayloadSchema):
			out = append(out, d(SchemaChanged, a.Name))
		}
		if a.Required != la.Required {
			out = append(out, d(RequiredChanged, a.Name))
		}
	}
	for _, la := range live.Aspects {
		if _, ok := compiled.Aspects.Lookup(la.Name); !ok {
			out = append(out, d(AspectAdded, la.Name))
		}
	}
	return out
}

// SameSchema reports whether two payload schemas are the same JSON value
// (layout and key order aside) once the members of schema objects that only
// annotate are removed from both (title, description, examples, default,
// ...: the compact form of internal/schemadoc, which the generator embeds
// by default), so the two validate alike. A top-level "$schema" only one
// side has is ignored: the generator writes the draft it read a schema
// under into the schema it embeds.
func SameSchema(a, b json.RawMessage) bool {
	ca, oka := canonical(a)
	cb, okb := canonical(b)
	if !oka || !okb {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	// The pointers of both documents' references are kept in both, so a
	// schema compacted with its package's references compares equal to
	// the text it came from.
	var p schemadoc.Protect
	p.AddRefs(ca)
	p.AddRefs(cb)
	ca, cb = validating(a, ca, &p), validating(b, cb, &p)
	ma, isMapA := ca.(map[string]any)
	mb, isMapB := cb.(map[string]any)
	if isMapA && isMapB {
		_, hasA := ma["$schema"]
		_, hasB := mb["$schema"]
		if hasA != hasB {
			delete(ma, "$schema")
			delete(mb, "$schema")
		}
	}
	ja, err1 := json.Marshal(ca)
	jb, err2 := json.Marshal(cb)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// validating returns the decoded compact form of the schema s, whose
// decoded value is v; v itself when there is none.
func validating(s json.RawMessage, v any, p *schemadoc.Protect) any {
	if v == nil {
		return nil
	}
	c, err := schemadoc.Compact(bytes.TrimSpace(s), p)
	if err != nil {
		return v
	}
	if cv, ok := canonical(c); ok {
		return cv
	}
	return v
}

// canonical decodes a schema; no schema (empty or null) is nil.
func canonical(s json.RawMessage) (any, bool) {
	s = bytes.TrimSpace(s)
	if len(s) == 0 {
		return nil, true
	}
	dec := json.NewDecoder(bytes.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// Direction says how a program uses the aspects it was compiled with: it
// publishes them, reads them, or both.
type Direction int

// The directions.
const (
	// Publishes: the program sends messages valid under its compiled
	// schema to readers that use the live one.
	Publishes Direction = 1 << iota
	// Reads: the program reads, with its compiled schema, messages that
	// producers send under the live one.
	Reads
	// PublishesAndReads is both.
	PublishesAndReads = Publishes | Reads
)

func (d Direction) String() string {
	switch d {
	case Publishes:
		return "publishes"
	case Reads:
		return "reads"
	case PublishesAndReads:
		return "publishes and reads"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Verdict is a judgement of whether a Difference breaks a program in its
// Direction.
type Verdict struct {
	// Direction is the program's direction the difference was judged for.
	Direction Direction
	// Breaks are the ways the difference breaks the program; none when it
	// is compatible for Direction.
	Breaks []Break
}

// Breaking reports whether the difference breaks the program.
func (v *Verdict) Breaking() bool { return v != nil && len(v.Breaks) > 0 }

// Break is one way a difference breaks a program.
type Break struct {
	// Direction is Publishes (what the program sends, readers on the live
	// schema reject) or Reads (what producers on the live schema send, the
	// program rejects).
	Direction Direction
	// Message says what breaks, in English.
	Message string
	// Witness is an instance one schema accepts and the other rejects
	// (compact JSON), verified with the runtime's validator.
	Witness json.RawMessage
}
