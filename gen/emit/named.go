package emit

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// renderFile renders the named types of one schema file.
func renderFile(p *ir.Package, file *ir.File) ([]byte, error) {
	f := newFile(p.Name, file.Source)
	var errs []string
	var asserts []jen.Code
	built := buildTypes(file.Types, schemaRefs(p))
	for i, n := range file.Types {
		code, hasMethods, patterns, err := built[i].code, built[i].hasMethods, built[i].patterns, built[i].err
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: type %s: %v", n.Loc, n.Name, err))
			continue
		}
		for _, c := range code {
			f.Add(c)
			f.Line()
		}
		if len(patterns) > 0 {
			f.Var().DefsFunc(func(grp *jen.Group) {
				for _, p := range patterns {
					grp.Id(p.name).Op("=").Add(qp("NewPattern").Call(jen.Lit(p.src)))
				}
			})
		}
		if hasMethods {
			asserts = append(asserts, codecAssert(n.Name))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	indirectVars(f, file.Types)
	if len(asserts) > 0 {
		f.Comment(codecAssertDoc)
		f.Var().Defs(asserts...)
	}
	return finish(file.Name, f)
}

// indirectDoc explains the function variables of types called through them.
const indirectDoc = `The methods of these types are called through function variables where their
types refer to each other in a cycle: a static call around a cycle of several
types makes their methods one unit of the compiler's escape analysis, whose
time grows with the square of the cycle's length, and calling through a
variable keeps it linear. The variables are set in init because a method
expression in their declarations would be an initialization cycle.`

// indirectVars declares the function variables of the types that are
// called through them (ir.Named.Indirect) and assigns them in one init.
func indirectVars(f *jen.File, types []*ir.Named) {
	var vars, sets []jen.Code
	for _, n := range types {
		ind := n.Indirect
		if ind == nil {
			continue
		}
		ptr := func() *jen.Statement { return jen.Op("*").Id(n.Name) }
		vars = append(vars,
			jen.Id(ind.Decode).Func().Params(ptr(), jen.Op("*").Add(qp("Decoder"))).Error(),
			jen.Id(ind.Encode).Func().Params(ptr(), jen.Index().Byte()).Index().Byte(),
			jen.Id(ind.Validate).Func().Params(ptr()).Error(),
		)
		sets = append(sets,
			jen.Id(ind.Decode).Op("=").Parens(ptr()).Dot("decode"),
			jen.Id(ind.Encode).Op("=").Parens(ptr()).Dot("encode"),
			jen.Id(ind.Validate).Op("=").Parens(ptr()).Dot("Validate"),
		)
	}
	if len(vars) == 0 {
		return
	}
	for _, l := range strings.Split(indirectDoc, "\n") {
		f.Comment(l)
	}
	f.Var().Defs(vars...)
	f.Line()
	f.Func().Id("init").Params().Block(sets...)
	f.Line()
}

// display is the path of f as error messages show it.
func display(f *ir.File) string {
	if f.Display != "" {
		return f.Display
	}
	return f.Source
}

// schemaRefs maps the display path, the source path and the FS path of every schema file to
// its SchemaRef.
func schemaRefs(p *ir.Package) map[string]string {
	m := map[string]string{}
	for _, f := range p.Files {
		m[f.Path] = schemaRef(f)
		m[f.Source] = schemaRef(f)
		m[display(f)] = schemaRef(f)
	}
	return m
}

// hasResidual reports whether any named type checks keywords through schema
// validation.
func hasResidual(p *ir.Package) bool {
	for _, f := range p.Files {
		for _, n := range f.Types {
			if len(n.Residual) > 0 {
				return true
			}
			if s, ok := n.Type.(*ir.Struct); ok && s.Other != "" {
				return true
			}
		}
	}
	return false
}

// named_ renders a named type: declaration and methods. hasMethods reports
// whether the type got MarshalJSON and UnmarshalJSON.
func (g *typeGen) named_() (code []jen.Code, hasMethods bool) {
	n := g.named
	if len(n.Residual) > 0 {
		ref, ok := g.refs[n.Loc.File]
		if !ok {
			panic(broken("schema file %q of residual keywords is not in the package", n.Loc.File))
		}
		g.res = &residual{named: n.Name, ref: ref, pointer: n.Loc.Pointer}
	}
	switch t := n.Type.(type) {
	case *ir.Struct:
		return g.structType(t), true
	case *ir.Tuple:
		return g.tupleType(t), true
	case *ir.Enum:
		return g.enumType(t), true
	case *ir.Const:
		return g.constType(t), true
	case *ir.Union:
		return g.unionType(t), false
	case *ir.Ref:
		if t.Target == nil {
			panic(broken("reference to %q has no target", t.Name))
		}
		return []jen.Code{g.decl(n.Doc, jen.Type().Id(n.Name).Op("=").Id(t.Target.Name))}, false
	case *ir.External:
		gt := goType(t)
		return []jen.Code{g.decl(n.Doc, jen.Type().Id(n.Name).Op("=").Add(gt))}, false
	case *ir.Primitive, *ir.Array, *ir.Map, *ir.Nullable, *ir.Raw, *ir.Never:
		return g.definedType(n.Name, n.Doc, t), true
	case nil:
		panic(broken("missing type"))
	default:
		panic(fmt.Sprintf("unreachable: ir type %T", t))
	}
}

// decl puts doc comment lines above a declaration.
func (g *typeGen) decl(lines []string, d jen.Code) jen.Code {
	s := jen.Statement{}
	for _, c := range doc(lines) {
		s = append(s, c, jen.Line())
	}
	s = append(s, d)
	return &s
}

// methods renders decode, encode, Validate, MarshalJSON and UnmarshalJSON
// from their bodies.
func (g *typeGen) methods(name string, decode, encode, validate []jen.Code) []jen.Code {
	recv := jen.Id("v").Op("*").Id(name)
	var decodeFuncs []jen.Code
	if g.res != nil && g.res.named == name {
		// The whole value is checked against its schema first, then decoded.
		decodeFuncs = []jen.Code{
			jen.Func().Params(recv.Clone()).Id("decode").Params(jen.Id("d").Op("*").Add(qp("Decoder"))).Error().Block(
				g.res.decodeWrapper(func(sub jen.Code) jen.Code { return jen.Id("v").Dot("decodeBody").Call(sub) }, false)...),
			jen.Func().Params(recv.Clone()).Id("decodeBody").Params(jen.Id("d").Op("*").Add(qp("Decoder"))).Error().Block(decode...),
		}
		validate = g.res.validateWith(validate, jen.Id("v"))
	} else {
		decodeFuncs = []jen.Code{jen.Func().Params(recv.Clone()).Id("decode").Params(jen.Id("d").Op("*").Add(qp("Decoder"))).Error().Block(decode...)}
	}
	return append(append(decodeFuncs, []jen.Code{
		jen.Func().Params(recv.Clone()).Id("encode").Params(jen.Id("b").Index().Byte()).Index().Byte().Block(append(encode, jen.Return(jen.Id("b")))...),
		g.decl([]string{"Validate reports every constraint of the schema that v violates."},
			jen.Func().Params(recv.Clone()).Id("Validate").Params().Error().Block(validate...)),
	}...), g.jsonMethods(name)...)
}

// residual is where the schema of a named type with keywords the Go type
// does not express is found, for validating values against it.
type residual struct {
	named   string // the type whose own methods check
	ref     string // SchemaRef of the schema file
	pointer string // JSON pointer of the type's schema in the file
}

// ResidualVar is the package-level *schema.Set generated code validates
// residual keywords with.
const residualVar = "residualSchemas"

func (r *residual) call(method string, arg jen.Code) jen.Code {
	return qp("SchemaError").Call(jen.Id(residualVar).Dot(method).Call(jen.Lit(r.ref), jen.Lit(r.pointer), arg))
}

// decodeWrapper renders a decode body that captures the value, validates it
// against its schema and decodes it with body over a sub-decoder. union
// selects the (U, error) result shape.
func (r *residual) decodeWrapper(body func(sub jen.Code) jen.Code, union bool) []jen.Code {
	fail := func(err jen.Code) jen.Code { return jen.Return(err) }
	if union {
		fail = func(err jen.Code) jen.Code { return jen.Return(jen.Nil(), err) }
	}
	out := []jen.Code{
		jen.List(jen.Id("raw"), jen.Err()).Op(":=").Add(qp("Capture").Call(jen.Id("d"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(fail(jen.Err())),
		jen.If(jen.Err().Op(":=").Add(r.call("Validate", jen.Id("raw"))), jen.Err().Op("!=").Nil()).Block(fail(jen.Err())),
		jen.Id("sub").Op(":=").Id("d").Dot("Sub").Call(jen.Id("raw")),
		jen.Defer().Id("d").Dot("End").Call(jen.Id("sub")),
	}
	return append(out, jen.Return(body(jen.Id("sub"))))
}

// validateWith adds the schema check to a Validate body: the body's own
// checks run in a function literal, then the value is validated against its
// schema.
func (r *residual) validateWith(body []jen.Code, v jen.Code) []jen.Code {
	return []jen.Code{
		jen.Var().Id("errs").Add(qp("ValidationErrors")),
		jen.Id("errs").Dot("Add").Call(jen.Func().Params().Error().Block(body...).Call()),
		jen.Id("errs").Dot("Add").Call(r.call("ValidateValue", v)),
		jen.Return(jen.Id("errs").Dot("Err").Call()),
	}
}

// validateBody wraps statements adding to errs into a Validate body.
func validateBody(stmts []jen.Code) []jen.Code {
	if len(stmts) == 0 {
		return []jen.Code{jen.Return(jen.Nil())}
	}
	out := []jen.Code{jen.Var().Id("errs").Add(qp("ValidationErrors"))}
	out = append(out, stmts...)
	return append(out, jen.Return(jen.Id("errs").Dot("Err").Call()))
}

// definedType declares "type Name <Go type of t>" with methods that work on a
// local copy of the underlying value.
func (g *typeGen) definedType(name string, lines []string, t ir.Type) []jen.Code {
	under := goType(t)
	x := id("x")
	g.fn()
	g.n.name("x")
	dec := g.decodeValue(t, x, noWrap)
	decode := append([]jen.Code{jen.Var().Id("x").Add(under.Clone())}, dec...)
	decode = append(decode, jen.Op("*").Id("v").Op("=").Id(name).Parens(jen.Id("x")), jen.Return(jen.Nil()))

	g.fn()
	g.n.name("x")
	enc := g.encodeValue(t, x)
	encode := enc
	if usesValue(t) {
		encode = append([]jen.Code{jen.Id("x").Op(":=").Add(under.Clone()).Parens(jen.Op("*").Id("v"))}, enc...)
	}

	g.fn()
	g.n.name("x")
	val := g.validateValue(t, x, noWrap)
	validate := validateBody(val)
	if len(val) > 0 && usesValue(t) {
		validate = append([]jen.Code{jen.Id("x").Op(":=").Add(under.Clone()).Parens(jen.Op("*").Id("v"))}, validate...)
	}
	code := []jen.Code{g.decl(lines, jen.Type().Id(name).Add(under.Clone()))}
	code = append(code, g.methods(name, decode, encode, validate)...)
	if _, ok := t.(*ir.Map); ok {
		// A defined type does not inherit parsec.Map's methods; hand them out.
		code = append(code, g.decl([]string{"Map returns v as the ordered map it is, for Get, Set, All and the rest."},
			jen.Func().Params(jen.Id("v").Op("*").Id(name)).Id("Map").Params().Op("*").Add(under.Clone()).Block(
				jen.Return(jen.Parens(jen.Op("*").Add(under.Clone())).Parens(jen.Id("v"))))))
	}
	return code
}

// usesValue reports whether encoding or validating a value of t looks at
// the value (the JSON form of a const, of null and of the false schema is
// fixed).
func usesValue(t ir.Type) bool {
	switch t := t.(type) {
	case *ir.Never, *ir.Const:
		return false
	case *ir.Primitive:
		return t.Kind != ir.KindNull
	}
	return true
}

// enumType declares a named enum: a Go type of the enum's kind (compact JSON
// text for mixed kinds) with one constant per value.
func (g *typeGen) enumType(t *ir.Enum) []jen.Code {
	name := g.named.Name
	raw := t.Kind == ir.KindAny || t.Kind == ir.KindNull
	var under *jen.Statement
	if raw {
		under = jen.String()
	} else {
		under = kindType(t.Kind)
	}
	var consts []jen.Code
	for _, v := range t.Values {
		lit := scalarLit(t.Kind, v.JSON)
		if raw {
			lit = jen.Lit(v.JSON)
		}
		consts = append(consts, g.decl(v.Doc, jen.Id(v.Name).Id(name).Op("=").Add(lit)))
	}
	code := []jen.Code{g.decl(g.named.Doc, jen.Type().Id(name).Add(under.Clone()))}
	if len(consts) > 0 {
		code = append(code, g.decl([]string{"The values of " + name + "."}, jen.Const().Defs(consts...)))
	}

	// decode
	g.fn()
	var decode []jen.Code
	x := id("x")
	switch {
	case raw:
		decode = decodeCall("x", qp("DecodeRaw").Call(jen.Id("d")), noWrap)
		if !t.Open {
			sw := g.enumSwitch(t, x, true, nil, returner(noWrap))
			decode = append(decode, sw)
		}
		decode = append(decode, jen.Op("*").Id("v").Op("=").Id(name).Parens(qp("CompactJSON").Call(jen.Id("x"))))
	case t.Kind == ir.KindString:
		decode = decodeCall("x", qp("DecodeStringBytes").Call(jen.Id("d")), noWrap)
		assign := func(v ir.EnumValue) jen.Code { return jen.Op("*").Id("v").Op("=").Id(v.Name) }
		var onErr func(jen.Code) jen.Code = returner(noWrap)
		if t.Open {
			onErr = func(jen.Code) jen.Code {
				return jen.Op("*").Id("v").Op("=").Id(name).Parens(jen.Id("d").Dot("Keep").Call(jen.Id("x")))
			}
		}
		sw := g.enumSwitch(t, func() *jen.Statement { return jen.String().Call(jen.Id("x")) }, false, assign, onErr)
		decode = append(decode, sw)
	default:
		fn, ok := decodeFuncs[t.Kind]
		if !ok {
			panic(broken("no decoder for enum kind %v", t.Kind))
		}
		decode = decodeCall("x", qp(fn).Call(jen.Id("d")), noWrap)
		if !t.Open {
			sw := g.enumSwitch(t, x, false, nil, returner(noWrap))
			decode = append(decode, sw)
		}
		decode = append(decode, jen.Op("*").Id("v").Op("=").Id(name).Parens(jen.Id("x")))
	}
	decode = append(decode, jen.Return(jen.Nil()))

	// encode
	var encode []jen.Code
	if raw {
		encode = []jen.Code{app(qp("AppendRaw").Call(b(), jen.Index().Byte().Parens(jen.Op("*").Id("v"))))}
	} else {
		under2 := kindType(t.Kind)
		encode = encodeScalar(t.Kind, func() *jen.Statement { return under2.Clone().Parens(jen.Op("*").Id("v")) })
	}

	// validate
	var validate []jen.Code
	if t.Open {
		validate = []jen.Code{jen.Return(jen.Nil())}
	} else {
		subject := jen.Op("*").Id("v")
		var names []jen.Code
		for _, v := range t.Values {
			names = append(names, jen.Id(v.Name))
		}
		var shown jen.Code = jen.Op("*").Id("v")
		if raw {
			shown = qp("RawJSON").Call(jen.Op("*").Id("v"))
		} else if t.Kind == ir.KindString {
			shown = jen.String().Parens(jen.Op("*").Id("v"))
		}
		var cases []jen.Code
		if len(names) > 0 {
			cases = append(cases, jen.Case(names...).Block(jen.Return(jen.Nil())))
		}
		validate = []jen.Code{
			jen.Switch(subject).Block(cases...),
			jen.Return(qp("EnumError").Call(append([]jen.Code{shown}, jsonLits(t.Values)...)...)),
		}
	}
	return append(code, g.methods(name, decode, encode, validate)...)
}

// constType declares a named const: an empty struct whose only JSON form is
// the constant.
func (g *typeGen) constType(t *ir.Const) []jen.Code {
	name := g.named.Name
	g.fn()
	dec := g.decodeConst(t, noWrap)
	code := []jen.Code{g.decl(g.named.Doc, jen.Type().Id(name).Struct())}
	return append(code, g.methods(name,
		append(dec, jen.Return(jen.Nil())),
		[]jen.Code{appLit(t.JSON)},
		[]jen.Code{jen.Return(jen.Nil())},
	)...)
}

// jsonKey renders the bytes that precede a member in an object: a comma and
// the quoted name followed by a colon.
func jsonKey(name string) *jen.Statement {
	quoted, err := json.Marshal(name)
	if err != nil {
		// A Go string always marshals; keep the name readable if it ever did not.
		quoted = []byte(fmt.Sprintf("%q", name))
	}
	return jen.Lit("," + string(quoted) + ":")
}
