package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// Import paths of the runtime packages the channels file uses.
const (
	channelPath  = "github.com/parsec-gen/parsec-gen/runtime/channel"
	registryPath = "github.com/parsec-gen/parsec-gen/runtime/registry"
)

// hasRawAspects reports whether a pattern of p has an aspect without schema.
func hasRawAspects(p *ir.Package) bool {
	for _, c := range p.Channels {
		for _, a := range c.Aspects {
			if a.File == nil {
				return true
			}
		}
	}
	return false
}

// patternAspect is what the channels file needs of one aspect of a pattern.
type patternAspect struct {
	*ir.PatternAspect
	aspectConst string // constant holding the aspect name
	refConst    string // constant holding the schema ref; "" for raw aspects
	typed       typedAspect
}

func (a patternAspect) raw() bool { return a.File == nil }

// msgParam is the parameter (name and type) of a message of the aspect.
func (a patternAspect) msgParam() *jen.Statement {
	if a.raw() {
		return jen.Id("payload").Qual("encoding/json", "RawMessage")
	}
	return jen.Id("msg").Add(a.typed.msgType())
}

// payload renders the statement that checks and encodes the message into p.
func (a patternAspect) payload() jen.Code {
	if a.raw() {
		return jen.List(jen.Id("p"), jen.Err()).Op(":=").Id("rawPayloadOf").Call(jen.Id(a.aspectConst), jen.Lit(a.SchemaRef), jen.Id("payload"))
	}
	return a.typed.payload()
}

func (a patternAspect) handlerFunc() *jen.Statement {
	return jen.Func().Params(jen.Qual("context", "Context"), jen.Op("*").Add(envQual("Envelope")), a.argType()).Error()
}

func (a patternAspect) argType() *jen.Statement {
	if a.raw() {
		return jen.Qual("encoding/json", "RawMessage")
	}
	return a.typed.msgType()
}

func patternAspects(c *ir.ChannelPattern) []patternAspect {
	out := make([]patternAspect, 0, len(c.Aspects))
	for _, a := range c.Aspects {
		pa := patternAspect{PatternAspect: a, aspectConst: a.Const}
		if a.File != nil {
			pa.typed = typedAspectOf(a.File)
			pa.aspectConst, pa.refConst = pa.typed.aspectConst(), pa.typed.refConst()
		}
		out = append(out, pa)
	}
	return out
}

// typedAspectOf is the typed client's view of an aspect file.
func typedAspectOf(f *ir.File) typedAspect {
	a := typedAspect{file: f, root: f.Root.Name}
	if n := f.RootUnion; n != nil {
		a.union, a.funcs = n.Name, n.Type.(*ir.Union).Funcs
	}
	return a
}

