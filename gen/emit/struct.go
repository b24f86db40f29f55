package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// structType declares a struct with one field per declared property (and
// the fields holding undeclared properties and values of other kinds), and
// its methods.
func (g *typeGen) structType(s *ir.Struct) []jen.Code {
	code := []jen.Code{g.structDecl(s)}
	other := g.otherKinds(s)
	decode := g.structDecode(s, other.decode)
	encode := g.structEncode(s, other.encode)
	validate := g.structValidate(s, other.validate)
	return append(code, g.methods(g.named.Name, decode, encode, validateBody(validate))...)
}

// structDecl declares the struct type.
func (g *typeGen) structDecl(s *ir.Struct) jen.Code {
	var fields []jen.Code
	for _, f := range s.Fields {
		ft := fieldType(f)
		fields = append(fields, g.decl(f.Doc, jen.Id(f.Name).Add(ft).Tag(tag(f))))
	}
	switch s.Holder {
	case ir.HoldRaw:
		fields = append(fields, g.decl([]string{s.AdditionalField + " holds the properties the schema does not declare, in the order they arrived."},
			jen.Id(s.AdditionalField).Add(qp("RawProperties")).Tag(map[string]string{"json": "-"})))
	case ir.HoldTyped:
		vt := goType(s.Held)
		fields = append(fields, g.decl([]string{s.AdditionalField + " holds the properties the schema does not declare, in the order they arrived."},
			jen.Id(s.AdditionalField).Add(qp("Map").Types(vt)).Tag(map[string]string{"json": "-"})))
	}
	if s.Other != "" {
		fields = append(fields, g.decl([]string{
			s.Other + " holds the value, as written, when it is not a JSON object (the schema",
			"accepts every kind); nil for an object, which the other fields hold."},
			jen.Id(s.Other).Qual("encoding/json", "RawMessage").Tag(map[string]string{"json": "-"})))
	}
	return g.decl(g.named.Doc, jen.Type().Id(g.named.Name).Struct(fields...))
}

// counted reports whether the struct's properties are counted (for
// minProperties or maxProperties).
func counted(s *ir.Struct) bool {
	return s.Constraints.MinProperties >= 0 || s.Constraints.MaxProperties >= 0
}

