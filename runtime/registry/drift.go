package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
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
}

func (e *DriftError) Error() string {
	d := e.Difference
	what := fmt.Sprintf("pattern %q", d.Pattern)
	if d.Aspect != "" {
		what += fmt.Sprintf(" aspect %q", d.Aspect)
	}
	return fmt.Sprintf("parsec: registry drift: %s: %s (compiled version %d, live version %d)", what, d.Kind, d.OldVersion, d.NewVersion)
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
// (layout and key order aside). A top-level "$schema" only one side has is
// ignored: the generator writes the draft it read a schema under into the
// schema it embeds.
func SameSchema(a, b json.RawMessage) bool {
	ca, oka := canonical(a)
	cb, okb := canonical(b)
	if !oka || !okb {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
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
