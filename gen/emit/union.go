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

// unionType declares the sealed interface, its variants' wrapper types and
// marker methods, and the decode/encode/validate functions and Match helper.
func (g *typeGen) unionType(u *ir.Union) []jen.Code {
	name := g.named.Name
	marker := u.Marker
	code := []jen.Code{g.decl(g.named.Doc, jen.Type().Id(name).Interface(jen.Id(marker).Params()))}
	type variant struct {
		v      *ir.Variant
		goName string
	}
	var vs []variant
	for _, v := range u.Variants {
		goName := variantType(v)
		vs = append(vs, variant{v, goName})
		switch v.Form {
		case ir.VariantHolder:
			// An interface cannot carry methods: hold the inner union in a struct.
			decl := g.unionHolder(goName, v.Doc, v.Type, v.Target)
			code = append(code, decl...)
		case ir.VariantWrapper:
			decl := g.definedType(goName, v.Doc, v.Type)
			code = append(code, decl...)
		}
		code = append(code, jen.Func().Params(jen.Id(goName)).Id(marker).Params().Block())
	}

	// decode
	g.fn()
	decodeInto := func(goName string, dec string) []jen.Code {
		// "var x V; if err := x.decode(<dec>); err != nil { return nil, err }; return x, nil"
		return []jen.Code{
			jen.Var().Id("x").Id(goName),
			jen.If(jen.Err().Op(":=").Id("x").Dot("decode").Call(jen.Id(dec)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("x"), jen.Nil()),
		}
	}
	viaSub := func(goName string) []jen.Code {
		return []jen.Code{
			jen.Var().Id("x").Id(goName),
			jen.Id("sub").Op(":=").Id("d").Dot("Sub").Call(jen.Id("raw")),
			jen.Err().Op(":=").Id("x").Dot("decode").Call(jen.Id("sub")),
			jen.Id("d").Dot("End").Call(jen.Id("sub")),
		}
	}
	capture := []jen.Code{
		jen.List(jen.Id("raw"), jen.Err()).Op(":=").Add(qp("Capture").Call(jen.Id("d"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
	}
	var decode []jen.Code
	switch u.Strategy {
	case ir.ByKind:
		var cases []jen.Code
		var all ir.JSONKind
		for _, v := range vs {
			var kinds []jen.Code
			for _, k := range jxKinds {
				if v.v.Kinds&k.bit != 0 {
					kinds = append(kinds, jen.Qual(jxPath, k.name))
				}
			}
			if len(kinds) == 0 {
				panic(broken("variant %s accepts no JSON kind", v.v.Name))
			}
			all |= v.v.Kinds
			cases = append(cases, jen.Case(kinds...).Block(decodeInto(v.goName, "d")...))
		}
		var descs []string
		for _, k := range jxKinds {
			if all&k.bit != 0 {
				descs = append(descs, k.desc)
			}
		}
		decode = []jen.Code{
			jen.Switch(jen.Id("d").Dot("Next").Call()).Block(cases...),
			jen.Return(jen.Nil(), qp("KindError").Call(jen.Lit(strings.Join(descs, " or ")), jen.Id("d").Dot("Next").Call())),
		}
	case ir.ByDiscriminator:
		var cases []jen.Code
		var tags []jen.Code
		for _, v := range vs {
			body := append(viaSub(v.goName),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
				jen.Return(jen.Id("x"), jen.Nil()))
			cases = append(cases, jen.Case(jen.Lit(v.v.Tag)).Block(body...))
			tags = append(tags, jen.Lit(v.v.Tag))
		}
		decode = append(capture,
			jen.List(jen.Id("tag"), jen.Id("ok")).Op(":=").Add(qp("Member").Call(jen.Id("raw"), jen.Lit(u.Discriminator))),
			jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.Nil(), qp("Errorf").Call(jen.Lit("missing discriminator property %q"), jen.Lit(u.Discriminator)))),
			jen.Switch(jen.Id("tag")).Block(cases...),
			jen.Return(jen.Nil(), qp("Wrap").Call(qp("EnumError").Call(append([]jen.Code{qp("RawJSON").Call(jen.Id("tag"))}, tags...)...), jen.Lit(u.Discriminator))),
		)
	case ir.ByRequired:
		decode = capture
		var markers []string
		for _, v := range vs {
			body := append(viaSub(v.goName),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
				jen.Return(jen.Id("x"), jen.Nil()))
			decode = append(decode, jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Add(qp("Member").Call(jen.Id("raw"), jen.Lit(v.v.Marker))), jen.Id("ok")).Block(body...))
			markers = append(markers, fmt.Sprintf("%q", v.v.Marker))
		}
		decode = append(decode, jen.Return(jen.Nil(), qp("Errorf").Call(jen.Lit("value matches no variant: it has none of the properties "+strings.Join(markers, ", ")))))
	case ir.TryEach:
		decode = append(capture,
			jen.Var().Defs(
				jen.Id("found").Id(name),
				jen.Id("matched").Index().String(),
				jen.Id("failed").Index().Error(),
			))
		for _, v := range vs {
			body := viaSub(v.goName)
			if u.OneOf {
				body = append(body, jen.If(jen.Err().Op("==").Nil()).Block(
					jen.List(jen.Id("found"), jen.Id("matched")).Op("=").List(jen.Id("x"), jen.Append(jen.Id("matched"), jen.Lit(v.v.Name))),
				).Else().Block(
					jen.Id("failed").Op("=").Append(jen.Id("failed"), qp("VariantError").Call(jen.Lit(v.v.Name), jen.Err())),
				))
			} else {
				body = append(body, jen.If(jen.Err().Op("==").Nil()).Block(jen.Return(jen.Id("x"), jen.Nil())),
					jen.Id("failed").Op("=").Append(jen.Id("failed"), qp("VariantError").Call(jen.Lit(v.v.Name), jen.Err())))
			}
			decode = append(decode, jen.Block(body...))
		}
		if u.OneOf {
			decode = append(decode,
				jen.If(jen.Len(jen.Id("matched")).Op("==").Lit(1)).Block(jen.Return(jen.Id("found"), jen.Nil())),
				jen.Return(jen.Nil(), qp("NoVariant").Call(jen.Id("matched"), jen.Id("failed"))))
		} else {
			decode = append(decode, jen.Id("_").Op("=").Id("found"), jen.Id("_").Op("=").Id("matched"),
				jen.Return(jen.Nil(), qp("NoVariant").Call(jen.Nil(), jen.Id("failed"))))
		}
	default:
		panic(broken("unknown union strategy %v", u.Strategy))
	}
	if g.res != nil {
		code = append(code,
			jen.Func().Id(u.Decode).Params(jen.Id("d").Op("*").Add(qp("Decoder"))).Params(jen.Id(name), jen.Error()).Block(
				g.res.decodeWrapper(func(sub jen.Code) jen.Code { return jen.Id(u.DecodeBody).Call(sub) }, true)...),
			jen.Func().Id(u.DecodeBody).Params(jen.Id("d").Op("*").Add(qp("Decoder"))).Params(jen.Id(name), jen.Error()).Block(decode...))
	} else {
		code = append(code, jen.Func().Id(u.Decode).Params(jen.Id("d").Op("*").Add(qp("Decoder"))).Params(jen.Id(name), jen.Error()).Block(decode...))
	}

	// encode, validate, match
	var encCases, valCases, matchCases []jen.Code
	var matchParams []jen.Code
	// The result type parameter must not be spelled like a type the
	// signature mentions.
	taken := newNamer(name)
	for _, v := range vs {
		taken.used[v.goName] = 1
	}
	result := taken.name("R")
	for _, v := range vs {
		encCases = append(encCases, jen.Case(jen.Id(v.goName)).Block(jen.Return(jen.Id("x").Dot("encode").Call(b()))))
		valCases = append(valCases, jen.Case(jen.Id(v.goName)).Block(jen.Return(jen.Id("x").Dot("Validate").Call())))
		param := "on" + v.v.Name
		matchParams = append(matchParams, jen.Id(param).Func().Params(jen.Id(v.goName)).Id(result))
		matchCases = append(matchCases, jen.Case(jen.Id(v.goName)).Block(jen.Return(jen.Id(param).Call(jen.Id("x")))))
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
	code = append(code,
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
	)
	return code
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
