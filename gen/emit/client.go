package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// Import paths of the runtime packages the typed client file uses.
const (
	clientPath   = "github.com/parsec-gen/parsec-gen/runtime/client"
	envelopePath = "github.com/parsec-gen/parsec-gen/runtime/envelope"
)

// typedAspect is what the client file declares for one aspect.
type typedAspect struct {
	file *ir.File
	root string // Go name of the root type
	// union is the name of the union type the root is (or renames), whose
	// values travel in a parsec.Union holder made from funcs; "" for other
	// roots.
	union, funcs string
}

// msgType is the Go type of a message of the aspect: a pointer to the root
// type, or the union interface itself.
func (a typedAspect) msgType() *jen.Statement {
	if a.union != "" {
		return jen.Id(a.union)
	}
	return jen.Op("*").Id(a.root)
}

// payload renders the call that validates and encodes msg.
func (a typedAspect) payload() jen.Code {
	msg := jen.Id("msg")
	if a.union != "" {
		msg = jen.Id("holdUnion").Call(jen.Id(a.funcs), jen.Id("msg"))
	}
	return jen.List(jen.Id("p"), jen.Err()).Op(":=").Id("payloadOf").Call(jen.Id(a.aspectConst()), jen.Id(a.refConst()), msg, jen.Id("msg").Op("==").Nil())
}

func (a typedAspect) aspectConst() string    { return a.file.Client.Const }
func (a typedAspect) refConst() string       { return a.file.Client.Ref }
func (a typedAspect) publish() string        { return a.file.Client.Publish }
func (a typedAspect) publishDerived() string { return a.file.Client.PublishDerived }
func (a typedAspect) on() string             { return a.file.Client.On }
func (a typedAspect) handle() string         { return a.file.Client.Handle }

// clientFile renders the typed client of p: per aspect the name and schema
// ref constants, Publish/PublishDerived/On methods, the exhaustive Handler
// interface with its Handle router, UnimplementedHandler and NewValidator.
// It returns no file when p declares no aspect.
func clientFile(p *ir.Package) ([]File, error) {
	aspects, err := typedAspects(p)
	if err != nil || len(aspects) == 0 && len(p.Channels) == 0 {
		return nil, err
	}
	sources := make([]string, len(aspects))
	for i, a := range aspects {
		sources[i] = a.file.Source
	}
	f := newTypedFile(p.Name, strings.Join(sources, ", "), "The typed client checks at compile time that it matches the runtime;")

	consts := make([]jen.Code, 0, 4*len(aspects))
	for _, a := range aspects {
		consts = append(consts,
			jen.Comment(fmt.Sprintf("// %s is the aspect name envelopes of %s carry.", a.aspectConst(), a.root)),
			jen.Id(a.aspectConst()).Op("=").Lit(a.file.Aspect),
			jen.Comment(fmt.Sprintf("// %s is the schema ref of %s, the schema it was generated from.", a.refConst(), a.root)),
			jen.Id(a.refConst()).Op("=").Lit(a.file.SchemaRef),
		)
	}
	f.Const().Defs(consts...)
	f.Line()

	renderTypedValidator(f, hasRawAspects(p), p.AssertFormats)
	renderTypedClient(f, aspects)
	renderTypedSubscription(f, p.Name, aspects)
	renderTypedHandler(f, aspects)
	renderTypedPayload(f)
	for _, a := range aspects {
		if a.union != "" {
			renderTypedUnion(f)
			break
		}
	}

	content, err := finish(ir.ClientFile, f)
	if err != nil {
		return nil, err
	}
	return []File{{Name: ir.ClientFile, Content: content}}, nil
}

// typedAspects lists the aspects of p in file order.
func typedAspects(p *ir.Package) ([]typedAspect, error) {
	var aspects []typedAspect
	for _, f := range p.Files {
		if f.Aspect == "" {
			continue
		}
		if f.Root == nil {
			return nil, fmt.Errorf("%s: internal error: aspect %q has no root type", display(f), f.Aspect)
		}
		aspects = append(aspects, typedAspectOf(f))
	}
	return aspects, nil
}

// newTypedFile starts a file of the typed API: the runtime imports and the
// handshake with the runtime, whose comment starts with first.
func newTypedFile(pkg, source, first string) *jen.File {
	f := newFile(pkg, source)
	f.ImportName(clientPath, "client")
	f.ImportName(envelopePath, "envelope")
	f.Comment(first)
	f.Comment("a failure means the package must be regenerated with the matching parsec-gen.")
	f.Const().Id("_").Op("=").Add(qp("SupportPackageIsVersion2"))
	f.Line()
	return f
}

func cliQual(name string) *jen.Statement { return jen.Qual(clientPath, name) }
func envQual(name string) *jen.Statement { return jen.Qual(envelopePath, name) }

