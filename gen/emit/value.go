package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// typeGen renders the code of one named type: its declaration, methods and
// the package-level patterns they use.
type typeGen struct {
	named    *ir.Named
	patterns []patternDecl
	n        *namer            // the namer of the function being rendered
	refs     map[string]string // schema file path -> SchemaRef
	res      *residual         // set when the named type has residual keywords
}

// locals are the names generated functions use for their own purposes.
var locals = []string{"v", "d", "b", "data", "errs", "err", "out", "it", "seen", "count", "m"}

func (g *typeGen) fn() { g.n = newNamer(locals...) }

var decodeFuncs = map[ir.Kind]string{
	ir.KindString: "DecodeString", ir.KindBool: "DecodeBool", ir.KindInt64: "DecodeInt64",
	ir.KindInt32: "DecodeInt32", ir.KindUint64: "DecodeUint64", ir.KindFloat64: "DecodeFloat64",
	ir.KindFloat32: "DecodeFloat32", ir.KindDateTime: "DecodeDateTime", ir.KindDate: "DecodeDate",
	ir.KindUUID: "DecodeUUID", ir.KindURI: "DecodeURI", ir.KindBytes: "DecodeBytes", ir.KindAny: "DecodeRaw",
}

// returner renders "return <located err>".
func returner(wrap wrapper) func(err jen.Code) jen.Code {
	return func(err jen.Code) jen.Code { return ret(wrap, err) }
}

// ret returns the located error.
func ret(wrap wrapper, err jen.Code) jen.Code { return jen.Return(wrap(err)) }

// checkStmts turns check calls into "if err := check; err != nil { return ... }".
func checkStmts(checks []jen.Code, wrap wrapper) []jen.Code {
	out := make([]jen.Code, 0, len(checks))
	for _, c := range checks {
		out = append(out, jen.If(jen.Err().Op(":=").Add(c), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err())))
	}
	return out
}

// decodeCall renders "x, err := call; if err != nil { return ... }".
func decodeCall(x string, call jen.Code, wrap wrapper) []jen.Code {
	return []jen.Code{
		jen.List(jen.Id(x), jen.Err()).Op(":=").Add(call),
		jen.If(jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err())),
	}
}

// decodeChecked renders "x, err := call", each check of x while err is nil
// (the first failure wins), one located return, and "dst = x".
func decodeChecked(x string, call jen.Code, checks []jen.Code, wrap wrapper, dst expr) []jen.Code {
	out := []jen.Code{jen.List(jen.Id(x), jen.Err()).Op(":=").Add(call)}
	for _, c := range checks {
		out = append(out, jen.If(jen.Err().Op("==").Nil()).Block(jen.Err().Op("=").Add(c)))
	}
	return append(out, jen.If(jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err())), dst().Op("=").Id(x))
}

