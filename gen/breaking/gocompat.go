package breaking

import (
	"fmt"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// goFindings compares the Go API the generator derives from both versions:
// what code using the old generated package refers to and the new one no
// longer declares, or declares with another type.
func goFindings(old, new *Version) []Finding {
	type declared struct {
		n      *ir.Named
		aspect string
	}
	index := func(v *Version) (byName, byID map[string]declared) {
		byName, byID = map[string]declared{}, map[string]declared{}
		for _, f := range v.pkg.Files {
			for _, n := range f.Types {
				byName[n.Name] = declared{n, f.Aspect}
				byID[n.ID] = declared{n, f.Aspect}
			}
		}
		return byName, byID
	}
	oldByName, _ := index(old)
	newByName, newByID := index(new)
	var out []Finding
	add := func(aspect, rule string, loc ir.Loc, format string, args ...any) {
		out = append(out, Finding{
			Aspect: aspect, Direction: Go, Rule: rule, Pointer: loc.Pointer, File: loc.File,
			Line: loc.Line, Col: loc.Col, Message: fmt.Sprintf(format, args...), Witness: []byte("null"),
		})
	}
	for _, f := range old.pkg.Files {
		for _, on := range f.Types {
			aspect := f.Aspect
			nd, ok := newByName[on.Name]
			if !ok {
				if moved, ok := newByID[on.ID]; ok {
					if _, clash := oldByName[moved.n.Name]; !clash {
						add(aspect, "type-renamed", moved.n.Loc, "Go type %s is renamed to %s", on.Name, moved.n.Name)
						continue
					}
				}
				add(aspect, "type-removed", on.Loc, "Go type %s is removed", on.Name)
				continue
			}
			nn := nd.n
			if ok, ck := shape(on.Type), shape(nn.Type); ok != ck {
				add(aspect, "type-changed", nn.Loc, "Go type %s changes from %s to %s", on.Name, ok, ck)
				continue
			}
			switch ot := on.Type.(type) {
			case *ir.Struct:
				nt := nn.Type.(*ir.Struct)
				fields := map[string]*ir.Field{}
				for _, fl := range nt.Fields {
					fields[fl.JSONName] = fl
				}
				for _, of := range ot.Fields {
					nf, ok := fields[of.JSONName]
					if !ok {
						add(aspect, "field-removed", nn.Loc, "field %s.%s (JSON %q) is removed", on.Name, of.Name, of.JSONName)
						continue
					}
					if nf.Name != of.Name {
						add(aspect, "field-renamed", nf.Loc, "field %s.%s is renamed to %s", on.Name, of.Name, nf.Name)
						continue
					}
					if a, b := fieldType(of), fieldType(nf); a != b {
						add(aspect, "field-type-changed", nf.Loc, "field %s.%s changes type from %s to %s", on.Name, of.Name, a, b)
					}
				}
			case *ir.Enum:
				nt := nn.Type.(*ir.Enum)
				values := map[string]ir.EnumValue{}
				for _, v := range nt.Values {
					values[v.JSON] = v
				}
				for _, ov := range ot.Values {
					nv, ok := values[ov.JSON]
					switch {
					case !ok:
						add(aspect, "constant-removed", nn.Loc, "constant %s (%s) is removed", ov.Name, ov.JSON)
					case nv.Name != ov.Name:
						add(aspect, "constant-renamed", nn.Loc, "constant %s (%s) is renamed to %s", ov.Name, ov.JSON, nv.Name)
					}
				}
				if a, b := typeString(ot), typeString(nt); a != b {
					add(aspect, "type-changed", nn.Loc, "Go type %s changes from %s to %s", on.Name, a, b)
				}
			case *ir.Union:
				nt := nn.Type.(*ir.Union)
				variants := map[string]bool{}
				for _, v := range nt.Variants {
					variants[v.Name] = true
				}
				for _, ov := range ot.Variants {
					if !variants[ov.Name] {
						add(aspect, "variant-removed", nn.Loc, "variant %s of %s is removed", ov.Name, on.Name)
					}
				}
			default:
				if a, b := typeString(on.Type), typeString(nn.Type); a != b {
					add(aspect, "type-changed", nn.Loc, "Go type %s changes from %s to %s", on.Name, a, b)
				}
			}
		}
	}
	return out
}

// shape is the kind of Go declaration a type becomes.
func shape(t ir.Type) string {
	switch t.(type) {
	case *ir.Struct:
		return "a struct"
	case *ir.Enum:
		return "an enum"
	case *ir.Union:
		return "a union"
	case *ir.Tuple:
		return "a tuple"
	default:
		return "a defined type"
	}
}

func fieldType(f *ir.Field) string {
	t := typeString(f.Type)
	if f.Indirect {
		t = "*" + t
	}
	switch f.Repr {
	case ir.ReprOpt:
		return "parsec.Opt[" + t + "]"
	case ir.ReprNullable:
		return "parsec.Nullable[" + t + "]"
	case ir.ReprOptNullable:
		return "parsec.OptNullable[" + t + "]"
	}
	return t
}

// goFormats are the formats that change a primitive's Go type.
var goFormats = map[string]string{
	"date-time": "parsec.DateTime", "date": "parsec.Date", "uuid": "parsec.UUID", "uri": "parsec.URI", "byte": "parsec.Bytes",
}

// typeString spells a type the way code using it sees it.
func typeString(t ir.Type) string {
	switch t := t.(type) {
	case *ir.Ref:
		return t.Name
	case *ir.Primitive:
		if g, ok := goFormats[t.Format]; ok && t.Kind == ir.KindString {
			return g
		}
		return t.Kind.String()
	case *ir.Array:
		return "[]" + typeString(t.Elem)
	case *ir.Map:
		return "parsec.Map[" + typeString(t.Value) + "]"
	case *ir.Nullable:
		return "parsec.Nullable[" + typeString(t.Elem) + "]"
	case *ir.External:
		if t.Path == "" {
			return t.Name
		}
		return t.Path + "." + t.Name
	case *ir.Raw:
		return "json.RawMessage"
	case *ir.Enum:
		return "enum of " + t.Kind.String()
	case *ir.Const:
		return "struct{}"
	case *ir.Struct:
		return "struct"
	case *ir.Union:
		return "union"
	case *ir.Tuple:
		var parts []string
		for _, it := range t.Items {
			parts = append(parts, fieldType(it))
		}
		return "tuple(" + strings.Join(parts, ", ") + ")"
	case *ir.Never:
		return "never"
	}
	panic(fmt.Sprintf("unreachable: ir type %T", t))
}
