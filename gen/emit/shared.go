package emit

import (
	"strings"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// renderShared renders the file every package gets: the handshake with the
// runtime, the Aspects table (one entry per schema with a root type) and the
// Resources table (schema files reached only through $ref).
func renderShared(p *ir.Package) ([]byte, error) {
	var sources []string
	for _, f := range p.Files {
		sources = append(sources, f.Source)
	}
	f := newFile(p.Name, strings.Join(sources, ", "))
	f.Comment("// This is a compile-time assertion that the generated code and the parsec runtime")
	f.Comment("// it is built against agree on their contract. If it fails to compile, regenerate")
	f.Comment("// the code with the parsec-gen that matches the runtime version in go.mod.")
	f.Const().Id("_").Op("=").Add(qp("SupportPackageIsVersion2"))
	f.Line()

	var aspects, resources []jen.Code
	for _, file := range p.Files {
		// A file registered under its $id is also registered under its
		// path, so relative $refs resolve at run time as they did here.
		var docPath jen.Code
		if ref := schemaRef(file); ref != file.Path {
			docPath = jen.Lit(file.Path)
		}
		if file.Root == nil {
			d := jen.Dict{
				jen.Id("Ref"):    jen.Lit(schemaRef(file)),
				jen.Id("Schema"): jen.Index().Byte().Parens(schemaLit(file.Schema)),
			}
			if docPath != nil {
				d[jen.Id("Path")] = docPath
			}
			resources = append(resources, jen.Values(d))
			continue
		}
		d := jen.Dict{
			jen.Id("Name"):      jen.Lit(file.Aspect),
			jen.Id("SchemaRef"): jen.Lit(schemaRef(file)),
			jen.Id("Schema"):    jen.Index().Byte().Parens(schemaLit(file.Schema)),
			jen.Id("New"):       newRoot(file),
		}
		if docPath != nil {
			d[jen.Id("Path")] = docPath
		}
		aspects = append(aspects, jen.Values(d))
	}
	f.Comment("// Aspects describes the aspects of this package, one per schema: name, schema")
	f.Comment("// reference, the schema itself and a constructor of the root type.")
	if len(aspects) == 0 {
		f.Var().Id("Aspects").Index().Qual(schemaPath, "Aspect")
	} else {
		f.Var().Id("Aspects").Op("=").Index().Qual(schemaPath, "Aspect").ValuesFunc(func(g *jen.Group) {
			for _, a := range aspects {
				g.Line().Add(a)
			}
			g.Line()
		})
	}
	f.Line()
	f.Comment("// Resources holds the schema files the aspects reference but that describe no")
	f.Comment("// aspect of their own, for a schema.Registry.")
	if len(resources) == 0 {
		f.Var().Id("Resources").Index().Qual(schemaPath, "Resource")
	} else {
		f.Var().Id("Resources").Op("=").Index().Qual(schemaPath, "Resource").ValuesFunc(func(g *jen.Group) {
			for _, r := range resources {
				g.Line().Add(r)
			}
			g.Line()
		})
	}
	if hasResidual(p) {
		f.Line()
		f.Comment("// " + residualVar + " checks the keywords the generated types cannot express by")
		f.Comment("// validating values against their schema. It is set in init rather than in its")
		f.Comment("// declaration because it depends on Aspects, whose constructors reach the")
		f.Comment("// decoders that use it: an initialization cycle otherwise.")
		f.Var().Id(residualVar).Op("*").Qual(schemaPath, "Set")
		f.Func().Id("init").Params().Block(
			jen.Id(residualVar).Op("=").Qual(schemaPath, "NewSet").CallFunc(func(g *jen.Group) {
				g.Id("Aspects")
				g.Id("Resources")
				if p.AssertFormats {
					g.Qual(schemaPath, "WithFormatAssertion").Call()
				}
			}))
	}
	return finish(ir.SharedFile, f)
}

// newRoot renders the constructor of an aspect's root value: a pointer to
// the root type, or a parsec.Union holder when the root is a union.
func newRoot(f *ir.File) jen.Code {
	if n := f.RootUnion; n != nil {
		return jen.Func().Params().Any().Block(jen.Return(qp("NewUnion").Call(jen.Id(n.Type.(*ir.Union).Funcs))))
	}
	return jen.Func().Params().Any().Block(jen.Return(jen.New(jen.Id(f.Root.Name))))
}

// schemaRef is the reference a schema file is registered under: its
// SchemaRef, or its path when the model left SchemaRef empty (a registry
// rejects empty references).
func schemaRef(f *ir.File) string {
	if f.SchemaRef != "" {
		return f.SchemaRef
	}
	return f.Path
}

// schemaLit renders a schema document as a raw string literal, readable as
// the JSON it is, unless its bytes cannot appear in one (a backquote, a
// carriage return, which raw strings drop, NUL, a byte order mark or invalid
// UTF-8); then as an interpreted string literal.
func schemaLit(doc []byte) jen.Code {
	s := string(doc)
	if utf8.ValidString(s) && !strings.ContainsAny(s, "`\r\x00\ufeff") {
		return jen.Op("`" + s + "`")
	}
	return jen.Lit(s)
}