func typedCtx() *jen.Statement { return jen.Id("ctx").Qual("context", "Context") }

// typedResult is the (*envelope.Envelope, error) result of publishing.
func typedResult() *jen.Statement {
	return jen.Parens(jen.List(jen.Op("*").Add(envQual("Envelope")), jen.Error()))
}

// typedHandlerFunc is the function type a typed handler of a has.
func typedHandlerFunc(a typedAspect) *jen.Statement {
	return jen.Func().Params(typedCtx(), jen.Id("env").Op("*").Add(envQual("Envelope")), jen.Id("msg").Add(a.msgType())).Error()
}

func renderTypedValidator(f *jen.File, raw, assertFormats bool) {
	aspects := jen.Id("Aspects")
	if raw {
		// Aspects of channel patterns without a schema accept any JSON.
		aspects = jen.Append(jen.Qual("slices", "Clip").Call(jen.Id("Aspects")), jen.Id("rawAspects").Op("..."))
	}
	base := []jen.Code{jen.Qual(schemaPath, "WithResources").Call(jen.Id("Resources").Op("..."))}
	if assertFormats {
		base = append(base, jen.Qual(schemaPath, "WithFormatAssertion").Call())
	}
	f.Comment("NewValidator returns a validator for this package's aspects, compiled from the")
	f.Comment("schemas the package was generated from (the documents they reference included),")
	f.Comment("for client.WithValidator. mode is schema.ModeStrict, schema.ModeWarn or schema.ModeOff.")
	f.Func().Id("NewValidator").Params(
		jen.Id("mode").Qual(schemaPath, "Mode"), jen.Id("opts").Op("...").Qual(schemaPath, "Option"),
	).Parens(jen.List(jen.Op("*").Qual(schemaPath, "Validator"), jen.Error())).Block(
		jen.Id("all").Op(":=").Append(
			jen.Index().Qual(schemaPath, "Option").Values(base...),
			jen.Id("opts").Op("..."),
		),
		jen.Return(jen.Qual(schemaPath, "NewValidator").Call(jen.Id("mode"), aspects, jen.Id("all").Op("..."))),
	)
	f.Line()
}

func renderTypedClient(f *jen.File, aspects []typedAspect) {
	f.Comment("Client publishes this package's aspects with their Go types. It embeds the")
	f.Comment("runtime client, whose untyped methods (Connect, Close, Publish, ...) stay available.")
	f.Type().Id("Client").Struct(jen.Op("*").Add(cliQual("Client")))
	f.Line()
	f.Comment("NewClient wraps a runtime client.")
	f.Func().Id("NewClient").Params(jen.Id("c").Op("*").Add(cliQual("Client"))).Op("*").Id("Client").Block(
		jen.Return(jen.Op("&").Id("Client").Values(jen.Dict{jen.Id("Client"): jen.Id("c")})),
	)
	f.Line()
	f.Comment("Subscribe subscribes to channel. Register handlers on the returned Subscription")
	f.Comment("(OnXxx or Handle): dispatch begins with the first, and handlers registered right")
	f.Comment("after it still see every envelope. Subscribe with client.WithManualStart and call")
	f.Comment("Start for the hard guarantee that nothing is dispatched before every handler exists.")
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Subscribe").Params(
		typedCtx(), jen.Id("channel").String(), jen.Id("opts").Op("...").Add(cliQual("SubscribeOption")),
	).Parens(jen.List(jen.Op("*").Id("Subscription"), jen.Error())).Block(
		jen.List(jen.Id("s"), jen.Err()).Op(":=").Id("c").Dot("Client").Dot("Subscribe").Call(jen.Id("ctx"), jen.Id("channel"), jen.Id("opts").Op("...")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Op("&").Id("Subscription").Values(jen.Dict{jen.Id("Subscription"): jen.Id("s")}), jen.Nil()),
	)
	f.Line()
	for _, a := range aspects {
		f.Comment(fmt.Sprintf("%s validates msg and publishes it on channel with aspect %q.", a.publish(), a.file.Aspect))
		f.Comment("It returns the envelope as sent; a message that violates its schema is not sent.")
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(a.publish()).Params(
			typedCtx(), jen.Id("channel").String(), jen.Id("msg").Add(a.msgType()),
		).Add(typedResult()).Block(
			a.payload(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("c").Dot("Client").Dot("PublishPayload").Call(jen.Id("ctx"), jen.Id("channel"), jen.Id("p"))),
		)
		f.Line()
		f.Comment(fmt.Sprintf("%s publishes msg on channel with aspect %q, caused by", a.publishDerived(), a.file.Aspect))
		f.Comment("the envelope whose handler received ctx (client.ErrNoParent outside a handler).")
		f.Comment("Subscription has the same method for the handled envelope's own channel.")
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(a.publishDerived()).Params(
			typedCtx(), jen.Id("channel").String(), jen.Id("msg").Add(a.msgType()),
		).Add(typedResult()).Block(
			a.payload(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("c").Dot("Client").Dot("PublishDerivedPayload").Call(jen.Id("ctx"), jen.Id("channel"), jen.Id("p"))),
		)
		f.Line()
	}
}

