package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// tupleType declares a struct with one field per position (plus the rest)
// that encodes as a JSON array.
func (g *typeGen) tupleType(t *ir.Tuple) []jen.Code {
	name := g.named.Name
	v := id("v")
	var fields []jen.Code
	required := 0
	for _, f := range t.Items {
		ft := fieldType(f)
		fields = append(fields, g.decl(f.Doc, jen.Id(f.Name).Add(ft).Tag(map[string]string{"json": "-"})))
		if f.Required {
			required++ // required items come first (checked after Build)
		}
	}
	var restType *jen.Statement
	if t.Rest != nil {
		et := goType(t.Rest)
		restType = et
		fields = append(fields, g.decl([]string{t.RestField + " holds the items after the positional ones."},
			jen.Id(t.RestField).Index().Add(et).Tag(map[string]string{"json": "-"})))
	}
	code := []jen.Code{g.decl(g.named.Doc, jen.Type().Id(name).Struct(fields...))}

	// decode
	g.fn()
	idx := g.n.name("n")
	var cases []jen.Code
	for i, f := range t.Items {
		body := g.decodeField(f, v, noWrap.elem(func() *jen.Statement { return jen.Lit(i) }))
		cases = append(cases, jen.Case(jen.Lit(i)).Block(body...))
	}
	if t.Rest != nil {
		rest := v.dot(t.RestField)
		last := func() *jen.Statement { return rest().Index(jen.Len(rest()).Op("-").Lit(1)) }
		body := g.decodeValue(t.Rest, last, noWrap.elem(id(idx)))
		cases = append(cases, jen.Default().Block(append([]jen.Code{rest().Op("=").Append(rest(), jen.Op("*").New(restType.Clone()))}, body...)...))
	} else {
		cases = append(cases, jen.Default().Block(jen.Return(qp("WrapIndex").Call(
			qp("Errorf").Call(jen.Lit(fmt.Sprintf("item not allowed: the array has at most %d items", len(t.Items)))), jen.Id(idx)))))
	}
	decode := []jen.Code{
		jen.Op("*").Id("v").Op("=").Id(name).Values(),
		jen.List(jen.Id("it"), jen.Err()).Op(":=").Add(qp("ArrIter").Call(jen.Id("d"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Id(idx).Op(":=").Lit(0),
		jen.For(jen.Id("it").Dot("Next").Call()).Block(
			jen.Switch(jen.Id(idx)).Block(cases...),
			jen.Id(idx).Op("++"),
		),
		jen.If(jen.Err().Op(":=").Add(qp("IterErr").Call(jen.Id("it").Dot("Err").Call())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
	if required > 0 {
		decode = append(decode, jen.If(jen.Id(idx).Op("<").Lit(required)).Block(
			jen.Return(qp("Errorf").Call(jen.Lit("expected at least %d items, found %d"), jen.Lit(required), jen.Id(idx)))))
	}
	decode = append(decode, checkStmts(countChecks(t.Constraints, jen.Id(idx), true), noWrap)...)
	decode = append(decode, jen.Return(jen.Nil()))

	// encode: positions in order, stopping at the first absent optional one
	g.fn()
	var tail []jen.Code
	if t.Rest != nil {
		i := g.n.name("i")
		body := g.encodeValue(t.Rest, v.dot(t.RestField).index(id(i)))
		loop := jen.For(jen.Id(i).Op(":=").Range().Id("v").Dot(t.RestField))
		if !usesValue(t.Rest) {
			loop = jen.For(jen.Range().Id("v").Dot(t.RestField))
		}
		tail = []jen.Code{loop.Block(append([]jen.Code{app(jen.Append(b(), jen.LitRune(',')))}, body...)...)}
	}
	for i := len(t.Items) - 1; i >= 0; i-- {
		guard, body := g.encodeFieldParts(t.Items[i], v, app(jen.Append(b(), jen.LitRune(','))))
		body = append(body, tail...)
		if guard != nil {
			body = []jen.Code{jen.If(guard).Block(body...)}
		}
		tail = body
	}
	encode := append([]jen.Code{jen.Id("m").Op(":=").Len(b())}, tail...)
	encode = append(encode, app(qp("CloseArray").Call(b(), jen.Id("m"))))

	// validate
	g.fn()
	var val []jen.Code
	for i, f := range t.Items {
		body := g.validateField(f, v, noWrap.elem(func() *jen.Statement { return jen.Lit(i) }))
		val = append(val, body...)
	}
	if t.Rest != nil {
		body := g.validateValue(&ir.Array{Elem: t.Rest, Constraints: ir.NoConstraints()}, v.dot(t.RestField), noWrap)
		val = append(val, body...)
	}
	return append(code, g.methods(name, decode, encode, validateBody(val))...)
}
