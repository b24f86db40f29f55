package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// b is the buffer generated encoders append to.
func b() *jen.Statement { return jen.Id("b") }

// app renders "b = <call>".
func app(call jen.Code) jen.Code { return b().Op("=").Add(call) }

// appLit renders "b = append(b, <literal>...)" for fixed JSON text.
func appLit(text string) jen.Code { return app(jen.Append(b(), jen.Lit(text).Op("..."))) }

// encodeScalar appends a value of kind k.
func encodeScalar(k ir.Kind, x expr) []jen.Code {
	switch k {
	case ir.KindString:
		return []jen.Code{app(qp("AppendString").Call(b(), x()))}
	case ir.KindBool:
		return []jen.Code{app(qp("AppendBool").Call(b(), x()))}
	case ir.KindInt64, ir.KindInt32:
		return []jen.Code{app(qp("AppendInt").Call(b(), x()))}
	case ir.KindUint64:
		return []jen.Code{app(qp("AppendUint").Call(b(), x()))}
	case ir.KindFloat64:
		return []jen.Code{app(qp("AppendFloat").Call(b(), jen.Float64().Call(x()), jen.Lit(64)))}
	case ir.KindFloat32:
		return []jen.Code{app(qp("AppendFloat").Call(b(), jen.Float64().Call(x()), jen.Lit(32)))}
	case ir.KindDateTime:
		return []jen.Code{app(qp("AppendDateTime").Call(b(), x()))}
	case ir.KindDate:
		return []jen.Code{app(qp("AppendDate").Call(b(), x()))}
	case ir.KindUUID:
		return []jen.Code{app(qp("AppendUUID").Call(b(), x()))}
	case ir.KindURI, ir.KindBytes:
		// Their text may hold characters a JSON string escapes.
		return []jen.Code{app(qp("AppendString").Call(b(), x().Dot("String").Call()))}
	case ir.KindAny:
		return []jen.Code{app(qp("AppendRaw").Call(b(), x()))}
	case ir.KindNull:
		return []jen.Code{appLit("null")}
	}
	panic(broken("no encoder for kind %v", k))
}

// encodeValue renders statements that append x as JSON to b.
func (g *typeGen) encodeValue(t ir.Type, x expr) []jen.Code {
	switch t := t.(type) {
	case *ir.Primitive:
		return encodeScalar(t.Kind, x)
	case *ir.Enum:
		if t.Kind == ir.KindNull {
			return encodeScalar(ir.KindAny, x)
		}
		return encodeScalar(t.Kind, x)
	case *ir.Const:
		return []jen.Code{appLit(t.JSON)}
	case *ir.Array:
		m, i := g.n.name("m"), g.n.name("i")
		body := g.encodeValue(t.Elem, x.index(id(i)))
		loop := jen.For(jen.Id(i).Op(":=").Range().Add(x()))
		if !usesValue(t.Elem) {
			loop = jen.For(jen.Range().Add(x())) // every element encodes the same
		}
		return []jen.Code{
			jen.Id(m).Op(":=").Len(b()),
			loop.Block(append([]jen.Code{app(jen.Append(b(), jen.LitRune(',')))}, body...)...),
			app(qp("CloseArray").Call(b(), jen.Id(m))),
		}
	case *ir.Map:
		m, k, val := g.n.name("m"), g.n.name("k"), g.n.name("x")
		body := g.encodeValue(t.Value, id(val))
		i := g.n.name("i")
		return []jen.Code{
			jen.Id(m).Op(":=").Len(b()),
			jen.For(jen.Id(i).Op(":=").Range().Add(x().Dot("Len").Call())).Block(
				append([]jen.Code{
					jen.List(jen.Id(k), valueVar(t.Value, val)).Op(":=").Add(x().Dot("At").Call(jen.Id(i))),
					app(qp("AppendKey").Call(b(), jen.Id(k))),
				}, body...)...),
			app(qp("CloseObject").Call(b(), jen.Id(m))),
		}
	case *ir.Nullable:
		body := g.encodeValue(t.Elem, x.dot("Value"))
		return []jen.Code{jen.If(x().Dot("Null")).Block(appLit("null")).Else().Block(body...)}
	case *ir.Ref:
		n := t.Target.Final()
		if n == nil {
			panic(broken("reference to %q has no target", t.Name))
		}
		if _, u, ok := unionOf(t); ok {
			return []jen.Code{app(jen.Id(u.Encode).Call(b(), x()))}
		}
		switch n.Type.(type) {
		case *ir.External:
			return g.encodeValue(n.Type, x)
		}
		if t.Indirect {
			return []jen.Code{app(jen.Id(indirect(n).Encode).Call(jen.Op("&").Add(x()), b()))}
		}
		return []jen.Code{app(x().Dot("encode").Call(b()))}
	case *ir.External:
		return []jen.Code{app(qp("AppendJSON").Call(b(), x()))}
	case *ir.Raw:
		return []jen.Code{app(qp("AppendRaw").Call(b(), x()))}
	case *ir.Never:
		return []jen.Code{qp("Fail").Call(qp("NeverError").Call())}
	case *ir.Struct, *ir.Tuple, *ir.Union, nil:
		goType(t) // panics: these shapes are declared, never inline
		return nil
	default:
		panic(fmt.Sprintf("unreachable: ir type %T", t))
	}
}

