package build

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
	"github.com/parsec-gen/parsec-gen/runtime/channel"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

// Channel is a channel pattern given to the build from outside the schemas
// (a registry snapshot). Schema files declare theirs with x-parsec-channels.
type Channel struct {
	Pattern     string
	Version     int64
	Description string
	// Loc is where the pattern is declared, for errors.
	Loc ir.Loc
	// Source names the declaring file in generated code.
	Source  string
	Aspects []ChannelAspect
}

// ChannelAspect is one aspect of a Channel.
type ChannelAspect struct {
	Aspect      string
	Description string
	Required    bool
	// Path is the FS path of the aspect's schema among the inputs; "" when
	// the pattern has no schema for the aspect (payloads are raw JSON).
	Path string
	// SchemaRef is the ref envelopes carry when Path is "" (with a schema
	// the file's SchemaRef is used).
	SchemaRef string
	Loc       ir.Loc
}

// Input overrides what the build derives from one input document.
type Input struct {
	// Aspect replaces x-parsec-aspect and the file name.
	Aspect string
	// Name names the root type when the schema sets no x-go-name (its title
	// is not used: the same title on two patterns must not clash).
	Name string
	// SchemaRef replaces the $id or path.
	SchemaRef string
}

// ChannelsKeyword is the schema keyword declaring the channel patterns an
// aspect is published on: a list of pattern strings or objects
// {"pattern", "required", "version", "description"}.
const ChannelsKeyword = "x-parsec-channels"

// declared collects the patterns of cfg.Channels and of every input's
// x-parsec-channels, merged by pattern string.
func (b *builder) declared() []Channel {
	out := slices.Clone(b.cfg.Channels)
	index := map[string]int{}
	for i, c := range out {
		index[c.Pattern] = i
	}
	for _, d := range b.set.Inputs {
		obj, ok := d.Value.(map[string]any)
		if !ok {
			continue
		}
		raw, ok := obj[ChannelsKeyword]
		if !ok {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			b.errorf(d, "/"+ChannelsKeyword, "%s must be a list of channel patterns (strings or {\"pattern\": ..., \"required\": ...})", ChannelsKeyword)
			continue
		}
		for i, item := range list {
			ptr := fmt.Sprintf("/%s/%d", ChannelsKeyword, i)
			c, ca, ok := b.channelItem(d, ptr, item)
			if !ok {
				continue
			}
			j, seen := index[c.Pattern]
			if !seen {
				index[c.Pattern] = len(out)
				out = append(out, c)
				j = len(out) - 1
			} else {
				prev := &out[j]
				if c.Version != 0 && prev.Version != 0 && c.Version != prev.Version {
					b.errorf(d, ptr, "channel pattern %q: version %d, but %s declares version %d", c.Pattern, c.Version, prev.Loc, prev.Version)
				}
				if c.Description != "" && prev.Description != "" && c.Description != prev.Description {
					b.errorf(d, ptr, "channel pattern %q: a description other than the one at %s; describe the pattern once", c.Pattern, prev.Loc)
				}
				if prev.Version == 0 {
					prev.Version = c.Version
				}
				if prev.Description == "" {
					prev.Description = c.Description
				}
			}
			for _, a := range out[j].Aspects {
				if a.Path == ca.Path {
					b.errorf(d, ptr, "channel pattern %q is listed twice", c.Pattern)
				}
			}
			out[j].Aspects = append(out[j].Aspects, ca)
		}
	}
	for i := range out {
		if out[i].Version == 0 {
			out[i].Version = 1
		}
	}
	return out
}

// channelItem reads one x-parsec-channels entry of input d.
func (b *builder) channelItem(d *load.Doc, ptr string, item any) (Channel, ChannelAspect, bool) {
	c := Channel{Loc: b.loc(d, ptr), Source: b.file(d).Source}
	ca := ChannelAspect{Aspect: b.aspect(d), Path: d.Path, Loc: c.Loc}
	switch v := item.(type) {
	case string:
		c.Pattern = v
	case map[string]any:
		for k, val := range v {
			var ok bool
			switch k {
			case "pattern":
				c.Pattern, ok = val.(string)
			case "required":
				ca.Required, ok = val.(bool)
			case "description":
				c.Description, ok = val.(string)
			case "version":
				n, isNum := val.(json.Number)
				if isNum {
					v, err := n.Int64()
					c.Version, ok = v, err == nil && v > 0
				}
			default:
				b.errorf(d, ptr+"/"+load.EscapePointerToken(k), "unknown key %q (want pattern, required, version or description)", k)
				continue
			}
			if !ok {
				b.errorf(d, ptr+"/"+load.EscapePointerToken(k), "%q has the wrong type (pattern and description are strings, required a boolean, version a positive integer)", k)
			}
		}
		if c.Pattern == "" {
			b.errorf(d, ptr, "a channel entry needs a \"pattern\"")
			return c, ca, false
		}
	default:
		b.errorf(d, ptr, "want a channel pattern string or an object with \"pattern\"")
		return c, ca, false
	}
	return c, ca, true
}

