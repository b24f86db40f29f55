package build

import (
	"fmt"
	"go/token"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
)

// checkInvariants verifies what the emitter relies on, so that emit can treat
// a broken model as impossible: every referenced type is declared in exactly
// one file, package-level names are unique exported identifiers, field names
// are unique per struct, every declaration has a doc comment without line
// breaks, required tuple items come first, a union has variants (each
// declared in the form build decided) and the names its helpers take, a
// struct's holder of undeclared properties matches its field, no schema's
// file takes a name reserved for the package. Build runs it on every model
// it returns; a failure is a bug of the build stage, reported as an internal
// error at the place of the type concerned.
func checkInvariants(p *ir.Package) *load.Error {
	var at ir.Loc
	err := invariants(p, &at)
	if err == nil {
		return nil
	}
	return locErr(at, "internal error: the model breaks an invariant the emitter relies on: "+err.Error())
}

// invariants is checkInvariants; at is set to the place of the type being
// checked when it fails.
func invariants(p *ir.Package, at *ir.Loc) error {
	declared := map[*ir.Named]bool{}
	names := map[string]string{}
	claim := func(name, what string) error {
		if !token.IsIdentifier(name) || !token.IsExported(name) {
			return fmt.Errorf("%s: %q is not an exported identifier", what, name)
		}
		if prev, ok := names[name]; ok {
			return fmt.Errorf("%s: name %q also used by %s", what, name, prev)
		}
		names[name] = what
		return nil
	}
	for _, f := range p.Files {
		*at = ir.Loc{File: f.Display}
		if _, ok := reservedFiles[f.Name]; ok || !strings.HasSuffix(f.Name, ir.FileSuffix) {
			return fmt.Errorf("output file %q of %s is reserved or lacks %q", f.Name, f.Path, ir.FileSuffix)
		}
		if f.Root != nil && f.Client != aspectNames(f.Root.Name) {
			return fmt.Errorf("typed client names of %s are not the ones build gives", f.Path)
		}
		for _, n := range f.Types {
			*at = n.Loc
			if len(n.Doc) == 0 {
				return fmt.Errorf("type %s has no doc comment", n.ID)
			}
			if declared[n] {
				return fmt.Errorf("%s declared twice", n.ID)
			}
			declared[n] = true
			if err := claim(n.Name, "type "+n.ID); err != nil {
				return err
			}
			if err := checkDoc(n.Doc, n.ID); err != nil {
				return err
			}
			if _, union := n.Type.(*ir.Union); n.Trivial && (union || len(n.Residual) > 0) {
				return fmt.Errorf("%s is marked trivially valid but has checks of its own", n.ID)
			}
		}
	}
	var walk func(t ir.Type, where string) error
	walk = func(t ir.Type, where string) error {
		switch t := t.(type) {
		case *ir.Ref:
			if !declared[t.Target] {
				return fmt.Errorf("%s: reference to undeclared %s", where, t.Target.ID)
			}
			if t.Name != t.Target.Name {
				return fmt.Errorf("%s: reference name %q, target name %q", where, t.Name, t.Target.Name)
			}
		case *ir.Struct:
			fields := map[string]bool{}
			for _, f := range t.Fields {
				if fields[f.Name] || !token.IsExported(f.Name) || !token.IsIdentifier(f.Name) {
					return fmt.Errorf("%s: bad or duplicate field %q", where, f.Name)
				}
				fields[f.Name] = true
				if len(f.Doc) == 0 {
					return fmt.Errorf("%s: field %s has no doc comment", where, f.Name)
				}
				if err := checkDoc(f.Doc, where+"."+f.Name); err != nil {
					return err
				}
				if err := walk(f.Type, where+"."+f.Name); err != nil {
					return err
				}
			}
			if t.AdditionalField != "" && fields[t.AdditionalField] {
				return fmt.Errorf("%s: additional field %q collides", where, t.AdditionalField)
			}
			if t.Unknown == ir.UnknownTyped && t.Additional == nil {
				return fmt.Errorf("%s: typed unknown properties without a type", where)
			}
			if h, held := holderOf(t); t.Holder != h || t.Held != held {
				return fmt.Errorf("%s: undeclared properties held %v, want %v", where, t.Holder, h)
			}
			for _, pp := range t.Patterns {
				if err := walk(pp.Type, where); err != nil {
					return err
				}
			}
			if t.Additional != nil {
				return walk(t.Additional, where)
			}
		case *ir.Tuple:
			for i, f := range t.Items {
				if f.Required && i > 0 && !t.Items[i-1].Required {
					return fmt.Errorf("%s: required item %d follows an optional one", where, i)
				}
				if len(f.Doc) == 0 {
					return fmt.Errorf("%s: item %d has no doc comment", where, i)
				}
				if err := walk(f.Type, where); err != nil {
					return err
				}
			}
			if t.Rest != nil {
				return walk(t.Rest, where)
			}
		case *ir.Array:
			return walk(t.Elem, where)
		case *ir.Map:
			return walk(t.Value, where)
		case *ir.Nullable:
			if _, ok := t.Elem.(*ir.Nullable); ok {
				return fmt.Errorf("%s: nullable of nullable", where)
			}
			return walk(t.Elem, where)
		case *ir.Union:
			if len(t.Variants) == 0 {
				return fmt.Errorf("%s: union without variants", where)
			}
			for _, v := range t.Variants {
				if err := walk(v.Type, where); err != nil {
					return err
				}
				if form, target := variantForm(v.Type); v.Form != form || v.Target != target {
					return fmt.Errorf("%s: variant %s declared as %v, want %v", where, v.Name, v.Form, form)
				}
				if v.Form != ir.VariantSelf && len(v.Doc) == 0 {
					return fmt.Errorf("%s: variant %s has no doc comment", where, v.Name)
				}
				if t.Strategy == ir.ByKind && v.Kinds == 0 {
					return fmt.Errorf("%s: variant %s accepts no JSON kind", where, v.Name)
				}
				if r, ok := v.Type.(*ir.Ref); ok {
					if _, nested := r.Target.Type.(*ir.Union); nested && r.Target.ID != where {
						return fmt.Errorf("%s: variant %s is the union %s (not flattened)", where, v.Name, r.Target.Name)
					}
				}
				if t.Strategy == ir.ByDiscriminator && v.Tag == "" || t.Strategy == ir.ByRequired && v.Marker == "" {
					return fmt.Errorf("%s: variant %s lacks its %s", where, v.Name, t.Strategy)
				}
			}
		case *ir.Enum:
			if len(t.Values) == 0 {
				return fmt.Errorf("%s: enum without values", where)
			}
			for _, v := range t.Values {
				if len(v.Doc) == 0 && v.Name != "" {
					return fmt.Errorf("%s: constant %s has no doc comment", where, v.Name)
				}
			}
		case *ir.Const, *ir.Primitive, *ir.Raw, *ir.Never, *ir.External:
		default:
			panic(fmt.Sprintf("unreachable: IR type %T", t))
		}
		return nil
	}
	var inline func(t ir.Type, top bool, where string) error
	inline = func(t ir.Type, top bool, where string) error {
		switch t := t.(type) {
		case *ir.Struct:
			if !top {
				return fmt.Errorf("%s: inline struct", where)
			}
			for _, f := range t.Fields {
				if err := inline(f.Type, false, where); err != nil {
					return err
				}
			}
		case *ir.Tuple:
			if !top {
				return fmt.Errorf("%s: inline tuple", where)
			}
		case *ir.Union:
			if !top {
				return fmt.Errorf("%s: inline union", where)
			}
			for _, v := range t.Variants {
				if err := inline(v.Type, false, where); err != nil {
					return err
				}
			}
		case *ir.Array:
			return inline(t.Elem, false, where)
		case *ir.Map:
			return inline(t.Value, false, where)
		case *ir.Nullable:
			return inline(t.Elem, false, where)
		}
		return nil
	}
	for _, f := range p.Files {
		for _, n := range f.Types {
			*at = n.Loc
			if err := inline(n.Type, true, n.ID); err != nil {
				return err
			}
			if err := walk(n.Type, n.ID); err != nil {
				return err
			}
			switch t := n.Type.(type) {
			case *ir.Union:
				h := unionHelpers(n.Name)
				if t.Marker != h.marker || t.Decode != h.decode || t.DecodeBody != h.decode+"Body" || t.Encode != h.encode ||
					t.Validate != h.validate || t.Funcs != h.funcs || t.Match != h.match {
					return fmt.Errorf("union %s: helper names are not the ones build gives", n.ID)
				}
				if err := claim(t.Match, "match helper of "+n.ID); err != nil {
					return err
				}
				for _, v := range t.Variants {
					if implementer(v.Type) != nil {
						continue
					}
					if err := claim(v.Name, "variant of "+n.ID); err != nil {
						return err
					}
				}
			case *ir.Enum:
				for _, v := range t.Values {
					if err := claim(v.Name, "constant of "+n.ID); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func checkDoc(lines []string, where string) error {
	for _, l := range lines {
		for _, r := range l {
			if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085' {
				return fmt.Errorf("%s: doc line %q has a line break", where, l)
			}
		}
	}
	return nil
}