// channelsFile renders per channel pattern its constants, builder,
// matcher, bindings, topic, typed subscription and handler, and the
// package's registry entries. It returns no file when p declares no pattern.
func channelsFile(p *ir.Package) ([]File, error) {
	if len(p.Channels) == 0 {
		return nil, nil
	}
	for _, c := range p.Channels {
		for _, a := range c.Aspects {
			if a.File != nil && a.File.Root == nil {
				return nil, fmt.Errorf("%s: internal error: aspect %q has no root type", a.File.Source, a.Aspect)
			}
		}
	}
	var sources []string
	for _, c := range p.Channels {
		sources = append(sources, c.Source)
	}
	f := newTypedFile(p.Name, strings.Join(dedupe(sources), ", "), "The channel patterns check at compile time that they match the runtime;")
	f.ImportName(channelPath, "channel")
	f.ImportName(registryPath, "registry")

	f.Comment("channelPatterns are the package's channel patterns, most specific first.")
	pats := make([]jen.Code, len(p.Channels))
	for i, c := range p.Channels {
		pats[i] = jen.Qual(channelPath, "MustParse").Call(jen.Id(c.Const))
	}
	f.Var().Id("channelPatterns").Op("=").Index().Op("*").Qual(channelPath, "Pattern").Values(jen.List(pats...))
	f.Line()

	for i, c := range p.Channels {
		renderPattern(f, p.Name, i, c, patternAspects(c))
	}
	renderRegistryEntries(f, p)
	renderChannelHelpers(f, p)

	content, err := finish(ir.ChannelsFile, f)
	if err != nil {
		return nil, err
	}
	return []File{{Name: ir.ChannelsFile, Content: content}}, nil
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func renderPattern(f *jen.File, pkg string, index int, c *ir.ChannelPattern, aspects []patternAspect) {
	consts := []jen.Code{jen.Comment(fmt.Sprintf("// %s is the channel pattern %q.", c.Const, c.Pattern))}
	consts = append(consts, doc(c.Doc)...)
	consts = append(consts,
		jen.Id(c.Const).Op("=").Lit(c.Pattern),
		jen.Comment(fmt.Sprintf("// %s is the registry version of %s the package was generated from.", c.VersionConst, c.Const)),
		jen.Id(c.VersionConst).Op("=").Lit(int(c.Version)),
	)
	for _, a := range aspects {
		if a.raw() {
			consts = append(consts,
				jen.Comment(fmt.Sprintf("// %s is the aspect name envelopes of %q on %s carry (no schema: raw JSON).", a.aspectConst, a.Aspect, c.Const)),
				jen.Id(a.aspectConst).Op("=").Lit(a.Aspect))
		}
	}
	f.Const().Defs(consts...)
	f.Line()

	// Builder.
	var params []jen.Code
	var parts []jen.Code
	lit := ""
	for _, s := range c.Segments {
		lit += s.Sep
		if s.Kind == ir.SegLiteral {
			lit += s.Text
			continue
		}
		if lit != "" {
			parts = append(parts, jen.Lit(lit))
			lit = ""
		}
		params = append(params, jen.Id(s.Param).String())
		parts = append(parts, jen.Id(s.Param))
	}
	if lit != "" {
		parts = append(parts, jen.Lit(lit))
	}
	expr := parts[0].(*jen.Statement)
	for _, part := range parts[1:] {
		expr = expr.Clone().Op("+").Add(part)
	}
	f.Comment(fmt.Sprintf("%s returns the channel of %s for the given segments.", c.Builder, c.Const))
	if len(params) > 0 {
		f.Comment("Each value is one segment (no '.' or ':'; for ** one or more segments);")
		f.Comment(fmt.Sprintf("%s rejects a channel that does not match.", "Client."+c.TopicMethod))
	}
	f.Func().Id(c.Builder).Params(params...).String().Block(jen.Return(expr))
	f.Line()

	// Bindings and matcher.
	var fields []jen.Code
	var values = jen.Dict{}
	for _, s := range c.Segments {
		if s.Kind == ir.SegVar {
			fields = append(fields, jen.Comment(fmt.Sprintf("// %s is the segment bound to {%s}.", s.Field, s.Text)), jen.Id(s.Field).String())
			values[jen.Id(s.Field)] = jen.Id("b").Index(jen.Lit(s.Text))
		}
	}
	f.Comment(fmt.Sprintf("%s are the variables a channel of %s binds.", c.Bindings, c.Const))
	f.Type().Id(c.Bindings).Struct(fields...)
	f.Line()
	bind := "_"
	if len(values) > 0 {
		bind = "b"
	}
	f.Comment(fmt.Sprintf("%s reports whether channel matches %s and returns its bindings.", c.Matcher, c.Const))
	f.Func().Id(c.Matcher).Params(jen.Id("channel").String()).Parens(jen.List(jen.Id(c.Bindings), jen.Bool())).Block(
		jen.List(jen.Id(bind), jen.Id("ok")).Op(":=").Id("channelPatterns").Index(jen.Lit(index)).Dot("Match").Call(jen.Id("channel")),
		jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.Id(c.Bindings).Values(), jen.False())),
		jen.Return(jen.Id(c.Bindings).Values(values), jen.True()),
	)
	f.Line()

	// Topic.
	f.Comment(fmt.Sprintf("%s is a channel of %s: its publish methods accept only the", c.Topic, c.Const))
	f.Comment("pattern's aspects. Get one from " + "Client." + c.TopicMethod + ".")
	f.Type().Id(c.Topic).Struct(
		jen.Id("client").Op("*").Id("Client"),
		jen.Id("channel").String(),
		jen.Id("bindings").Id(c.Bindings),
	)
	f.Line()
	f.Comment(fmt.Sprintf("%s returns the topic of channel, which must match %s and no more", c.TopicMethod, c.Const))
	f.Comment(fmt.Sprintf("specific pattern of this package; build it with %s.", c.Builder))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(c.TopicMethod).Params(jen.Id("channel").String()).Parens(jen.List(jen.Id(c.Topic), jen.Error())).Block(
		jen.If(jen.Err().Op(":=").Id("checkChannel").Call(jen.Lit(index), jen.Id("channel")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Id(c.Topic).Values(), jen.Err()),
		),
		jen.List(jen.Id("b"), jen.Id("_")).Op(":=").Id(c.Matcher).Call(jen.Id("channel")),
		jen.Return(jen.Id(c.Topic).Values(jen.Dict{jen.Id("client"): jen.Id("c"), jen.Id("channel"): jen.Id("channel"), jen.Id("bindings"): jen.Id("b")}), jen.Nil()),
	)
	f.Line()
	f.Comment("Channel returns the topic's channel.")
	f.Func().Params(jen.Id("t").Id(c.Topic)).Id("Channel").Params().String().Block(jen.Return(jen.Id("t").Dot("channel")))
	f.Line()
	f.Comment("Bindings returns the variables the topic's channel binds.")
	f.Func().Params(jen.Id("t").Id(c.Topic)).Id("Bindings").Params().Id(c.Bindings).Block(jen.Return(jen.Id("t").Dot("bindings")))
	f.Line()
	for _, a := range aspects {
		if a.raw() {
			f.Comment(fmt.Sprintf("Publish%s publishes payload, which must be JSON, on the topic's channel", a.Method))
			f.Comment(fmt.Sprintf("with aspect %q (the pattern has no schema for it).", a.Aspect))
		} else {
			f.Comment(fmt.Sprintf("Publish%s validates msg and publishes it on the topic's channel with aspect %q.", a.Method, a.Aspect))
		}
		f.Func().Params(jen.Id("t").Id(c.Topic)).Id("Publish"+a.Method).Params(typedCtx(), a.msgParam()).Add(typedResult()).Block(
			a.payload(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("t").Dot("client").Dot("Client").Dot("PublishPayload").Call(jen.Id("ctx"), jen.Id("t").Dot("channel"), jen.Id("p"))),
		)
		f.Line()
	}
	f.Comment("Subscribe subscribes to the topic's channel. Register handlers on the returned")
	f.Comment(c.Subscription + " (OnXxx or Handle); see Client.Subscribe for when dispatch begins.")
	f.Func().Params(jen.Id("t").Id(c.Topic)).Id("Subscribe").Params(
		typedCtx(), jen.Id("opts").Op("...").Add(cliQual("SubscribeOption")),
	).Parens(jen.List(jen.Op("*").Id(c.Subscription), jen.Error())).Block(
		jen.List(jen.Id("s"), jen.Err()).Op(":=").Id("t").Dot("client").Dot("Client").Dot("Subscribe").Call(jen.Id("ctx"), jen.Id("t").Dot("channel"), jen.Id("opts").Op("...")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Return(jen.Op("&").Id(c.Subscription).Values(jen.Dict{jen.Id("Subscription"): jen.Id("s"), jen.Id("bindings"): jen.Id("t").Dot("bindings")}), jen.Nil()),
	)
	f.Line()

	// Subscription.
	f.Comment(fmt.Sprintf("%s receives a channel of %s with typed handlers for the", c.Subscription, c.Const))
	f.Comment("pattern's aspects only. It embeds the runtime subscription (Start, OnGap, OnError, ...).")
	f.Type().Id(c.Subscription).Struct(jen.Op("*").Add(cliQual("Subscription")), jen.Id("bindings").Id(c.Bindings))
	f.Line()
	f.Comment("Bindings returns the variables the subscription's channel binds.")
	f.Func().Params(jen.Id("s").Op("*").Id(c.Subscription)).Id("Bindings").Params().Id(c.Bindings).Block(jen.Return(jen.Id("s").Dot("bindings")))
	f.Line()
	for _, a := range aspects {
		if a.raw() {
			f.Comment(fmt.Sprintf("On%s registers h for envelopes with aspect %q; h receives the payload as raw JSON.", a.Method, a.Aspect))
			f.Func().Params(jen.Id("s").Op("*").Id(c.Subscription)).Id("On" + a.Method).Params(jen.Id("h").Add(a.handlerFunc())).Block(
				jen.Id("s").Dot("Subscription").Dot("HandleAspect").Call(jen.Id(a.aspectConst), jen.Func().Params(typedCtx(), jen.Id("env").Op("*").Add(envQual("Envelope"))).Error().Block(
					jen.Return(jen.Id("h").Call(jen.Id("ctx"), jen.Id("env"), jen.Id("env").Dot("Payload"))),
				)),
			)
		} else {
			f.Comment(fmt.Sprintf("On%s registers h for envelopes with aspect %q. h receives the decoded, validated", a.Method, a.Aspect))
			f.Comment("message; a payload that does not decode or validate goes to the error hooks.")
			typed := typedSubscription{a: a.typed, pkg: pkg}
			f.Func().Params(jen.Id("s").Op("*").Id(c.Subscription)).Id("On" + a.Method).Params(jen.Id("h").Add(typedHandlerFunc(a.typed))).Block(typed.register())
		}
		f.Line()
		f.Comment(fmt.Sprintf("PublishDerived%s publishes on the subscription's channel with aspect %q,", a.Method, a.Aspect))
		f.Comment("caused by the envelope whose handler received ctx (client.ErrNoParent outside a handler).")
		f.Func().Params(jen.Id("s").Op("*").Id(c.Subscription)).Id("PublishDerived"+a.Method).Params(typedCtx(), a.msgParam()).Add(typedResult()).Block(
			a.payload(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("s").Dot("Subscription").Dot("PublishDerivedPayload").Call(jen.Id("ctx"), jen.Id("p"))),
		)
		f.Line()
	}

	// Handler.
	f.Comment(fmt.Sprintf("%s handles the aspects of %s that every subscriber must handle", c.Handler, c.Const))
	f.Comment("(the registry marks them required): a type missing one does not compile. Handle")
	f.Comment("also routes the pattern's other aspects to the handler's methods of the same")
	f.Comment("form when it has them; without one they count as unhandled.")
	var methods []jen.Code
	for _, a := range aspects {
		if a.Required {
			methods = append(methods,
				jen.Comment(fmt.Sprintf("// Handle%s handles an envelope with aspect %q.", a.Method, a.Aspect)),
				jen.Id("Handle"+a.Method).Params(typedCtx(), jen.Id("env").Op("*").Add(envQual("Envelope")), jen.Id("msg").Add(a.argType())).Error())
		}
	}
	f.Type().Id(c.Handler).Interface(methods...)
	f.Line()
	var body []jen.Code
	for _, a := range aspects {
		if a.Required {
			body = append(body, jen.Id("s").Dot("On"+a.Method).Call(jen.Id("h").Dot("Handle"+a.Method)))
			continue
		}
		body = append(body, jen.If(
			jen.List(jen.Id("o"), jen.Id("ok")).Op(":=").Id("h").Assert(jen.Interface(jen.Id("Handle"+a.Method).Params(jen.Qual("context", "Context"), jen.Op("*").Add(envQual("Envelope")), a.argType()).Error())),
			jen.Id("ok"),
		).Block(jen.Id("s").Dot("On"+a.Method).Call(jen.Id("o").Dot("Handle"+a.Method))))
	}
	hname := "h"
	if len(body) == 0 {
		hname = "_"
	}
	f.Comment("Handle routes the subscription's aspects to h: the required ones always, the")
	f.Comment("others when h has their HandleXxx method.")
	f.Func().Params(jen.Id("s").Op("*").Id(c.Subscription)).Id("Handle").Params(jen.Id(hname).Id(c.Handler)).Block(body...)
	f.Line()
}

