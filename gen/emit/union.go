package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// variantType returns the Go type name of a variant: the implementing type
// for ir.VariantSelf, else the type declared for the variant.
func variantType(v *ir.Variant) string {
	if v.Form == ir.VariantSelf {
		return v.Target.Name
	}
	return v.Name
}

var jxKinds = []struct {
	bit  ir.JSONKind
	name string
	desc string
}{
	{ir.JSONNull, "Null", "null"}, {ir.JSONBool, "Bool", "a boolean"}, {ir.JSONNumber, "Number", "a number"},
	{ir.JSONString, "String", "a string"}, {ir.JSONArray, "Array", "an array"}, {ir.JSONObject, "Object", "an object"},
}

// unionType declares the sealed interface with its variants, the decode,
// encode and validate functions, the parsec.UnionFuncs variable and the
// Match helper.
func (g *typeGen) unionType(u *ir.Union) []jen.Code {
	code := g.unionDecl(u)
	code = append(code, g.unionDecode(u)...)
	return append(code, g.unionFuncs(u)...)
}

// unionDecl declares the interface and, per variant, its wrapper or holder
// type (none when the variant's type implements the union itself) and its
// marker method.
func (g *typeGen) unionDecl(u *ir.Union) []jen.Code {
	code := []jen.Code{g.decl(g.named.Doc, jen.Type().Id(g.named.Name).Interface(jen.Id(u.Marker).Params()))}
	for _, v := range u.Variants {
		goName := variantType(v)
		switch v.Form {
		case ir.VariantHolder:
			// An interface cannot carry methods: hold the inner union in a struct.
			code = append(code, g.unionHolder(goName, v.Doc, v.Type, v.Target)...)
		case ir.VariantWrapper:
			code = append(code, g.definedType(goName, v.Doc, v.Type)...)
		}
		code = append(code, jen.Func().Params(jen.Id(goName)).Id(u.Marker).Params().Block())
	}
	return code
}

// unionDecode declares the decode function, which reads a value by the
// union's strategy (wrapped by the residual check when there is one).
func (g *typeGen) unionDecode(u *ir.Union) []jen.Code {
	name := g.named.Name
	g.fn()
	var decode []jen.Code
	switch u.Strategy {
	case ir.ByKind:
		decode = decodeByKind(u)
	case ir.ByDiscriminator:
		decode = decodeByDiscriminator(u)
	case ir.ByRequired:
		decode = decodeByRequired(u)
	case ir.TryEach:
		decode = decodeTryEach(u, name)
	default:
		panic(broken("unknown union strategy %v", u.Strategy))
	}
	decoder := jen.Id("d").Op("*").Add(qp("Decoder"))
	if g.res != nil {
		return []jen.Code{
			jen.Func().Id(u.Decode).Params(decoder).Params(jen.Id(name), jen.Error()).Block(
				g.res.decodeWrapper(func(sub jen.Code) jen.Code { return jen.Id(u.DecodeBody).Call(sub) }, true)...),
			jen.Func().Id(u.DecodeBody).Params(decoder.Clone()).Params(jen.Id(name), jen.Error()).Block(decode...),
		}
	}
	return []jen.Code{jen.Func().Id(u.Decode).Params(decoder).Params(jen.Id(name), jen.Error()).Block(decode...)}
}

// decodeInto renders "var x V; if err := x.decode(<dec>); err != nil {
// return nil, err }; return x, nil".
func decodeInto(goName string, dec string) []jen.Code {
	return []jen.Code{
		jen.Var().Id("x").Id(goName),
		jen.If(jen.Err().Op(":=").Id("x").Dot("decode").Call(jen.Id(dec)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Id("x"), jen.Nil()),
	}
}

// viaSub renders the decoding of the captured raw value as a V into x,
// leaving the error in err.
func viaSub(goName string) []jen.Code {
	return []jen.Code{
		jen.Var().Id("x").Id(goName),
		jen.Id("sub").Op(":=").Id("d").Dot("Sub").Call(jen.Id("raw")),
		jen.Err().Op(":=").Id("x").Dot("decode").Call(jen.Id("sub")),
		jen.Id("d").Dot("End").Call(jen.Id("sub")),
	}
}

// viaSubOrFail is viaSub returning x, or the error.
func viaSubOrFail(goName string) []jen.Code {
	return append(viaSub(goName),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Id("x"), jen.Nil()))
}