func renderTypedSubscription(f *jen.File, pkg string, aspects []typedAspect) {
	f.Comment("Subscription receives one channel's envelopes as this package's Go types. It")
	f.Comment("embeds the runtime subscription (Start, OnGap, OnError, Stats, Unsubscribe, ...).")
	f.Type().Id("Subscription").Struct(jen.Op("*").Add(cliQual("Subscription")))
	f.Line()
	for _, a := range aspects {
		f.Comment(fmt.Sprintf("%s registers h for envelopes with aspect %q. h receives the decoded, validated", a.on(), a.file.Aspect))
		f.Comment("message; a payload that does not decode or validate goes to the error hooks")
		f.Comment("as a *client.DeliveryError and h is not called. A returned error goes there too.")
		register := cliQual("HandleAspectTyped").Index(jen.Id(a.root)).Call(jen.Id("s").Dot("Subscription"), jen.Id(a.aspectConst()), jen.Id("h"))
		if a.union != "" {
			register = jen.Id("onUnion").Call(jen.Id("s").Dot("Subscription"), jen.Id(a.aspectConst()), jen.Lit(pkg+"."+a.union), jen.Id(a.funcs), jen.Id("h"))
		}
		f.Func().Params(jen.Id("s").Op("*").Id("Subscription")).Id(a.on()).Params(jen.Id("h").Add(typedHandlerFunc(a))).Block(register)
		f.Line()
		f.Comment(fmt.Sprintf("%s publishes msg on the subscription's channel with aspect %q,", a.publishDerived(), a.file.Aspect))
		f.Comment("caused by the envelope whose handler received ctx (client.ErrNoParent outside a handler).")
		f.Func().Params(jen.Id("s").Op("*").Id("Subscription")).Id(a.publishDerived()).Params(
			typedCtx(), jen.Id("msg").Add(a.msgType()),
		).Add(typedResult()).Block(
			a.payload(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("s").Dot("Subscription").Dot("PublishDerivedPayload").Call(jen.Id("ctx"), jen.Id("p"))),
		)
		f.Line()
	}
}

func renderTypedHandler(f *jen.File, aspects []typedAspect) {
	f.Comment("Handler handles every aspect of this package, one method each. A type that")
	f.Comment("implements it stops compiling when an aspect is added, until it handles it;")
	f.Comment("embed UnimplementedHandler to opt out.")
	methods := make([]jen.Code, 0, 2*len(aspects))
	for _, a := range aspects {
		methods = append(methods,
			jen.Comment(fmt.Sprintf("// %s handles an envelope with aspect %q.", a.handle(), a.file.Aspect)),
			jen.Id(a.handle()).Params(typedCtx(), jen.Id("env").Op("*").Add(envQual("Envelope")), jen.Id("msg").Add(a.msgType())).Error(),
		)
	}
	f.Type().Id("Handler").Interface(methods...)
	f.Line()
	f.Comment("Handle routes every aspect of the subscription to h's methods.")
	body := make([]jen.Code, 0, len(aspects))
	for _, a := range aspects {
		body = append(body, jen.Id("s").Dot(a.on()).Call(jen.Id("h").Dot(a.handle())))
	}
	f.Func().Params(jen.Id("s").Op("*").Id("Subscription")).Id("Handle").Params(jen.Id("h").Id("Handler")).Block(body...)
	f.Line()
	f.Comment("UnimplementedHandler implements Handler with methods that handle nothing: each")
	f.Comment("returns an error wrapping errors.ErrUnsupported, which the subscription reports")
	f.Comment("to its error hooks. Embed it in a handler that handles only some aspects.")
	f.Type().Id("UnimplementedHandler").Struct()
	f.Line()
	f.Var().Id("_").Id("Handler").Op("=").Id("UnimplementedHandler").Values()
	f.Line()
	for _, a := range aspects {
		f.Comment(fmt.Sprintf("%s reports that envelopes with aspect %q are not handled.", a.handle(), a.file.Aspect))
		f.Func().Params(jen.Id("UnimplementedHandler")).Id(a.handle()).Params(
			jen.Qual("context", "Context"), jen.Op("*").Add(envQual("Envelope")), a.msgType(),
		).Error().Block(
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("%w: aspect %q has no handler"), jen.Qual("errors", "ErrUnsupported"), jen.Id(a.aspectConst()))),
		)
		f.Line()
	}
}