// typedSubscription renders the registration of a typed handler.
type typedSubscription struct {
	a   typedAspect
	pkg string
}

func (t typedSubscription) register() jen.Code {
	a := t.a
	if a.union != "" {
		return jen.Id("onUnion").Call(jen.Id("s").Dot("Subscription"), jen.Id(a.aspectConst()), jen.Lit(t.pkg+"."+a.union), jen.Id(a.funcs), jen.Id("h"))
	}
	return cliQual("HandleAspectTyped").Index(jen.Id(a.root)).Call(jen.Id("s").Dot("Subscription"), jen.Id(a.aspectConst()), jen.Id("h"))
}

func renderRegistryEntries(f *jen.File, p *ir.Package) {
	f.Comment("RegistryEntries returns the registry entries of this package's channel patterns")
	f.Comment("as generated (pattern, version, aspects with their schemas), most specific first:")
	f.Comment("what a server serves (server.NewRegistry) and what drift detection compares with")
	f.Comment("the live registry.")
	var entries []jen.Code
	for _, c := range p.Channels {
		var aspects []jen.Code
		for _, a := range patternAspects(c) {
			d := jen.Dict{jen.Id("Name"): jen.Id(a.aspectConst)}
			if a.Description != "" {
				d[jen.Id("Description")] = jen.Lit(a.Description)
			}
			if a.Required {
				d[jen.Id("Required")] = jen.True()
			}
			if !a.raw() {
				d[jen.Id("PayloadSchema")] = jen.Id("schemaOf").Call(jen.Id(a.refConst))
			}
			aspects = append(aspects, jen.Values(d))
		}
		d := jen.Dict{
			jen.Id("Pattern"): jen.Id(c.Const),
			jen.Id("Version"): jen.Id(c.VersionConst),
			jen.Id("Aspects"): jen.Qual(registryPath, "Aspects").Values(jen.List(aspects...)),
		}
		if c.Description != "" {
			d[jen.Id("Description")] = jen.Lit(c.Description)
		}
		entries = append(entries, jen.Values(d))
	}
	f.Func().Id("RegistryEntries").Params().Index().Qual(registryPath, "Entry").Block(
		jen.Return(jen.Index().Qual(registryPath, "Entry").Values(jen.List(entries...))),
	)
	f.Line()
}

