// Package emit renders the generator's model (package ir) as Go source with
// jennifer. It decides nothing: names, order, optionality, pointers, union
// strategies, variant forms, holders of undeclared properties, helper and
// typed client names and doc comments come from the model; emit only spells
// them out. Open it to learn how a decision is written in Go; open gen/build
// to learn why it was made.
//
// The model it is given passed build's invariant check, so a broken model is
// impossible here: a renderer that meets one panics with an internalError,
// which the start of each rendering (a named type, the shared, client and
// channels files) recovers as an "internal error" naming the type or file.
//
// For every named type it writes the declaration and five methods: decode
// (one pass over the tokenizer with validation inline), encode (appending to
// a buffer), Validate, MarshalJSON and UnmarshalJSON. Unions become sealed
// interfaces with free decode/encode/validate functions and an exhaustive
// Match helper. A shared file holds the compile-time handshake with the
// runtime and the Aspects (and Resources) tables.
package emit

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// Import paths of the packages generated code uses.
const (
	parsecPath     = "github.com/parsec-gen/parsec-gen/runtime/parsec"
	parsecimplPath = "github.com/parsec-gen/parsec-gen/runtime/parsecimpl"
	schemaPath     = "github.com/parsec-gen/parsec-gen/runtime/schema"
	jxPath         = "github.com/go-faster/jx"
	jsonPath       = "encoding/json"
)

// Options configures rendering. It has no fields yet; it exists so that
// options can be added without changing callers.
type Options struct{}

// File is one rendered, gofmt-formatted Go source file.
type File struct {
	// Name is the base file name.
	Name string
	// Content is the formatted source.
	Content []byte
}

// Package renders every file of p plus the shared file. Files come back in
// the order of p.Files, the shared file last.
func Package(p *ir.Package, opts Options) ([]File, error) {
	if p == nil {
		return nil, errors.New("emit: internal error: nil package")
	}
	// Files render independently (formatting dominates), so they render in
	// parallel, the shared and client files alongside the others; results
	// keep the order of p.Files. A package of one schema file renders in
	// turn: the shared, client and channels files are small beside the
	// schema's, so overlapping them saves little time, and starting threads
	// for them in a short-lived process cost more CPU time than they saved.
	out := make([]File, len(p.Files))
	errs := make([]error, len(p.Files))
	var shared []byte
	var client []File
	var sharedErr, clientErr error
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	spawn := func(job func()) {
		if len(p.Files) <= 1 {
			job()
			return
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			job()
		}()
	}
	spawn(func() { defer recoverInternal(&sharedErr, ir.SharedFile+": "); shared, sharedErr = renderShared(p) })
	for i, f := range p.Files {
		spawn(func() {
			content, err := renderFile(p, f)
			out[i], errs[i] = File{Name: f.Name, Content: content}, err
		})
	}
	spawn(func() { defer recoverInternal(&clientErr, ir.ClientFile+": "); client, clientErr = clientFile(p) })
	var channels []File
	var channelsErr error
	spawn(func() {
		defer recoverInternal(&channelsErr, ir.ChannelsFile+": ")
		channels, channelsErr = channelsFile(p)
	})
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if sharedErr != nil {
		return nil, sharedErr
	}
	if clientErr != nil {
		return nil, clientErr
	}
	if channelsErr != nil {
		return nil, channelsErr
	}
	return append(append(append(out, File{Name: ir.SharedFile, Content: shared}), client...), channels...), nil
}

// newFile starts a jennifer file with the header and explicit import names.
func newFile(pkg, source string) *jen.File {
	f := jen.NewFile(pkg)
	f.NoFormat = true // formatted by finish, which reports failures with a listing
	f.HeaderComment(ir.Header)
	f.HeaderComment("// source: " + commentText(source))
	f.ImportName(parsecPath, "parsec")
	f.ImportName(parsecimplPath, "parsecimpl")
	f.ImportName(schemaPath, "schema")
	f.ImportName(jxPath, "jx")
	f.ImportName(jsonPath, "json")
	return f
}

// finish renders f and formats it. Source that does not parse is a bug of
// the generator: the error says so and shows the listing.
func finish(name string, f *jen.File) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("%s: internal error: rendering: %w", name, err)
	}
	out, err := formatSource(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: internal error: generated code does not parse: %w\n%s", name, err, listing(buf.Bytes()))
	}
	return out, nil
}

// listing numbers the lines of src.
func listing(src []byte) string {
	var b strings.Builder
	for i, line := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%5d  %s\n", i+1, line)
	}
	return b.String()
}

// commentText makes schema text safe inside a // comment: nothing in it can
// end the comment or make the file invalid (line terminators and other
// control characters become spaces, invalid UTF-8 and byte order marks
// become U+FFFD).
func commentText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return r
		case r < 0x20, r == 0x7f, r == 0x85, r == '\u2028', r == '\u2029':
			return ' '
		case r == '\uFEFF':
			return utf8.RuneError
		}
		return r
	}, s)
}

// doc renders doc lines as // comments, one per line.
func doc(lines []string) []jen.Code {
	out := make([]jen.Code, 0, len(lines))
	for _, l := range lines {
		if l == "" {
			out = append(out, jen.Comment("//")) // a paragraph break, as gofmt writes it
			continue
		}
		out = append(out, jen.Comment("// "+commentText(l)))
	}
	return out
}

// internalError is a broken model met while rendering. Build checks the
// model's invariants before returning it, so rendering treats a broken
// model as impossible: it panics with an internalError, and the entry point
// of each rendering (a file, a named type) recovers it as an error.
type internalError struct{ msg string }

// broken makes the internalError to panic with.
func broken(format string, args ...any) internalError {
	return internalError{fmt.Sprintf(format, args...)}
}

// recoverInternal turns a panic with an internalError into *err, prefixed
// with prefix and "internal error: "; any other panic goes on.
func recoverInternal(err *error, prefix string) {
	r := recover()
	if r == nil {
		return
	}
	ie, ok := r.(internalError)
	if !ok {
		panic(r)
	}
	*err = errors.New(prefix + "internal error: " + ie.msg)
}
