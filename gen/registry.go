package gen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen/build"
	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
	"github.com/parsec-gen/parsec-gen/runtime/channel"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

// Snapshot is a Parsec schema registry snapshot to generate from (the body
// of GET <prefix>, see package runtime/registry).
type Snapshot struct {
	// Data is the snapshot's JSON.
	Data []byte
	// Display names the snapshot in errors (a file path or the URL).
	Display string
	// Source names it in generated code ("// source:" lines, doc comments);
	// "" means Display.
	Source string
}

// RegistryRef is the schema ref of aspect on pattern at version, the ref
// envelopes generated from a registry carry: the pattern version is part
// of it, so a consumer knows which registration its code was built from.
func RegistryRef(pattern string, version int64, aspect string) string {
	return "registry/" + url.PathEscape(pattern) + "/v" + strconv.FormatInt(version, 10) + "/" + url.PathEscape(aspect) + ".json"
}

// registryInput is a snapshot turned into the inputs of a build: one
// in-memory schema file per aspect with a payload schema, the channel
// patterns, and how to show places in the snapshot.
type registryInput struct {
	fs      fstest.MapFS
	paths   []string
	inputs  map[string]build.Input
	chans   []build.Channel
	display func(string) string
	source  func(string) string
	// where maps a schema file to the snapshot position of its first byte
	// and its pointer prefix.
	where map[string]snapshotPlace
	// starts maps a pointer prefix to where its payload schema starts.
	starts map[string]load.Pos
	disp   string
}

type snapshotPlace struct {
	pos    load.Pos
	prefix string
}

// fromSnapshot checks the snapshot and lays it out for the build. Errors
// are located in the snapshot by JSON pointer and line:col.
func fromSnapshot(s *Snapshot, namer *naming.Namer) (*registryInput, error) {
	disp := s.Display
	if disp == "" {
		disp = "registry snapshot"
	}
	src := s.Source
	if src == "" {
		src = disp
	}
	_, index, err := load.Parse(s.Data)
	if err != nil {
		var se *load.SyntaxError
		if errAs(err, &se) {
			return nil, load.Errors{{File: disp, Pos: se.Pos, Msg: "invalid JSON: " + se.Msg}}
		}
		return nil, load.Errors{{File: disp, Msg: err.Error()}}
	}
	in := &registryInput{fs: fstest.MapFS{}, inputs: map[string]build.Input{}, where: map[string]snapshotPlace{}, starts: map[string]load.Pos{}, disp: disp}
	var errs load.Errors
	at := func(ptr string) ir.Loc {
		pos, _ := index.Pos(ptr)
		return ir.Loc{File: disp, Line: pos.Line, Col: pos.Col, Pointer: ptr}
	}
	fail := func(ptr, format string, args ...any) {
		l := at(ptr)
		errs = append(errs, &load.Error{File: disp, Pos: load.Pos{Line: l.Line, Col: l.Col}, Pointer: ptr, Msg: fmt.Sprintf(format, args...)})
	}
	var snap registry.Snapshot
	if err := json.Unmarshal(s.Data, &snap); err != nil {
		fail("", "not a registry snapshot (want {\"patterns\": [...], \"at\": ...}): %v", err)
		return nil, errs.Sort()
	}
	if _, ok := index.Pos("/patterns"); !ok {
		fail("", "not a registry snapshot: no \"patterns\" list")
		return nil, errs.Sort()
	}
	seen := map[string]string{}
	files := map[string]string{}
	for i, e := range snap.Patterns {
		eptr := "/patterns/" + strconv.Itoa(i)
		p, err := channel.Parse(e.Pattern)
		if err != nil {
			fail(eptr+"/pattern", "%v", err)
			continue
		}
		if prev, ok := seen[e.Pattern]; ok {
			fail(eptr+"/pattern", "channel pattern %q is also registered at %s", e.Pattern, prev)
			continue
		}
		seen[e.Pattern] = at(eptr).String()
		if e.Version < 1 {
			fail(eptr+"/version", "version %d: want a positive integer", e.Version)
		}
		c := build.Channel{Pattern: e.Pattern, Version: e.Version, Description: e.Description, Loc: at(eptr + "/pattern"), Source: src}
		stem := stemOf(p, namer)
		for _, a := range e.Aspects {
			aptr := eptr + "/aspects/" + load.EscapePointerToken(a.Name)
			ca := build.ChannelAspect{Aspect: a.Name, Description: a.Description, Required: a.Required, Loc: at(aptr),
				SchemaRef: RegistryRef(e.Pattern, e.Version, a.Name)}
			if a.HasSchema() {
				sptr := aptr + "/payload_schema"
				aspectStem := stemWords(a.Name, namer)
				name := stem + "_" + aspectStem + ".json"
				if prev, ok := files[name]; ok {
					fail(aptr, "aspect %q would be written to the same file as %s; the registry's pattern and aspect names must stay apart in Go", a.Name, prev)
					continue
				}
				files[name] = aptr
				pos, _ := index.Pos(sptr)
				in.fs[name] = &fstest.MapFile{Data: bytes.Clone(a.PayloadSchema)}
				in.paths = append(in.paths, name)
				in.where[name] = snapshotPlace{pos: pos, prefix: sptr}
				in.starts[sptr] = pos
				pname, err1 := namer.Exported(strings.ReplaceAll(stem, "_", " "))
				aname, err2 := namer.Exported(a.Name)
				if err1 != nil || err2 != nil {
					fail(aptr, "aspect %q of %q has no Go name", a.Name, e.Pattern)
					continue
				}
				in.inputs[name] = build.Input{Aspect: a.Name, Name: pname + aname, SchemaRef: ca.SchemaRef}
				ca.Path = name
			}
			c.Aspects = append(c.Aspects, ca)
		}
		in.chans = append(in.chans, c)
	}
	if len(errs) > 0 {
		return nil, errs.Sort()
	}
	in.display = func(p string) string { return disp + "#" + in.where[p].prefix }
	in.source = func(p string) string { return src + "#" + in.where[p].prefix }
	return in, nil
}