func renderChannelHelpers(f *jen.File, p *ir.Package) {
	f.Comment("checkChannel reports why channel is not a channel of the pattern at index i")
	f.Comment("of channelPatterns: it does not match, or a more specific pattern claims it.")
	f.Func().Id("checkChannel").Params(jen.Id("i").Int(), jen.Id("name").String()).Error().Block(
		jen.If(jen.List(jen.Id("_"), jen.Id("ok")).Op(":=").Id("channelPatterns").Index(jen.Id("i")).Dot("Match").Call(jen.Id("name")), jen.Op("!").Id("ok")).Block(
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("parsec: channel %q does not match the pattern %q"), jen.Id("name"), jen.Id("channelPatterns").Index(jen.Id("i")))),
		),
		jen.If(jen.List(jen.Id("best"), jen.Id("_")).Op(":=").Qual(channelPath, "Best").Call(jen.Id("channelPatterns"), jen.Id("name")), jen.Id("best").Op("!=").Id("i")).Block(
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("parsec: channel %q belongs to the more specific pattern %q, not %q"), jen.Id("name"), jen.Id("channelPatterns").Index(jen.Id("best")), jen.Id("channelPatterns").Index(jen.Id("i")))),
		),
		jen.Return(jen.Nil()),
	)
	f.Line()
	f.Comment("schemaOf returns the embedded schema whose ref is ref.")
	f.Func().Id("schemaOf").Params(jen.Id("ref").String()).Qual("encoding/json", "RawMessage").Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("a")).Op(":=").Range().Id("Aspects")).Block(
			jen.If(jen.Id("a").Dot("SchemaRef").Op("==").Id("ref")).Block(jen.Return(jen.Qual("encoding/json", "RawMessage").Call(jen.Id("a").Dot("Schema")))),
		),
		jen.Return(jen.Nil()),
	)
	if !hasRawAspects(p) {
		return
	}
	f.Line()
	f.Comment("rawPayloadOf checks that payload is one JSON value and wraps it for publishing.")
	f.Func().Id("rawPayloadOf").Params(jen.List(jen.Id("aspect"), jen.Id("ref")).String(), jen.Id("payload").Qual("encoding/json", "RawMessage")).Parens(jen.List(cliQual("Payload"), jen.Error())).Block(
		jen.If(jen.Op("!").Qual("encoding/json", "Valid").Call(jen.Id("payload"))).Block(
			jen.Return(cliQual("Payload").Values(), jen.Qual("fmt", "Errorf").Call(jen.Lit("parsec: publish %s: payload is not one JSON value"), jen.Id("aspect"))),
		),
		jen.Return(cliQual("Payload").Values(jen.Dict{jen.Id("Aspect"): jen.Id("aspect"), jen.Id("SchemaRef"): jen.Id("ref"), jen.Id("Data"): jen.Id("payload")}), jen.Nil()),
	)
	f.Line()
	f.Comment("rawAspects are the aspects of channel patterns without a schema: any JSON")
	f.Comment("value validates, so a strict validator accepts them.")
	var raws []jen.Code
	for _, c := range p.Channels {
		for _, a := range c.Aspects {
			if a.File == nil {
				raws = append(raws, jen.Values(jen.Dict{
					jen.Id("Name"):      jen.Id(a.Const),
					jen.Id("SchemaRef"): jen.Lit(a.SchemaRef),
					jen.Id("Schema"):    jen.Index().Byte().Call(jen.Lit("true")),
				}))
			}
		}
	}
	f.Var().Id("rawAspects").Op("=").Index().Qual(schemaPath, "Aspect").Values(jen.List(raws...))
}