// channels builds the package's channel patterns once every type is named;
// taken holds every package-level name already declared.
func (b *builder) channels(p *ir.Package, taken map[string]string) {
	specs := b.declared()
	if len(specs) == 0 {
		return
	}
	filesByPath := map[string]*ir.File{}
	for _, f := range b.fileList {
		filesByPath[f.Path] = f
	}
	type parsed struct {
		spec Channel
		pat  *channel.Pattern
		ir   *ir.ChannelPattern
	}
	var all []parsed
	for _, s := range specs {
		pat, err := channel.Parse(s.Pattern)
		if err != nil {
			b.errs = append(b.errs, locErr(s.Loc, err.Error()))
			continue
		}
		all = append(all, parsed{spec: s, pat: pat})
	}
	slices.SortFunc(all, func(x, y parsed) int { return channel.Compare(x.pat, y.pat) })

	// A pattern is named by its literal segments; patterns whose literals
	// agree are all named by every segment, so no name depends on which
	// other patterns exist beyond those it clashes with.
	short := map[string]int{}
	for _, x := range all {
		short[b.patternName(x.pat, false)]++
	}
	claim := func(name, place string, loc ir.Loc) {
		if prev, ok := taken[name]; ok {
			b.errs = append(b.errs, locErr(loc, fmt.Sprintf("Go name %q of %s is also used by %s", name, place, prev)))
			return
		}
		taken[name] = place
	}
	for i := range all {
		x := &all[i]
		base := b.patternName(x.pat, false)
		if short[base] > 1 {
			base = b.patternName(x.pat, true)
		}
		place := fmt.Sprintf("channel pattern %q", x.spec.Pattern)
		cp := &ir.ChannelPattern{
			Pattern: x.spec.Pattern, Version: x.spec.Version, Doc: sanitize(x.spec.Description), Description: x.spec.Description, Loc: x.spec.Loc, Source: x.spec.Source,
			Const: base + "Pattern", VersionConst: base + "PatternVersion", Builder: base + "Channel",
			Matcher: "Match" + base + "Channel", Bindings: base + "Bindings", Topic: base + "Topic",
			TopicMethod: base, Subscription: base + "Subscription", Handler: base + "Handler",
		}
		for _, n := range []string{cp.Const, cp.VersionConst, cp.Builder, cp.Matcher, cp.Bindings, cp.Topic, cp.Subscription, cp.Handler} {
			claim(n, place, x.spec.Loc)
		}
		claim("client method "+cp.TopicMethod, place, x.spec.Loc)
		if slices.Contains(naming.RuntimeClientMethods(), cp.TopicMethod) {
			b.errs = append(b.errs, locErr(x.spec.Loc, fmt.Sprintf("%s: the Client method %s would hide the runtime client's %s", place, cp.TopicMethod, cp.TopicMethod)))
		}
		cp.Segments = b.segments(x.pat)
		methods := map[string]string{}
		for _, a := range x.spec.Aspects {
			pa := &ir.PatternAspect{Aspect: a.Aspect, Doc: sanitize(a.Description), Description: a.Description, Required: a.Required, SchemaRef: a.SchemaRef}
			m, err := b.cfg.Namer.Exported(a.Aspect)
			if err != nil {
				b.errs = append(b.errs, locErr(a.Loc, fmt.Sprintf("aspect %q: %v", a.Aspect, err)))
				continue
			}
			if a.Path != "" {
				f := filesByPath[a.Path]
				if f == nil {
					b.errs = append(b.errs, locErr(a.Loc, fmt.Sprintf("internal error: aspect %q: no file %s", a.Aspect, a.Path)))
					continue
				}
				pa.File, pa.SchemaRef = f, f.SchemaRef
				b.registrySchema(f)
			}
			// A typed method must not hide one of the embedded runtime
			// subscription's (an aspect "error" would shadow OnError).
			for _, rm := range naming.RuntimeSubscriptionMethods() {
				if rm == "On"+m || rm == "PublishDerived"+m {
					m += "Aspect"
					break
				}
			}
			pa.Method = m
			if prev, ok := methods[m]; ok {
				b.errs = append(b.errs, locErr(a.Loc, fmt.Sprintf("%s: aspects %q and %q both get the methods Publish%s, On%s and Handle%s", place, prev, a.Aspect, m, m, m)))
				continue
			}
			methods[m] = a.Aspect
			if pa.File == nil {
				pa.Const = "Aspect" + base + m
				claim(pa.Const, fmt.Sprintf("aspect %q of %s", a.Aspect, place), a.Loc)
			}
			cp.Aspects = append(cp.Aspects, pa)
		}
		x.ir = cp
		p.Channels = append(p.Channels, cp)
	}
}