// decodeValue renders statements that read the next JSON value from d into
// dst, validating it; errors are returned located by wrap.
func (g *typeGen) decodeValue(t ir.Type, dst expr, wrap wrapper) []jen.Code {
	switch t := t.(type) {
	case *ir.Primitive:
		if t.Kind == ir.KindNull {
			return []jen.Code{jen.If(jen.Err().Op(":=").Add(qp("DecodeNull").Call(jen.Id("d"))), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err()))}
		}
		fn, ok := decodeFuncs[t.Kind]
		if !ok {
			panic(broken("no decoder for kind %v", t.Kind))
		}
		x := g.n.name("x")
		checks := g.scalarChecks(t.Kind, t.Constraints, id(x))
		if t.Kind == ir.KindAny && !t.Constraints.IsZero() {
			checks = append(checks, g.rawChecks(t.Constraints, id(x))...)
		}
		return decodeChecked(x, qp(fn).Call(jen.Id("d")), checks, wrap, dst)

	case *ir.Enum:
		return g.decodeEnumValue(t, dst, wrap)

	case *ir.Const:
		return g.decodeConst(t, wrap)

	case *ir.Array:
		if fn, ok := plainScalar(t.Elem); ok {
			// Elements without checks of their own: one shared loop.
			x := g.n.name("x")
			checks := countChecks(t.Constraints, jen.Len(jen.Id(x)), true)
			if t.Constraints.UniqueItems {
				checks = append(checks, g.uniqueCheck(t.Elem, id(x)))
			}
			return decodeChecked(x, qp("DecodeArray").Call(jen.Id("d"), qp(fn)), checks, wrap, dst)
		}
		it := g.n.name("it")
		et := goType(t.Elem)
		last := func() *jen.Statement { return dst().Index(jen.Len(dst()).Op("-").Lit(1)) }
		lastIdx := func() *jen.Statement { return jen.Len(dst()).Op("-").Lit(1) }
		body := g.decodeValue(t.Elem, last, wrap.elem(lastIdx))
		out := decodeCall(it, qp("ArrIter").Call(jen.Id("d")), wrap)
		out = append(out,
			dst().Op("=").Make(jen.Index().Add(et), jen.Lit(0), jen.Lit(4)),
			jen.For(jen.Id(it).Dot("Next").Call()).Block(append([]jen.Code{
				dst().Op("=").Append(dst(), jen.Op("*").New(et.Clone())),
			}, body...)...),
			jen.If(jen.Err().Op(":=").Add(qp("IterErr").Call(jen.Id(it).Dot("Err").Call())), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err())),
		)
		checks := countChecks(t.Constraints, jen.Len(dst()), true)
		if t.Constraints.UniqueItems {
			checks = append(checks, g.uniqueCheck(t.Elem, dst))
		}
		return append(out, checkStmts(checks, wrap)...)

	case *ir.Map:
		it, k, x := g.n.name("it"), g.n.name("k"), g.n.name("x")
		vt := goType(t.Value)
		body := g.decodeValue(t.Value, id(x), wrap.key(id(k)))
		loop := []jen.Code{jen.Id(k).Op(":=").Id("d").Dot("Keep").Call(jen.Id(it).Dot("Key").Call())}
		if t.KeyPattern != nil {
			loop = append(loop, checkStmts([]jen.Code{jen.Id(g.patternVar(t.KeyPattern)).Dot("CheckKey").Call(jen.Id(k))}, wrap.key(id(k)))...)
		}
		loop = append(loop, jen.Var().Id(x).Add(vt))
		loop = append(loop, body...)
		loop = append(loop, dst().Dot("Set").Call(jen.Id(k), jen.Id(x)))
		out := decodeCall(it, qp("ObjIter").Call(jen.Id("d")), wrap)
		out = append(out,
			jen.For(jen.Id(it).Dot("Next").Call()).Block(loop...),
			jen.If(jen.Err().Op(":=").Add(qp("IterErr").Call(jen.Id(it).Dot("Err").Call())), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err())),
		)
		return append(out, checkStmts(countChecks(t.Constraints, dst().Dot("Len").Call(), false), wrap)...)

	case *ir.Nullable:
		if fn, ok := plainScalar(t.Elem); ok {
			return checkStmts([]jen.Code{qp("DecodeNullable").Call(jen.Id("d"), jen.Op("&").Add(dst()), qp(fn))}, wrap)
		}
		body := g.decodeValue(t.Elem, dst.dot("Value"), wrap)
		return []jen.Code{jen.If(jen.Id("d").Dot("IsNull").Call()).Block(
			jen.If(jen.Err().Op(":=").Add(qp("DecodeNull").Call(jen.Id("d"))), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err())),
			dst().Dot("Null").Op("=").True(),
		).Else().Block(body...)}

	case *ir.Ref:
		n := t.Target.Final()
		if n == nil {
			panic(broken("reference to %q has no target", t.Name))
		}
		if _, u, ok := unionOf(t); ok {
			x := g.n.name("x")
			out := decodeCall(x, jen.Id(u.Decode).Call(jen.Id("d")), wrap)
			return append(out, dst().Op("=").Id(x))
		}
		switch n.Type.(type) {
		case *ir.External:
			return g.decodeValue(n.Type, dst, wrap)
		}
		call := dst().Dot("decode").Call(jen.Id("d"))
		if t.Indirect {
			call = jen.Id(indirect(n).Decode).Call(jen.Op("&").Add(dst()), jen.Id("d"))
		}
		return []jen.Code{jen.If(jen.Err().Op(":=").Add(call), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err()))}

	case *ir.External:
		return []jen.Code{jen.If(jen.Err().Op(":=").Add(qp("DecodeJSON").Call(jen.Id("d"), jen.Op("&").Add(dst()))), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err()))}

	case *ir.Raw:
		x := g.n.name("x")
		return decodeChecked(x, qp("DecodeRaw").Call(jen.Id("d")), g.rawChecks(t.Constraints, id(x)), wrap, dst)

	case *ir.Never:
		return checkStmts([]jen.Code{qp("DecodeNever").Call(jen.Id("d"))}, wrap)

	case *ir.Struct, *ir.Tuple, *ir.Union, nil:
		goType(t) // panics: these shapes are declared, never inline
		return nil
	default:
		panic(fmt.Sprintf("unreachable: ir type %T", t))
	}
}

// indirect returns the function variables of n, the target of an indirect
// Ref.
func indirect(n *ir.Named) *ir.IndirectNames {
	if n.Indirect == nil {
		panic(broken("indirect reference to %q, which has no function variables", n.Name))
	}
	return n.Indirect
}

// plainScalar reports the DecodeX function of a scalar type that has no
// constraints, whose decoding is that one call.
func plainScalar(t ir.Type) (string, bool) {
	p, ok := t.(*ir.Primitive)
	if !ok || p.Kind == ir.KindNull || !p.Constraints.IsZero() {
		return "", false
	}
	fn, ok := decodeFuncs[p.Kind]
	return fn, ok
}

// decodeEnumValue decodes an inline enum: a value of the enum's kind that
// must be one of its values (any value of the kind when the enum is open).
func (g *typeGen) decodeEnumValue(t *ir.Enum, dst expr, wrap wrapper) []jen.Code {
	x := g.n.name("x")
	fn, ok := decodeFuncs[t.Kind]
	if !ok || t.Kind == ir.KindNull {
		fn = "DecodeRaw"
	}
	out := decodeCall(x, qp(fn).Call(jen.Id("d")), wrap)
	if !t.Open {
		sw := g.enumSwitch(t, id(x), fn == "DecodeRaw", nil, returner(wrap))
		out = append(out, sw)
	}
	return append(out, dst().Op("=").Id(x))
}