// structDecode renders the body of decode after lead: one pass over the
// members, then the required, dependency and count checks.
func (g *typeGen) structDecode(s *ir.Struct, lead []jen.Code) []jen.Code {
	name, v := g.named.Name, id("v")
	g.fn()
	// Only the presence of a required property or one a dependency names is
	// ever asked; bit i of seen is field i.
	tracked := map[string]bool{}
	for _, dep := range s.DependentRequired {
		tracked[dep.If] = true
		for _, then := range dep.Then {
			tracked[then] = true
		}
	}
	words := 0
	var cases []jen.Code
	for i, f := range s.Fields {
		body := g.decodeField(f, v, noWrap.field(f.JSONName))
		if f.Required || tracked[f.JSONName] {
			words = i/64 + 1
			mark := jen.Id("seen").Index(jen.Lit(i / 64)).Op("|=").Lit(1).Op("<<").Lit(i % 64)
			body = append([]jen.Code{mark}, body...)
		}
		cases = append(cases, jen.Case(jen.Lit(f.JSONName)).Block(body...))
	}
	def := g.decodeUndeclared(s, s.Holder, s.Held)
	cases = append(cases, jen.Default().Block(def...))
	loop := []jen.Code{}
	if counted(s) {
		loop = append(loop, jen.Id("count").Op("++"))
	}
	loop = append(loop, jen.Switch(jen.String().Call(jen.Id("it").Dot("Key").Call())).Block(cases...))
	decode := append(lead,
		jen.Op("*").Id("v").Op("=").Id(name).Values(),
		jen.List(jen.Id("it"), jen.Err()).Op(":=").Add(qp("ObjIter").Call(jen.Id("d"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	)
	if words > 0 {
		decode = append(decode, jen.Var().Id("seen").Index(jen.Lit(words)).Uint64())
	}
	if counted(s) {
		decode = append(decode, jen.Var().Id("count").Int())
	}
	decode = append(decode,
		jen.For(jen.Id("it").Dot("Next").Call()).Block(loop...),
		jen.If(jen.Err().Op(":=").Add(qp("IterErr").Call(jen.Id("it").Dot("Err").Call())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	)
	decode = append(decode, g.requiredCheck(s)...)
	present := func(prop string) jen.Code {
		for i, f := range s.Fields {
			if f.JSONName == prop {
				return jen.Id("seen").Index(jen.Lit(i / 64)).Op("&").Parens(jen.Lit(1).Op("<<").Lit(i % 64)).Op("!=").Lit(0)
			}
		}
		if s.Holder != ir.HoldNone {
			return jen.Id("v").Dot(s.AdditionalField).Dot("Has").Call(jen.Lit(prop))
		}
		return jen.False()
	}
	decode = append(decode, g.dependencyChecks(s, present, returner(noWrap))...)
	decode = append(decode, checkStmts(countChecks(s.Constraints, jen.Id("count"), false), noWrap)...)
	return append(decode, jen.Return(jen.Nil()))
}

// structEncode renders the body of encode after lead: the declared
// properties, then the undeclared ones held.
func (g *typeGen) structEncode(s *ir.Struct, lead []jen.Code) []jen.Code {
	v, valueType := id("v"), s.Held
	g.fn()
	encode := append(lead, jen.Id("m").Op(":=").Len(b()))
	for _, f := range s.Fields {
		body := g.encodeField(f, v)
		encode = append(encode, body...)
	}
	switch s.Holder {
	case ir.HoldRaw:
		encode = append(encode, app(qp("AppendRawProperties").Call(b(), jen.Op("&").Id("v").Dot(s.AdditionalField))))
	case ir.HoldTyped:
		k, x := g.n.name("k"), g.n.name("x")
		body := g.encodeValue(valueType, id(x))
		i := g.n.name("i")
		encode = append(encode, jen.For(jen.Id(i).Op(":=").Range().Id("v").Dot(s.AdditionalField).Dot("Len").Call()).Block(
			append([]jen.Code{
				jen.List(jen.Id(k), valueVar(valueType, x)).Op(":=").Id("v").Dot(s.AdditionalField).Dot("At").Call(jen.Id(i)),
				app(qp("AppendKey").Call(b(), jen.Id(k))),
			}, body...)...))
	}
	return append(encode, app(qp("CloseObject").Call(b(), jen.Id("m"))))
}

// structValidate renders the checks of Validate after lead: the declared
// properties, the undeclared ones held, dependencies and counts.
func (g *typeGen) structValidate(s *ir.Struct, lead []jen.Code) []jen.Code {
	v, kind, valueType := id("v"), s.Holder, s.Held
	g.fn()
	val := lead
	for _, f := range s.Fields {
		body := g.validateField(f, v, noWrap.field(f.JSONName))
		val = append(val, body...)
	}
	if kind == ir.HoldTyped {
		body := g.validateValue(&ir.Map{Value: valueType, Constraints: ir.NoConstraints()}, v.dot(s.AdditionalField), noWrap)
		val = append(val, body...)
		if len(s.Patterns) == 1 {
			k := g.n.name("k")
			val = append(val, jen.For(jen.Id(k).Op(":=").Range().Id("v").Dot(s.AdditionalField).Dot("Keys").Call()).Block(
				jen.If(jen.Op("!").Id(g.patternVar(&s.Patterns[0].Pattern)).Dot("MatchString").Call(jen.Id(k))).Block(
					jen.Id("errs").Dot("Add").Call(qp("UnknownProperty").Call(jen.Index().Byte().Parens(jen.Id(k)))))))
		}
	}
	if kind == ir.HoldRaw && (len(s.Patterns) > 0 || s.Unknown != ir.UnknownKeep) {
		i, k, raw := g.n.name("i"), g.n.name("k"), g.n.name("raw")
		checks := g.undeclaredChecks(s, k, raw, true)
		val = append(val, jen.For(jen.Id(i).Op(":=").Range().Id("v").Dot(s.AdditionalField).Dot("Len").Call()).Block(
			append([]jen.Code{jen.List(jen.Id(k), jen.Id(raw)).Op(":=").Id("v").Dot(s.AdditionalField).Dot("At").Call(jen.Id(i))}, checks...)...))
	}
	add := func(err jen.Code) jen.Code { return jen.Id("errs").Dot("Add").Call(err) }
	presentV := func(prop string) jen.Code {
		for _, f := range s.Fields {
			if f.JSONName == prop {
				switch f.Repr {
				case ir.ReprOpt, ir.ReprOptNullable:
					return jen.Id("v").Dot(f.Name).Dot("Set")
				}
				return jen.True()
			}
		}
		if kind != ir.HoldNone {
			return jen.Id("v").Dot(s.AdditionalField).Dot("Has").Call(jen.Lit(prop))
		}
		return jen.False()
	}
	val = append(val, g.dependencyChecks(s, presentV, add)...)
	if counted(s) {
		val = append(val, g.countProperties(s, kind)...)
		for _, c := range countChecks(s.Constraints, jen.Id("count"), false) {
			val = append(val, add(c))
		}
	}
	return val
}

// otherCode is what a struct whose schema accepts every kind adds at the
// start of decode, encode and Validate for a value that is not an object.
type otherCode struct {
	decode, encode, validate []jen.Code
}

// otherKinds renders the handling of s.Other: such a value is checked
// against the type's schema on decode and by Validate, and written back as
// it was read.
func (g *typeGen) otherKinds(s *ir.Struct) otherCode {
	if s.Other == "" {
		return otherCode{}
	}
	n := g.named
	ref, ok := g.refs[n.Loc.File]
	if !ok {
		panic(broken("schema file %q of %s is not in the package", n.Loc.File, n.Name))
	}
	r := &residual{named: n.Name, ref: ref, pointer: n.Loc.Pointer}
	field := jen.Id("v").Dot(s.Other)
	return otherCode{
		decode: []jen.Code{
			jen.If(jen.List(jen.Id("raw"), jen.Id("ok"), jen.Err()).Op(":=").Add(qp("DecodeNonObject").Call(jen.Id("d"))), jen.Id("ok").Op("||").Err().Op("!=").Nil()).Block(
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
				jen.If(jen.Err().Op(":=").Add(r.call("Validate", jen.Id("raw"))), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
				jen.Op("*").Id("v").Op("=").Id(n.Name).Values(jen.Dict{jen.Id(s.Other): jen.Id("raw")}),
				jen.Return(jen.Nil()),
			),
		},
		encode: []jen.Code{
			jen.If(field.Clone().Op("!=").Nil()).Block(jen.Return(qp("AppendRaw").Call(jen.Id("b"), field.Clone()))),
		},
		validate: []jen.Code{
			jen.If(field.Clone().Op("!=").Nil()).Block(jen.Return(r.call("Validate", field.Clone()))),
		},
	}
}

// countProperties renders "count := <present properties>" for Validate.
func (g *typeGen) countProperties(s *ir.Struct, kind ir.Holder) []jen.Code {
	plain := 0
	var out []jen.Code
	for _, f := range s.Fields {
		switch f.Repr {
		case ir.ReprOpt, ir.ReprOptNullable:
			out = append(out, jen.If(jen.Id("v").Dot(f.Name).Dot("Set")).Block(jen.Id("count").Op("++")))
		default:
			plain++
		}
	}
	var init jen.Code = jen.Lit(plain)
	if kind != ir.HoldNone {
		init = jen.Lit(plain).Op("+").Id("v").Dot(s.AdditionalField).Dot("Len").Call()
	}
	return append([]jen.Code{jen.Id("count").Op(":=").Add(init)}, out...)
}

// requiredCheck renders the check that every required property was seen.
func (g *typeGen) requiredCheck(s *ir.Struct) []jen.Code {
	words := (len(s.Fields) + 63) / 64
	masks := make([]uint64, words)
	names := make([]jen.Code, len(s.Fields))
	last := -1
	for i, f := range s.Fields {
		names[i] = jen.Lit("")
		if f.Required {
			masks[i/64] |= 1 << (i % 64)
			names[i] = jen.Lit(f.JSONName)
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	names = names[:last+1] // Missing needs no names past the last required bit
	var cond *jen.Statement
	for w, m := range masks {
		if m == 0 {
			continue
		}
		c := jen.Id("seen").Index(jen.Lit(w)).Op("&").Op(fmt.Sprintf("%#x", m)).Op("!=").Op(fmt.Sprintf("%#x", m))
		if cond == nil {
			cond = c
		} else {
			cond = cond.Op("||").Add(c)
		}
	}
	return []jen.Code{jen.If(cond).Block(jen.Return(qp("Missing").Call(append([]jen.Code{jen.Id("seen").Index(jen.Op(":"))}, names...)...)))}
}

// dependencyChecks renders dependentRequired: when a property is present,
// the ones it depends on must be too.
func (g *typeGen) dependencyChecks(s *ir.Struct, present func(string) jen.Code, onErr func(jen.Code) jen.Code) []jen.Code {
	var out []jen.Code
	for _, dep := range s.DependentRequired {
		for _, then := range dep.Then {
			out = append(out, jen.If(jen.Add(present(dep.If)).Op("&&").Op("!").Parens(present(then))).Block(
				onErr(qp("DependencyError").Call(jen.Lit(dep.If), jen.Lit(then)))))
		}
	}
	return out
}

// decodeUndeclared renders the default case of the property switch.
func (g *typeGen) decodeUndeclared(s *ir.Struct, kind ir.Holder, valueType ir.Type) []jen.Code {
	key := func() *jen.Statement { return jen.Id("it").Dot("Key").Call() }
	if kind == ir.HoldNone {
		return []jen.Code{jen.Return(qp("UnknownProperty").Call(key()))}
	}
	if kind == ir.HoldTyped {
		k, x := g.n.name("k"), g.n.name("x")
		vt := goType(valueType)
		body := g.decodeValue(valueType, id(x), noWrap.key(id(k)))
		out := []jen.Code{jen.Id(k).Op(":=").Id("d").Dot("Keep").Call(key())}
		if len(s.Patterns) == 1 {
			out = append(out, jen.If(jen.Op("!").Id(g.patternVar(&s.Patterns[0].Pattern)).Dot("MatchString").Call(jen.Id(k))).Block(
				jen.Return(qp("UnknownProperty").Call(key()))))
		}
		out = append(out, jen.Var().Id(x).Add(vt))
		out = append(out, body...)
		return append(out, jen.Id("v").Dot(s.AdditionalField).Dot("Set").Call(jen.Id(k), jen.Id(x)))
	}
	// Raw container: every applicable type checks the value; the raw text is kept.
	if len(s.Patterns) == 0 && s.Unknown == ir.UnknownKeep {
		return []jen.Code{jen.If(jen.Err().Op(":=").Add(qp("DecodeRawProperty").Call(jen.Id("d"), jen.Op("&").Id("v").Dot(s.AdditionalField), key())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))}
	}
	k, raw := g.n.name("k"), g.n.name("raw")
	out := []jen.Code{jen.Id(k).Op(":=").Id("d").Dot("Keep").Call(key())}
	out = append(out, decodeCall(raw, qp("DecodeRaw").Call(jen.Id("d")), noWrap.key(id(k)))...)
	checks := g.undeclaredChecks(s, k, raw, false)
	out = append(out, checks...)
	return append(out, jen.Id("v").Dot(s.AdditionalField).Dot("Set").Call(jen.Id(k), jen.Id(raw)))
}

// undeclaredChecks renders the checks of an undeclared property kept raw
// (named k, its text in raw) against every pattern it matches, and against
// additionalProperties when it matches none. On decode (validate false) the
// first failure is returned; in Validate every failure is added to errs.
func (g *typeGen) undeclaredChecks(s *ir.Struct, k, raw string, validate bool) []jen.Code {
	matched := g.n.name("matched")
	track := s.Unknown != ir.UnknownKeep // whether unmatched properties need their own treatment
	var out []jen.Code
	if track {
		out = append(out, jen.Id(matched).Op(":=").False())
	}
	fail := func(err jen.Code) jen.Code { return jen.Return(err) }
	if validate {
		fail = func(err jen.Code) jen.Code { return jen.Id("errs").Dot("Add").Call(err) }
	}
	check := func(t ir.Type) []jen.Code {
		sub, x := g.n.name("sub"), g.n.name("x")
		vt := goType(t)
		saved := g.n
		inner := newNamer(locals...)
		for name := range saved.used {
			inner.used[name] = 1
		}
		g.n = inner
		body := g.decodeValue(t, id(x), noWrap.key(id(k)))
		g.n = saved
		// The value is decoded by a function literal so that "d" inside the
		// body names the decoder of the raw text.
		fn := jen.Func().Params(jen.Id("d").Op("*").Add(qp("Decoder"))).Error().Block(
			// The value is only checked; the raw text is what the struct keeps.
			append(append([]jen.Code{jen.Var().Id(x).Add(vt)}, body...), jen.Id("_").Op("=").Id(x), jen.Return(jen.Nil()))...)
		if validate {
			return []jen.Code{fail(jen.Add(fn).Call(qp("NewDecoder").Call(jen.Id(raw))))}
		}
		return []jen.Code{
			jen.Id(sub).Op(":=").Id("d").Dot("Sub").Call(jen.Id(raw)),
			jen.Err().Op(":=").Add(fn).Call(jen.Id(sub)),
			jen.Id("d").Dot("End").Call(jen.Id(sub)),
			jen.If(jen.Err().Op("!=").Nil()).Block(fail(jen.Err())),
		}
	}
	for _, p := range s.Patterns {
		body := check(p.Type)
		if track {
			body = append([]jen.Code{jen.Id(matched).Op("=").True()}, body...)
		}
		out = append(out, jen.If(jen.Id(g.patternVar(&p.Pattern)).Dot("MatchString").Call(jen.Id(k))).Block(body...))
	}
	switch s.Unknown {
	case ir.UnknownReject:
		out = append(out, jen.If(jen.Op("!").Id(matched)).Block(fail(qp("UnknownProperty").Call(jen.Index().Byte().Parens(jen.Id(k))))))
	case ir.UnknownTyped:
		body := check(s.Additional)
		out = append(out, jen.If(jen.Op("!").Id(matched)).Block(body...))
	}
	return out
}

// decodeField renders the decoding of a declared property into recv.Name.
func (g *typeGen) decodeField(f *ir.Field, recv expr, wrap wrapper) []jen.Code {
	fld := recv.dot(f.Name)
	value := func(dst expr) []jen.Code {
		if !f.Indirect {
			return g.decodeValue(f.Type, dst, wrap)
		}
		t := goType(f.Type)
		body := g.decodeValue(f.Type, dst.deref(), wrap)
		return append([]jen.Code{dst().Op("=").New(t)}, body...)
	}
	nullable := func() []jen.Code {
		body := value(fld.dot("Value"))
		return []jen.Code{jen.If(jen.Id("d").Dot("IsNull").Call()).Block(
			jen.If(jen.Err().Op(":=").Add(qp("DecodeNull").Call(jen.Id("d"))), jen.Err().Op("!=").Nil()).Block(ret(wrap, jen.Err())),
			fld().Dot("Null").Op("=").True(),
		).Else().Block(body...)}
	}
	helpers := map[ir.Repr]string{ir.ReprOpt: "DecodeOpt", ir.ReprNullable: "DecodeNullable", ir.ReprOptNullable: "DecodeOptNullable"}
	if fn, ok := plainScalar(f.Type); ok && !f.Indirect && helpers[f.Repr] != "" {
		// One call reads the value and sets the presence fields.
		helper := helpers[f.Repr]
		return checkStmts([]jen.Code{qp(helper).Call(jen.Id("d"), jen.Op("&").Add(fld()), qp(fn))}, wrap)
	}
	switch f.Repr {
	case ir.ReprPlain:
		return value(fld)
	case ir.ReprOpt:
		body := value(fld.dot("Value"))
		return append(body, fld().Dot("Set").Op("=").True())
	case ir.ReprNullable:
		return nullable()
	case ir.ReprOptNullable:
		body := nullable()
		return append([]jen.Code{fld().Dot("Set").Op("=").True()}, body...)
	}
	panic(broken("unknown representation %v", f.Repr))
}

// encodeField renders the member for a declared property, if present.
func (g *typeGen) encodeField(f *ir.Field, recv expr) []jen.Code {
	guard, body := g.encodeFieldParts(f, recv, app(jen.Append(b(), jsonKey(f.JSONName).Op("..."))))
	if guard == nil {
		return body
	}
	return []jen.Code{jen.If(guard).Block(body...)}
}

// encodeFieldParts renders the encoding of a field preceded by lead (the
// member key, or the element comma in a tuple). guard, when not nil, is the
// condition under which the field is present.
func (g *typeGen) encodeFieldParts(f *ir.Field, recv expr, lead jen.Code) (jen.Code, []jen.Code) {
	fld := recv.dot(f.Name)
	value := func(x expr) []jen.Code {
		if !f.Indirect {
			return g.encodeValue(f.Type, x)
		}
		body := g.encodeValue(f.Type, x.deref())
		return []jen.Code{jen.If(x().Op("==").Nil()).Block(appLit("null")).Else().Block(body...)}
	}
	nullable := func() []jen.Code {
		body := value(fld.dot("Value"))
		return []jen.Code{lead, jen.If(fld().Dot("Null")).Block(appLit("null")).Else().Block(body...)}
	}
	switch f.Repr {
	case ir.ReprPlain:
		body := value(fld)
		return nil, append([]jen.Code{lead}, body...)
	case ir.ReprOpt:
		body := value(fld.dot("Value"))
		return fld().Dot("Set"), append([]jen.Code{lead}, body...)
	case ir.ReprNullable:
		body := nullable()
		return nil, body
	case ir.ReprOptNullable:
		body := nullable()
		return fld().Dot("Set"), body
	}
	panic(broken("unknown representation %v", f.Repr))
}

// validateField renders the checks of a declared property, if present.
func (g *typeGen) validateField(f *ir.Field, recv expr, wrap wrapper) []jen.Code {
	fld := recv.dot(f.Name)
	value := func(x expr) []jen.Code {
		if !f.Indirect {
			return g.validateValue(f.Type, x, wrap)
		}
		body := g.validateValue(f.Type, x.deref(), wrap)
		missing := jen.Id("errs").Dot("Add").Call(wrap(qp("Errorf").Call(jen.Lit("missing value"))))
		if len(body) == 0 {
			return []jen.Code{jen.If(x().Op("==").Nil()).Block(missing)}
		}
		return []jen.Code{jen.If(x().Op("==").Nil()).Block(missing).Else().Block(body...)}
	}
	guard := func(cond jen.Code, body []jen.Code) []jen.Code {
		if len(body) == 0 {
			return nil
		}
		return []jen.Code{jen.If(cond).Block(body...)}
	}
	switch f.Repr {
	case ir.ReprPlain:
		return value(fld)
	case ir.ReprOpt:
		body := value(fld.dot("Value"))
		return guard(fld().Dot("Set"), body)
	case ir.ReprNullable:
		body := value(fld.dot("Value"))
		return guard(jen.Op("!").Add(fld()).Dot("Null"), body)
	case ir.ReprOptNullable:
		body := value(fld.dot("Value"))
		return guard(fld().Dot("Set").Op("&&").Op("!").Add(fld()).Dot("Null"), body)
	}
	panic(broken("unknown representation %v", f.Repr))
}