// validateValue renders statements that add every violation of x to errs.
func (g *typeGen) validateValue(t ir.Type, x expr, wrap wrapper) []jen.Code {
	add := func(check jen.Code) jen.Code { return jen.Id("errs").Dot("Add").Call(wrap(check)) }
	adds := func(checks []jen.Code) []jen.Code {
		out := make([]jen.Code, len(checks))
		for i, c := range checks {
			out[i] = add(c)
		}
		return out
	}
	switch t := t.(type) {
	case *ir.Primitive:
		var out []jen.Code
		switch t.Kind {
		case ir.KindDateTime, ir.KindDate, ir.KindUUID, ir.KindURI:
			out = append(out, add(x().Dot("Validate").Call()))
		case ir.KindAny:
			out = append(out, adds(g.rawChecks(t.Constraints, x))...)
		}
		checks := g.scalarChecks(t.Kind, t.Constraints, x)
		return append(out, adds(checks)...)
	case *ir.Enum:
		if t.Open {
			return nil
		}
		raw := t.Kind == ir.KindAny || t.Kind == ir.KindNull
		sw := g.enumSwitch(t, x, raw, nil, add)
		return []jen.Code{sw}
	case *ir.Const, *ir.External:
		return nil
	case *ir.Array:
		i := g.n.name("i")
		body := g.validateValue(t.Elem, x.index(id(i)), wrap.elem(id(i)))
		var out []jen.Code
		if len(body) > 0 {
			out = append(out, jen.For(jen.Id(i).Op(":=").Range().Add(x())).Block(body...))
		}
		checks := countChecks(t.Constraints, jen.Len(x()), true)
		if t.Constraints.UniqueItems {
			checks = append(checks, g.uniqueCheck(t.Elem, x))
		}
		return append(out, adds(checks)...)
	case *ir.Map:
		k, val := g.n.name("k"), g.n.name("x")
		body := g.validateValue(t.Value, id(val), wrap.key(id(k)))
		var out []jen.Code
		if t.KeyPattern != nil {
			check := jen.Id("errs").Dot("Add").Call(wrap.key(id(k))(jen.Id(g.patternVar(t.KeyPattern)).Dot("CheckKey").Call(jen.Id(k))))
			if len(body) == 0 {
				out = append(out, jen.For(jen.Id(k).Op(":=").Range().Add(x().Dot("Keys").Call())).Block(check))
			}
			body = append([]jen.Code{check}, body...)
		}
		if len(body) > 0 && len(out) == 0 {
			out = append(out, jen.For(jen.List(jen.Id(k), valueVar(t.Value, val)).Op(":=").Range().Add(x().Dot("All").Call())).Block(body...))
		}
		return append(out, adds(countChecks(t.Constraints, x().Dot("Len").Call(), false))...)
	case *ir.Nullable:
		body := g.validateValue(t.Elem, x.dot("Value"), wrap)
		if len(body) == 0 {
			return nil
		}
		return []jen.Code{jen.If(jen.Op("!").Add(x()).Dot("Null")).Block(body...)}
	case *ir.Ref:
		n := t.Target.Final()
		if n == nil {
			panic(broken("reference to %q has no target", t.Name))
		}
		if n.Trivial {
			return nil // its Validate never reports anything
		}
		if _, u, ok := unionOf(t); ok {
			return []jen.Code{add(jen.Id(u.Validate).Call(x()))}
		}
		switch n.Type.(type) {
		case *ir.External:
			return nil
		}
		if t.Indirect {
			return []jen.Code{add(jen.Id(indirect(n).Validate).Call(jen.Op("&").Add(x())))}
		}
		return []jen.Code{add(x().Dot("Validate").Call())}
	case *ir.Raw:
		return adds(g.rawChecks(t.Constraints, x))
	case *ir.Never:
		return []jen.Code{add(qp("NeverError").Call())}
	case *ir.Struct, *ir.Tuple, *ir.Union, nil:
		goType(t) // panics: these shapes are declared, never inline
		return nil
	default:
		panic(fmt.Sprintf("unreachable: ir type %T", t))
	}
}

// valueVar names the variable a loop binds to a map value, or the blank
// identifier when the value's JSON form is fixed and nothing reads it.
func valueVar(t ir.Type, name string) jen.Code {
	if !usesValue(t) {
		return jen.Id("_")
	}
	return jen.Id(name)
}

// jsonMethods renders MarshalJSON and UnmarshalJSON of a named type, the
// entry points encoding/json calls: each forwards to encode or decode
// through the runtime, which owns the buffer, the recovery of encoding
// failures and the check for trailing data, so that a type costs two short
// lines. MarshalJSON has a value receiver, so that values and pointers
// both encode through it.
func (g *typeGen) jsonMethods(name string) []jen.Code {
	line := func(stmt jen.Code) jen.Code {
		// A body on the brace's line stays there when gofmt finds it
		// short enough.
		return jen.Custom(jen.Options{Open: "{", Close: "}"}, stmt)
	}
	return []jen.Code{
		g.decl([]string{"MarshalJSON encodes v as JSON."},
			jen.Func().Params(jen.Id("v").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Add(
				line(jen.Return(qp("Marshal").Call(jen.Id("v").Dot("encode")))))),
		g.decl([]string{"UnmarshalJSON decodes and validates data into v."},
			jen.Func().Params(jen.Id("v").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Add(
				line(jen.Return(qp("Unmarshal").Call(jen.Id("data"), jen.Id("v").Dot("decode")))))),
	}
}

// codecAssertDoc heads the assertions of a file, one per type with codecs.
const codecAssertDoc = "// These assertions turn a drift of the generated types from encoding/json's\n" +
	"// Marshaler and Unmarshaler (both in parsecimpl.Codec) into a build error."

// codecAssert renders "_ parsecimpl.Codec = (*name)(nil)".
func codecAssert(name string) jen.Code {
	return jen.Id("_").Add(qp("Codec")).Op("=").Parens(jen.Op("*").Id(name)).Parens(jen.Nil())
}