// enumSwitch renders a switch that accepts the enum's values and rejects
// anything else; raw values are compared as compact JSON text. When assign
// is set, each case assigns its constant through it.
func (g *typeGen) enumSwitch(t *ir.Enum, x expr, raw bool, assign func(v ir.EnumValue) jen.Code, onErr func(err jen.Code) jen.Code) jen.Code {
	subject := x()
	if raw {
		subject = qp("CompactJSON").Call(x())
	}
	var cases []jen.Code
	var lits []jen.Code
	for _, v := range t.Values {
		lit := scalarLit(t.Kind, v.JSON)
		if raw {
			lit = jen.Lit(v.JSON)
		}
		if assign != nil {
			cases = append(cases, jen.Case(lit).Block(assign(v)))
		} else {
			lits = append(lits, lit)
		}
	}
	if assign == nil && len(lits) > 0 {
		cases = append(cases, jen.Case(lits...))
	}
	shown := x()
	if raw {
		shown = qp("RawJSON").Call(jen.String().Call(x()))
	}
	cases = append(cases, jen.Default().Block(onErr(qp("EnumError").Call(append([]jen.Code{shown}, jsonLits(t.Values)...)...))))
	return jen.Switch(subject).Block(cases...)
}

// decodeConst reads a value that must equal the constant.
func (g *typeGen) decodeConst(t *ir.Const, wrap wrapper) []jen.Code {
	x := g.n.name("x")
	want := jen.Lit(t.JSON)
	switch {
	case t.Kind == ir.KindString:
		s := jsonString(t.JSON)
		out := decodeCall(x, qp("DecodeStringBytes").Call(jen.Id("d")), wrap)
		return append(out, jen.If(jen.String().Call(jen.Id(x)).Op("!=").Lit(s)).Block(ret(wrap, qp("ConstError").Call(jen.Id(x), want))))
	case t.Kind == ir.KindBool:
		out := decodeCall(x, qp("DecodeBool").Call(jen.Id("d")), wrap)
		return append(out, jen.If(jen.Id(x).Op("!=").Id(t.JSON)).Block(ret(wrap, qp("ConstError").Call(jen.Id(x), want))))
	case isNumKind(t.Kind):
		lit := scalarLit(t.Kind, t.JSON)
		out := decodeCall(x, qp("DecodeFloat64").Call(jen.Id("d")), wrap)
		return append(out, jen.If(jen.Id(x).Op("!=").Add(lit)).Block(ret(wrap, qp("ConstError").Call(jen.Id(x), want))))
	case t.Kind == ir.KindNull:
		return []jen.Code{jen.If(jen.Err().Op(":=").Add(qp("DecodeNull").Call(jen.Id("d"))), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err()))}
	}
	out := decodeCall(x, qp("Capture").Call(jen.Id("d")), wrap)
	return append(out, jen.If(qp("CompactJSON").Call(jen.Id(x)).Op("!=").Add(want)).Block(
		ret(wrap, qp("ConstError").Call(qp("RawJSON").Call(jen.String().Call(jen.Id(x))), want))))
}

func (g *typeGen) uniqueCheck(elem ir.Type, x expr) jen.Code {
	if comparable(elem) {
		return qp("CheckUnique").Call(x())
	}
	return qp("CheckUniqueJSON").Call(x())
}

// rawChecks checks the constraints that apply to an untyped value.
func (g *typeGen) rawChecks(c ir.Constraints, x expr) []jen.Code {
	if c.IsZero() {
		return nil
	}
	var pattern jen.Code = jen.Nil()
	if c.Pattern != nil {
		pattern = jen.Id(g.patternVar(c.Pattern))
	}
	return []jen.Code{qp("CheckRaw").Call(x(), jen.Op("&").Add(qp("RawConstraints")).Values(jen.Dict{
		jen.Id("Minimum"):          jen.Lit(c.Minimum),
		jen.Id("Maximum"):          jen.Lit(c.Maximum),
		jen.Id("ExclusiveMinimum"): jen.Lit(c.ExclusiveMinimum),
		jen.Id("ExclusiveMaximum"): jen.Lit(c.ExclusiveMaximum),
		jen.Id("MultipleOf"):       jen.Lit(c.MultipleOf),
		jen.Id("MinLength"):        jen.Lit(c.MinLength),
		jen.Id("MaxLength"):        jen.Lit(c.MaxLength),
		jen.Id("Pattern"):          pattern,
		jen.Id("MinItems"):         jen.Lit(c.MinItems),
		jen.Id("MaxItems"):         jen.Lit(c.MaxItems),
		jen.Id("UniqueItems"):      jen.Lit(c.UniqueItems),
		jen.Id("MinProperties"):    jen.Lit(c.MinProperties),
		jen.Id("MaxProperties"):    jen.Lit(c.MaxProperties),
	}))}
}