// captureRaw renders reading the value as raw JSON into raw.
func captureRaw() []jen.Code {
	return []jen.Code{
		jen.List(jen.Id("raw"), jen.Err()).Op(":=").Add(qp("Capture").Call(jen.Id("d"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
	}
}

// decodeByKind switches on the JSON kind of the next value.
func decodeByKind(u *ir.Union) []jen.Code {
	var cases []jen.Code
	var all ir.JSONKind
	for _, v := range u.Variants {
		var kinds []jen.Code
		for _, k := range jxKinds {
			if v.Kinds&k.bit != 0 {
				kinds = append(kinds, jen.Qual(jxPath, k.name))
			}
		}
		if len(kinds) == 0 {
			panic(broken("variant %s accepts no JSON kind", v.Name))
		}
		all |= v.Kinds
		cases = append(cases, jen.Case(kinds...).Block(decodeInto(variantType(v), "d")...))
	}
	var descs []string
	for _, k := range jxKinds {
		if all&k.bit != 0 {
			descs = append(descs, k.desc)
		}
	}
	return []jen.Code{
		jen.Switch(jen.Id("d").Dot("Next").Call()).Block(cases...),
		jen.Return(jen.Nil(), qp("KindError").Call(jen.Lit(strings.Join(descs, " or ")), jen.Id("d").Dot("Next").Call())),
	}
}

// decodeByDiscriminator switches on the discriminator property's value.
func decodeByDiscriminator(u *ir.Union) []jen.Code {
	var cases []jen.Code
	var tags []jen.Code
	for _, v := range u.Variants {
		cases = append(cases, jen.Case(jen.Lit(v.Tag)).Block(viaSubOrFail(variantType(v))...))
		tags = append(tags, jen.Lit(v.Tag))
	}
	return append(captureRaw(),
		jen.List(jen.Id("tag"), jen.Id("ok")).Op(":=").Add(qp("Member").Call(jen.Id("raw"), jen.Lit(u.Discriminator))),
		jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.Nil(), qp("Errorf").Call(jen.Lit("missing discriminator property %q"), jen.Lit(u.Discriminator)))),
		jen.Switch(jen.Id("tag")).Block(cases...),
		jen.Return(jen.Nil(), qp("Wrap").Call(qp("EnumError").Call(append([]jen.Code{qp("RawJSON").Call(jen.Id("tag"))}, tags...)...), jen.Lit(u.Discriminator))),
	)
}

// decodeByRequired picks the first variant whose marker property is present.
func decodeByRequired(u *ir.Union) []jen.Code {
	decode := captureRaw()
	var markers []string
	for _, v := range u.Variants {
		decode = append(decode, jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Add(qp("Member").Call(jen.Id("raw"), jen.Lit(v.Marker))), jen.Id("ok")).Block(viaSubOrFail(variantType(v))...))
		markers = append(markers, fmt.Sprintf("%q", v.Marker))
	}
	return append(decode, jen.Return(jen.Nil(), qp("Errorf").Call(jen.Lit("value matches no variant: it has none of the properties "+strings.Join(markers, ", ")))))
}

// decodeTryEach decodes the value as each variant in turn: for oneOf exactly
// one must succeed, for anyOf the first success wins.
func decodeTryEach(u *ir.Union, name string) []jen.Code {
	decode := append(captureRaw(),
		jen.Var().Defs(
			jen.Id("found").Id(name),
			jen.Id("matched").Index().String(),
			jen.Id("failed").Index().Error(),
		))
	for _, v := range u.Variants {
		body := viaSub(variantType(v))
		if u.OneOf {
			body = append(body, jen.If(jen.Err().Op("==").Nil()).Block(
				jen.List(jen.Id("found"), jen.Id("matched")).Op("=").List(jen.Id("x"), jen.Append(jen.Id("matched"), jen.Lit(v.Name))),
			).Else().Block(
				jen.Id("failed").Op("=").Append(jen.Id("failed"), qp("VariantError").Call(jen.Lit(v.Name), jen.Err())),
			))
		} else {
			body = append(body, jen.If(jen.Err().Op("==").Nil()).Block(jen.Return(jen.Id("x"), jen.Nil())),
				jen.Id("failed").Op("=").Append(jen.Id("failed"), qp("VariantError").Call(jen.Lit(v.Name), jen.Err())))
		}
		decode = append(decode, jen.Block(body...))
	}
	if u.OneOf {
		return append(decode,
			jen.If(jen.Len(jen.Id("matched")).Op("==").Lit(1)).Block(jen.Return(jen.Id("found"), jen.Nil())),
			jen.Return(jen.Nil(), qp("NoVariant").Call(jen.Id("matched"), jen.Id("failed"))))
	}
	return append(decode, jen.Id("_").Op("=").Id("found"), jen.Id("_").Op("=").Id("matched"),
		jen.Return(jen.Nil(), qp("NoVariant").Call(jen.Nil(), jen.Id("failed"))))
}

