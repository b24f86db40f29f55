package emit

import (
	"fmt"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// unionOf reports whether the type a Ref names is a union.
func unionOf(r *ir.Ref) (*ir.Named, *ir.Union, bool) {
	n := r.Target.Final()
	if n == nil {
		return nil, nil, false
	}
	u, ok := n.Type.(*ir.Union)
	return n, u, ok
}

// qp is the one way emit names the runtime: a name a program uses (a
// presence, map, format, union or error type and its constructors) comes from
// package parsec, a helper only generated code calls from parsecimpl. A name
// in neither set is a generator bug and panics, so that it fails in tests
// instead of compiling against the wrong package.
func qp(name string) *jen.Statement {
	switch {
	case parsecNames[name]:
		return jen.Qual(parsecPath, name)
	case parsecimplNames[name]:
		return jen.Qual(parsecimplPath, name)
	}
	panic("unreachable: runtime name " + strconv.Quote(name) + " is in neither parsec nor parsecimpl")
}

// parsecNames are the exported names of package parsec.
var parsecNames = setOf(
	"Bytes", "Date", "DateTime", "EscapePointer", "Map", "MaxErrors", "MustParseUUID",
	"NewBytes", "NewDate", "NewDateTime", "NewNullable", "NewOpt", "NewOptNullable", "NewUnion",
	"Null", "Nullable", "Opt", "OptNull", "OptNullable", "ParseBytes", "ParseDate", "ParseDateTime",
	"ParseURI", "ParseUUID", "RawProperties", "URI", "UUID", "Union", "UnionCodec",
	"ValidationError", "ValidationErrors",
)

// parsecimplNames are the exported names of package parsecimpl.
var parsecimplNames = setOf(
	"AppendBool", "AppendDate", "AppendDateTime", "AppendFloat", "AppendInt", "AppendJSON", "AppendKey", "AppendNull", "AppendRaw",
	"AppendRawProperties", "AppendString", "AppendUUID", "AppendUint", "ArrIter", "Capture", "CheckExclusiveMaximum",
	"CheckExclusiveMinimum", "CheckMaxItems", "CheckMaxLength", "CheckMaxProperties", "CheckMaximum",
	"CheckMinItems", "CheckMinLength", "CheckMinProperties", "CheckMinimum", "CheckMultipleOf",
	"CheckMultipleOfInt", "CheckRaw", "CheckUnique", "CheckUniqueJSON", "CloseArray", "CloseObject", "Codec",
	"CompactJSON", "ConstError", "DecodeArray", "DecodeBool", "DecodeBytes", "DecodeDate", "DecodeDateTime",
	"DecodeFloat32", "DecodeFloat64", "DecodeInt32", "DecodeInt64", "DecodeJSON", "DecodeNever",
	"DecodeNonObject", "DecodeNull", "DecodeNullable", "DecodeOpt", "DecodeOptNullable", "DecodeRaw", "DecodeRawProperty", "DecodeString",
	"DecodeStringBytes", "DecodeURI", "DecodeUUID", "DecodeUint64", "Decoder", "DependencyError",
	"EnumError", "Errorf", "Expect", "Fail", "IterErr", "KindError", "Marshal", "Member", "Missing", "NeverError",
	"NewDecoder", "NewPattern", "NoVariant", "Number", "ObjIter", "Pattern", "RawConstraints", "RawJSON",
	"Recover", "RuneCount", "SchemaError", "SupportPackageIsVersion2", "SyntaxError",
	"UnionFuncs", "UnknownProperty", "Unmarshal", "VariantError", "Wrap", "WrapIndex",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// kindType is the Go type of a scalar kind.
func kindType(k ir.Kind) *jen.Statement {
	switch k {
	case ir.KindAny:
		return jen.Qual(jsonPath, "RawMessage")
	case ir.KindString:
		return jen.String()
	case ir.KindBool:
		return jen.Bool()
	case ir.KindInt64:
		return jen.Int64()
	case ir.KindInt32:
		return jen.Int32()
	case ir.KindUint64:
		return jen.Uint64()
	case ir.KindFloat64:
		return jen.Float64()
	case ir.KindFloat32:
		return jen.Float32()
	case ir.KindDateTime:
		return qp("DateTime")
	case ir.KindDate:
		return qp("Date")
	case ir.KindUUID:
		return qp("UUID")
	case ir.KindURI:
		return qp("URI")
	case ir.KindBytes:
		return qp("Bytes")
	case ir.KindNull:
		return jen.Struct()
	}
	panic(broken("unknown kind %v", k))
}

// goType is the Go type expression of an IR type used by value.
func goType(t ir.Type) *jen.Statement {
	switch t := t.(type) {
	case *ir.Primitive:
		return kindType(t.Kind)
	case *ir.Enum:
		if t.Kind == ir.KindAny {
			return jen.Qual(jsonPath, "RawMessage")
		}
		return kindType(t.Kind)
	case *ir.Const:
		return jen.Struct()
	case *ir.Array:
		e := goType(t.Elem)
		return jen.Index().Add(e)
	case *ir.Map:
		v := goType(t.Value)
		return qp("Map").Types(v)
	case *ir.Nullable:
		e := goType(t.Elem)
		return qp("Nullable").Types(e)
	case *ir.Ref:
		if t.Target == nil {
			panic(broken("reference to %q has no target", t.Name))
		}
		return jen.Id(t.Target.Name)
	case *ir.External:
		if t.Name == "" {
			panic(broken("x-go-type with an empty name"))
		}
		if t.Path == "" {
			return jen.Id(t.Name)
		}
		return jen.Qual(t.Path, t.Name)
	case *ir.Raw:
		return jen.Qual(jsonPath, "RawMessage")
	case *ir.Never:
		return jen.Struct()
	case *ir.Struct:
		panic(broken("an object type must be named"))
	case *ir.Tuple:
		panic(broken("a tuple type must be named"))
	case *ir.Union:
		panic(broken("a union type must be named"))
	case nil:
		panic(broken("missing type"))
	default:
		panic(fmt.Sprintf("unreachable: ir type %T", t))
	}
}

// fieldType is the Go type of a struct field: the value type, behind a
// pointer when Indirect, inside the wrapper its Repr names.
func fieldType(f *ir.Field) *jen.Statement {
	t := goType(f.Type)
	if f.Indirect {
		t = jen.Op("*").Add(t)
	}
	switch f.Repr {
	case ir.ReprPlain:
		return t
	case ir.ReprOpt:
		return qp("Opt").Types(t)
	case ir.ReprNullable:
		return qp("Nullable").Types(t)
	case ir.ReprOptNullable:
		return qp("OptNullable").Types(t)
	}
	panic(broken("field %q: unknown representation %v", f.JSONName, f.Repr))
}

// tag is the struct tag of a field: the JSON name, and omitzero when the
// field may be absent.
func tag(f *ir.Field) map[string]string {
	v := f.JSONName
	if f.Repr == ir.ReprOpt || f.Repr == ir.ReprOptNullable {
		v += ",omitzero"
	}
	return map[string]string{"json": v}
}

// namer hands out local variable names unique within one generated function,
// so that no generated local shadows another (property names never become
// locals).
type namer struct{ used map[string]int }

func newNamer(taken ...string) *namer {
	n := &namer{used: map[string]int{}}
	for _, t := range taken {
		n.used[t] = 1
	}
	return n
}

func (n *namer) name(base string) string {
	for i := 0; ; i++ {
		cand := base
		if i > 0 {
			cand = base + strconv.Itoa(i)
		}
		if n.used[cand] == 0 {
			n.used[cand] = 1
			return cand
		}
	}
}

// expr builds a fresh copy of an expression each time it is called (jennifer
// statements are appended to in place, so one value cannot be used twice).
type expr func() *jen.Statement

func id(name string) expr { return func() *jen.Statement { return jen.Id(name) } }

func (e expr) dot(field string) expr {
	return func() *jen.Statement { return e().Dot(field) }
}

func (e expr) deref() expr {
	return func() *jen.Statement { return jen.Parens(jen.Op("*").Add(e())) }
}

func (e expr) index(i expr) expr {
	return func() *jen.Statement { return e().Index(i()) }
}

// wrapper locates an error expression: it adds the JSON pointer segments
// between the value being checked and the function's own value.
type wrapper func(err jen.Code) jen.Code

// noWrap leaves an error where it is: at the value of the function itself.
var noWrap wrapper = func(err jen.Code) jen.Code { return err }

func (w wrapper) field(name string) wrapper {
	return func(err jen.Code) jen.Code { return w(qp("Wrap").Call(err, jen.Lit(name))) }
}

func (w wrapper) key(k expr) wrapper {
	return func(err jen.Code) jen.Code { return w(qp("Wrap").Call(err, k())) }
}

func (w wrapper) elem(i expr) wrapper {
	return func(err jen.Code) jen.Code { return w(qp("WrapIndex").Call(err, i())) }
}