func renderTypedPayload(f *jen.File) {
	f.Comment("payloadOf validates and encodes a message of aspect. isNil reports a nil pointer")
	f.Comment("(an interface holding one is not nil).")
	f.Func().Id("payloadOf").Params(
		jen.List(jen.Id("aspect"), jen.Id("ref")).String(),
		jen.Id("msg").Interface(jen.Id("Validate").Params().Error(), jen.Id("MarshalJSON").Params().Parens(jen.List(jen.Index().Byte(), jen.Error()))),
		jen.Id("isNil").Bool(),
	).Parens(jen.List(cliQual("Payload"), jen.Error())).Block(
		jen.If(jen.Id("isNil")).Block(
			jen.Return(cliQual("Payload").Values(), jen.Qual("fmt", "Errorf").Call(jen.Lit("parsec: publish %s: nil message"), jen.Id("aspect"))),
		),
		jen.If(jen.Err().Op(":=").Id("msg").Dot("Validate").Call(), jen.Err().Op("!=").Nil()).Block(
			jen.Return(cliQual("Payload").Values(), jen.Qual("fmt", "Errorf").Call(jen.Lit("parsec: publish %s: %w"), jen.Id("aspect"), jen.Err())),
		),
		jen.List(jen.Id("data"), jen.Err()).Op(":=").Id("msg").Dot("MarshalJSON").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Return(cliQual("Payload").Values(), jen.Qual("fmt", "Errorf").Call(jen.Lit("parsec: publish %s: %w"), jen.Id("aspect"), jen.Err())),
		),
		jen.Return(cliQual("Payload").Values(jen.Dict{jen.Id("Aspect"): jen.Id("aspect"), jen.Id("SchemaRef"): jen.Id("ref"), jen.Id("Data"): jen.Id("data")}), jen.Nil()),
	)
}

// renderTypedUnion renders the helpers of aspects whose root is a union: an
// interface value travels in a parsec.Union holder.
func renderTypedUnion(f *jen.File) {
	u := jen.Id("U")
	f.Line()
	f.Comment("holdUnion puts a union value in a holder that validates and encodes it.")
	f.Func().Id("holdUnion").Types(u.Clone().Any()).Params(
		jen.Id("fns").Op("*").Add(parsecQual("UnionFuncs")).Types(jen.Id("U")), jen.Id("u").Id("U"),
	).Op("*").Add(parsecQual("Union")).Types(jen.Id("U")).Block(
		jen.Id("h").Op(":=").Add(parsecQual("NewUnion")).Call(jen.Id("fns")),
		jen.Id("h").Dot("Value").Op("=").Id("u"),
		jen.Return(jen.Id("h")),
	)
	f.Line()
	f.Comment("onUnion registers h for envelopes of aspect whose payload decodes, through fns,")
	f.Comment("into the union U (typeName in reports); a payload that does not decode or")
	f.Comment("validate goes to the error hooks as a *client.PayloadError.")
	f.Func().Id("onUnion").Types(jen.Id("U").Any()).Params(
		jen.Id("s").Op("*").Add(cliQual("Subscription")), jen.List(jen.Id("aspect"), jen.Id("typeName")).String(),
		jen.Id("fns").Op("*").Add(parsecQual("UnionFuncs")).Types(jen.Id("U")),
		jen.Id("h").Func().Params(jen.Qual("context", "Context"), jen.Op("*").Add(envQual("Envelope")), jen.Id("U")).Error(),
	).Block(
		jen.Id("s").Dot("HandleAspect").Call(jen.Id("aspect"), jen.Func().Params(typedCtx(), jen.Id("env").Op("*").Add(envQual("Envelope"))).Error().Block(
			jen.Id("holder").Op(":=").Add(parsecQual("NewUnion")).Call(jen.Id("fns")),
			jen.Id("payload").Op(":=").Index().Byte().Call(jen.Id("env").Dot("Payload")),
			jen.If(jen.Len(jen.Id("payload")).Op("==").Lit(0)).Block(
				jen.Id("payload").Op("=").Index().Byte().Call(jen.Lit("null")),
			),
			jen.If(jen.Err().Op(":=").Id("holder").Dot("UnmarshalJSON").Call(jen.Id("payload")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Op("&").Add(cliQual("PayloadError")).Values(jen.Dict{
					jen.Id("Aspect"): jen.Id("env").Dot("Aspect"), jen.Id("Type"): jen.Id("typeName"), jen.Id("Err"): jen.Err(),
				})),
			),
			jen.Return(jen.Id("h").Call(jen.Id("ctx"), jen.Id("env"), jen.Id("holder").Dot("Value"))),
		)),
	)
}

func parsecQual(name string) *jen.Statement { return qp(name) }