// unionFuncs declares the encode and validate functions, the
// parsec.UnionFuncs variable and the Match helper.
func (g *typeGen) unionFuncs(u *ir.Union) []jen.Code {
	name := g.named.Name
	var encCases, valCases, matchCases []jen.Code
	var matchParams []jen.Code
	// The result type parameter must not be spelled like a type the
	// signature mentions.
	taken := newNamer(name)
	for _, v := range u.Variants {
		taken.used[variantType(v)] = 1
	}
	result := taken.name("R")
	for _, v := range u.Variants {
		goName := variantType(v)
		encCases = append(encCases, jen.Case(jen.Id(goName)).Block(jen.Return(jen.Id("x").Dot("encode").Call(b()))))
		valCases = append(valCases, jen.Case(jen.Id(goName)).Block(jen.Return(jen.Id("x").Dot("Validate").Call())))
		param := "on" + v.Name
		matchParams = append(matchParams, jen.Id(param).Func().Params(jen.Id(goName)).Id(result))
		matchCases = append(matchCases, jen.Case(jen.Id(goName)).Block(jen.Return(jen.Id(param).Call(jen.Id("x")))))
	}
	missing := qp("Errorf").Call(jen.Lit(name + " holds no variant"))
	encCases = append(encCases, jen.Default().Block(qp("Fail").Call(missing), jen.Return(b())))
	valCases = append(valCases, jen.Default().Block(jen.Return(missing.Clone())))
	validate := []jen.Code{jen.Switch(jen.Id("x").Op(":=").Id("u").Assert(jen.Type())).Block(valCases...)}
	if g.res != nil {
		// Check the variant, then the keywords only the schema expresses.
		validate = []jen.Code{
			jen.Var().Id("errs").Add(qp("ValidationErrors")),
			jen.Id("errs").Dot("Add").Call(jen.Func().Params().Error().Block(validate...).Call()),
			jen.If(jen.Id("u").Op("!=").Nil()).Block(jen.Id("errs").Dot("Add").Call(g.res.call("ValidateValue", jen.Id("u")))),
			jen.Return(jen.Id("errs").Dot("Err").Call()),
		}
	}
	return []jen.Code{
		jen.Func().Id(u.Encode).Params(jen.Id("b").Index().Byte(), jen.Id("u").Id(name)).Index().Byte().Block(
			jen.Switch(jen.Id("x").Op(":=").Id("u").Assert(jen.Type())).Block(encCases...)),
		jen.Func().Id(u.Validate).Params(jen.Id("u").Id(name)).Error().Block(validate...),
		g.decl([]string{u.Funcs + " lets parsec.NewUnion hold a " + name + "."},
			jen.Var().Id(u.Funcs).Op("=").Op("&").Add(qp("UnionFuncs")).Types(jen.Id(name)).Values(jen.Dict{
				jen.Id("Decode"):   jen.Id(u.Decode),
				jen.Id("Append"):   jen.Id(u.Encode),
				jen.Id("Validate"): jen.Id(u.Validate),
			})),
		g.decl([]string{
			u.Match + " calls the function for the variant u holds and returns its result.",
			"Every variant has a parameter, so a variant added to the schema breaks",
			"every call until it is handled. It panics if u is nil.",
		}, jen.Func().Id(u.Match).Types(jen.Id(result).Any()).Params(append([]jen.Code{jen.Id("u").Id(name)}, matchParams...)...).Id(result).Block(
			jen.Switch(jen.Id("x").Op(":=").Id("u").Assert(jen.Type())).Block(matchCases...),
			jen.Panic(jen.Lit(u.Match+": u holds no variant")),
		)),
	}
}

// unionHolder declares a variant that is itself a union as a struct holding
// the inner union's value.
func (g *typeGen) unionHolder(name string, lines []string, r ir.Type, inner *ir.Named) []jen.Code {
	v := id("v")
	g.fn()
	dec := g.decodeValue(r, v.dot("Value"), noWrap)
	g.fn()
	enc := g.encodeValue(r, v.dot("Value"))
	g.fn()
	val := g.validateValue(r, v.dot("Value"), noWrap)
	code := []jen.Code{g.decl(lines, jen.Type().Id(name).Struct(
		jen.Comment("// Value is the "+inner.Name+" held."),
		jen.Id("Value").Id(inner.Name),
	))}
	return append(code, g.methods(name, append(dec, jen.Return(jen.Nil())), enc, validateBody(val))...)
}