// patternName is the Go name part of a pattern: its literal segments, or
// with full also its variables ("By"+name) and wildcards ("Any", "Rest").
func (b *builder) patternName(p *channel.Pattern, full bool) string {
	var words []string
	for _, s := range p.Segments() {
		switch {
		case s.Kind == channel.Literal:
			words = append(words, s.Text)
		case !full:
		case s.Kind == channel.Var:
			words = append(words, "by", s.Text)
		case s.Kind == channel.Star:
			words = append(words, "any")
		case s.Kind == channel.DoubleStar:
			words = append(words, "rest")
		}
	}
	if len(words) == 0 {
		if !full {
			return b.patternName(p, true)
		}
		return "Channel"
	}
	var out strings.Builder
	for _, w := range words {
		n, err := b.cfg.Namer.Exported(w)
		if err != nil {
			n = naming.Symbols(w)
		}
		out.WriteString(strings.TrimPrefix(n, naming.Prefix))
	}
	name := out.String()
	if r, _ := utf8.DecodeRuneInString(name); !unicode.IsUpper(r) {
		name = naming.Prefix + name
	}
	return name
}

// segments converts a pattern's segments with their builder parameters and
// binding fields.
func (b *builder) segments(p *channel.Pattern) []ir.PatternSegment {
	var out []ir.PatternSegment
	params := map[string]bool{}
	n := 0
	for _, s := range p.Segments() {
		seg := ir.PatternSegment{Text: s.Text}
		if s.Sep != 0 {
			seg.Sep = string(s.Sep)
		}
		switch s.Kind {
		case channel.Literal:
			seg.Kind = ir.SegLiteral
		case channel.Var:
			seg.Kind = ir.SegVar
			field, err := b.cfg.Namer.Exported(s.Text)
			if err != nil {
				field = naming.Symbols(s.Text)
			}
			seg.Field = field
			seg.Param = lowerFirst(field)
		case channel.Star:
			n++
			seg.Kind = ir.SegStar
			seg.Param = fmt.Sprintf("segment%d", n)
		case channel.DoubleStar:
			seg.Kind = ir.SegDoubleStar
			seg.Param = "rest"
		default:
			panic("unreachable: segment kind " + s.Kind.String())
		}
		if seg.Param != "" {
			for params[seg.Param] || naming.IsReserved(seg.Param) || seg.Param == "channel" {
				seg.Param += "Value"
			}
			params[seg.Param] = true
		}
		out = append(out, seg)
	}
	return out
}

// lowerFirst turns an exported name into a parameter name: its leading
// upper-case run lowered ("ID" -> "id", "UserID" -> "userID", "URLPath" ->
// "urlPath").
func lowerFirst(s string) string {
	r := []rune(s)
	i := 0
	for i < len(r) && unicode.IsUpper(r[i]) {
		i++
	}
	switch {
	case i == 0:
	case i == 1 || i == len(r):
		for j := 0; j < i; j++ {
			r[j] = unicode.ToLower(r[j])
		}
	default:
		for j := 0; j < i-1; j++ {
			r[j] = unicode.ToLower(r[j])
		}
	}
	return string(r)
}

// registrySchema records in f the schema as its file is written when the
// embedded form differs from it as drift detection compares schemas: a registry entry carries the
// text as written, and drift detection compares it with the live registry.
func (b *builder) registrySchema(f *ir.File) {
	if f.RegistrySchema != nil {
		return
	}
	d, ok := b.docs[f]
	if !ok {
		return
	}
	// Drift detection compares with registry.SameSchema: when that finds the
	// embedded form equal to the text as written, one copy serves both.
	if written := d.Effective(); !registry.SameSchema(written, f.Schema) {
		f.RegistrySchema = written
	}
}