// stemOf names a pattern in file names: its literal segments, lower case,
// joined by '_' ("sessions:{id}:typing" -> "sessions_typing"); a pattern of
// wildcards only is "channel".
func stemOf(p *channel.Pattern, namer *naming.Namer) string {
	var words []string
	for _, s := range p.Segments() {
		if s.Kind == channel.Literal {
			words = append(words, stemWords(s.Text, namer))
		}
	}
	if len(words) == 0 {
		return "channel"
	}
	return strings.Join(words, "_")
}

func stemWords(s string, _ *naming.Namer) string {
	var ws []string
	for _, w := range naming.Split(s) {
		ws = append(ws, strings.ToLower(w))
	}
	if len(ws) == 0 {
		return "x"
	}
	return strings.Join(ws, "_")
}

// relocate turns places in the in-memory schema files into places in the
// snapshot (see place).
func (in *registryInput) relocate(err error) error {
	var es load.Errors
	if !errAs(err, &es) {
		return err
	}
	out := make(load.Errors, 0, len(es))
	for _, e := range es {
		out = append(out, in.place(e))
	}
	return out.Sort()
}

// place returns e located in the snapshot: the pointer gets the aspect's
// prefix, the position moves by where the payload schema starts (its bytes
// are the snapshot's, verbatim).
func (in *registryInput) place(e *load.Error) *load.Error {
	c := *e
	if name, ptr, ok := strings.Cut(c.File, "#"); ok && name == in.disp {
		if start, ok := in.starts[ptr]; ok {
			c.File = in.disp
			c.Pointer = ptr + c.Pointer
			if c.Pos.Line == 1 {
				c.Pos = load.Pos{Line: start.Line, Col: start.Col + c.Pos.Col - 1}
			} else if c.Pos.Line > 1 {
				c.Pos.Line += start.Line - 1
			}
		}
	}
	return &c
}

func errAs[T any](err error, target *T) bool { return errors.As(err, target) }
