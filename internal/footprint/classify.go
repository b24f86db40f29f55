// Package footprint measures what parsec-gen's output costs its users: the
// bytes and lines it writes for a corpus of schemas against go-jsonschema's,
// where those bytes go by construct (types, decoders, encoders, validators,
// schema text, comments, ...), how long and how much memory `go build`
// takes per generated package, and how long one generation takes as a
// process, as go:generate runs it. The figures are printed by
// ./internal/footprint/cmd/footprint (make footprint, make footprint-build,
// make footprint-startup); nothing here runs in the test suite except the
// tests of the classification itself.
package footprint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// Construct is a kind of generated code that bytes are attributed to.
type Construct int

// The constructs, in the order tables list them. Every byte of a file is
// attributed to exactly one.
const (
	// Types are type declarations (the code; their comments are Comments).
	Types Construct = iota
	// Decode are the decode methods and the decodeX functions of unions and
	// named non-struct types (including decodeBody).
	Decode
	// Encode are the encode methods and encodeX functions.
	Encode
	// Validate are the Validate methods, validateX functions and the
	// residual schema set (residualSchemas and the init that sets it).
	Validate
	// Boilerplate are MarshalJSON, UnmarshalJSON and the sizeHintX vars:
	// the per-type entry points that only forward to decode and encode.
	Boilerplate
	// Unions are what union (oneOf/anyOf) types carry besides codecs: the
	// isX marker methods, the MatchX functions, the unionX function tables
	// and the holdUnion/onUnion helpers.
	Unions
	// Patterns are the package-level vars holding compiled patterns
	// (parsec.NewPattern), used by decode and Validate.
	Patterns
	// Enums are const declarations (enum values), except the runtime
	// handshake.
	Enums
	// SchemaText is the embedded schema JSON: the string literals of the
	// Schema fields in the Aspects and Resources vars of the shared file.
	SchemaText
	// Comments are all comments, doc comments and the header.
	Comments
	// Client is the shared client and aspect files (parsec_client.parsec.go,
	// parsec_aspects.parsec.go) and the payloadX, NewClient and NewValidator
	// functions, without their comments and schema text.
	Client
	// Accessors are other methods of generated types (Map views, ...).
	Accessors
	// Other is the rest: package clause, imports, the version handshake,
	// interface assertions, blank lines between declarations.
	Other
	numConstructs
)

var constructNames = [numConstructs]string{
	Types:       "type declarations",
	Decode:      "decode methods/funcs",
	Encode:      "encode methods/funcs",
	Validate:    "Validate methods/funcs + residual set",
	Boilerplate: "MarshalJSON/UnmarshalJSON/size hints",
	Unions:      "union plumbing (isX, MatchX, unionX, hold/onUnion)",
	Patterns:    "pattern vars (parsec.NewPattern)",
	Enums:       "enum constants",
	SchemaText:  "embedded schema text",
	Comments:    "comments (doc + header)",
	Client:      "client/aspect wrappers",
	Accessors:   "other methods (Map views, ...)",
	Other:       "other (package, imports, handshake, blank lines)",
}

// String names the construct as tables show it.
func (c Construct) String() string {
	if c < 0 || c >= numConstructs {
		return fmt.Sprintf("Construct(%d)", int(c))
	}
	return constructNames[c]
}

// Constructs lists every construct in table order.
func Constructs() []Construct {
	out := make([]Construct, numConstructs)
	for i := range out {
		out[i] = Construct(i)
	}
	return out
}

// Breakdown is bytes and lines per construct. A line belongs to the
// construct of its first non-blank byte; blank lines are Other.
type Breakdown struct {
	Bytes [numConstructs]int64
	Lines [numConstructs]int64
	// SchemaTextCompact is what SchemaText would take with the schema JSON
	// compacted (encoding/json.Compact) and written as a raw string literal
	// where it holds no backquote (a quoted one otherwise): an estimate
	// for the redesign, not part of the totals.
	SchemaTextCompact int64
	// CommentsOn splits Comments by the construct of the declaration they
	// document or sit in; the file header and free-floating comments are
	// Other.
	CommentsOn [numConstructs]int64
	// PlaceComments are the bytes of comment lines that only say where a
	// declaration comes from ("X corresponds to the schema at ..." and
	// "X corresponds to the JSON property ..."), part of Comments.
	PlaceComments int64
}

// Add adds o into b.
func (b *Breakdown) Add(o Breakdown) {
	for i := range b.Bytes {
		b.Bytes[i] += o.Bytes[i]
		b.Lines[i] += o.Lines[i]
	}
	for i := range b.CommentsOn {
		b.CommentsOn[i] += o.CommentsOn[i]
	}
	b.SchemaTextCompact += o.SchemaTextCompact
	b.PlaceComments += o.PlaceComments
}

// TotalBytes is the sum over constructs: the size of the classified files.
func (b Breakdown) TotalBytes() int64 {
	var n int64
	for _, v := range b.Bytes {
		n += v
	}
	return n
}

// TotalLines is the sum over constructs: the line count of the files.
func (b Breakdown) TotalLines() int64 {
	var n int64
	for _, v := range b.Lines {
		n += v
	}
	return n
}

// sharedFiles are the files every generated package has once.
var sharedFiles = map[string]bool{
	"parsec_client.parsec.go":  true,
	"parsec_aspects.parsec.go": true,
}

// Classify attributes every byte of one generated Go file (name is its base
// name) to a construct by parsing it.
func Classify(name string, src []byte) (Breakdown, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return Breakdown{}, err
	}
	owner := make([]Construct, len(src))
	for i := range owner {
		owner[i] = Other
	}
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	mark := func(from, to token.Pos, c Construct) {
		for i := off(from); i < off(to); i++ {
			owner[i] = c
		}
	}
	var b Breakdown
	shared := sharedFiles[name]
	docOf := map[*ast.CommentGroup]Construct{}
	for _, d := range f.Decls {
		c := classifyDecl(d, shared)
		mark(d.Pos(), d.End(), c)
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Doc != nil {
				docOf[d.Doc] = c
			}
		case *ast.GenDecl:
			if d.Doc != nil {
				docOf[d.Doc] = c
			}
		}
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			for _, lit := range schemaLiterals(gd) {
				mark(lit.Pos(), lit.End(), SchemaText)
				b.SchemaTextCompact += compactLiteral(lit.Value)
			}
		}
	}
	for _, cg := range f.Comments {
		on, ok := docOf[cg]
		if !ok {
			on = owner[off(cg.Pos())]
		}
		for _, c := range cg.List {
			b.CommentsOn[on] += int64(len(c.Text))
			mark(c.Pos(), c.End(), Comments)
			if strings.Contains(c.Text, " corresponds to the schema at ") || strings.Contains(c.Text, " corresponds to the JSON property ") {
				b.PlaceComments += int64(len(c.Text))
			}
		}
	}
	for _, c := range owner {
		b.Bytes[c]++
	}
	lineStart := 0
	for i := 0; i <= len(src); i++ {
		if i < len(src) && src[i] != '\n' {
			continue
		}
		if i == len(src) && lineStart == len(src) {
			break
		}
		c := Other
		for j := lineStart; j < i; j++ {
			if src[j] != ' ' && src[j] != '\t' && src[j] != '\r' {
				c = owner[j]
				break
			}
		}
		b.Lines[c]++
		lineStart = i + 1
	}
	return b, nil
}

func classifyDecl(d ast.Decl, shared bool) Construct {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return classifyFunc(d, shared)
	case *ast.GenDecl:
		switch d.Tok {
		case token.IMPORT:
			return Other
		case token.TYPE:
			if shared {
				return Client
			}
			return Types
		case token.CONST:
			if isHandshake(d) {
				return Other
			}
			if shared {
				return Client
			}
			return Enums
		case token.VAR:
			return classifyVar(d, shared)
		}
	}
	return Other
}

func classifyFunc(d *ast.FuncDecl, shared bool) Construct {
	name := d.Name.Name
	if d.Recv != nil {
		switch {
		case name == "decode" || name == "decodeBody":
			return Decode
		case name == "encode":
			return Encode
		case name == "Validate":
			return Validate
		case name == "MarshalJSON" || name == "UnmarshalJSON":
			return Boilerplate
		case shared:
			return Client
		case strings.HasPrefix(name, "is") && isMarker(d):
			return Unions
		}
		return Accessors
	}
	switch {
	case name == "init":
		return Validate
	case hasWordPrefix(name, "decode"):
		return Decode
	case hasWordPrefix(name, "encode"):
		return Encode
	case hasWordPrefix(name, "validate"):
		return Validate
	case hasWordPrefix(name, "Match") || name == "holdUnion" || name == "onUnion":
		return Unions
	case shared || hasWordPrefix(name, "payload") || name == "NewClient" || name == "NewValidator":
		return Client
	}
	return Other
}

// isMarker reports whether d is an empty method without parameters and
// results: the isX method that closes a union interface.
func isMarker(d *ast.FuncDecl) bool {
	return d.Type.Params.NumFields() == 0 && d.Type.Results.NumFields() == 0 &&
		d.Body != nil && len(d.Body.List) == 0
}

// hasWordPrefix reports whether name is prefix followed by an upper-case
// letter, a digit or nothing.
func hasWordPrefix(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	rest := name[len(prefix):]
	return rest == "" || (rest[0] >= 'A' && rest[0] <= 'Z') || (rest[0] >= '0' && rest[0] <= '9')
}

func isHandshake(d *ast.GenDecl) bool {
	if len(d.Specs) != 1 {
		return false
	}
	vs, ok := d.Specs[0].(*ast.ValueSpec)
	if !ok || len(vs.Values) != 1 {
		return false
	}
	sel, ok := vs.Values[0].(*ast.SelectorExpr)
	return ok && strings.HasPrefix(sel.Sel.Name, "SupportPackageIsVersion")
}

func classifyVar(d *ast.GenDecl, shared bool) Construct {
	var names []string
	var calls []string
	for _, s := range d.Specs {
		vs, ok := s.(*ast.ValueSpec)
		if !ok {
			continue
		}
		for _, n := range vs.Names {
			names = append(names, n.Name)
		}
		for _, v := range vs.Values {
			if ce, ok := v.(*ast.CallExpr); ok {
				if sel, ok := ce.Fun.(*ast.SelectorExpr); ok {
					calls = append(calls, sel.Sel.Name)
				}
			}
		}
	}
	if len(names) == 0 {
		return Other
	}
	all := func(pred func(string) bool, list []string) bool {
		for _, s := range list {
			if !pred(s) {
				return false
			}
		}
		return len(list) > 0
	}
	switch {
	case all(func(s string) bool { return s == "NewPattern" }, calls) && len(calls) == len(names):
		return Patterns
	case all(func(s string) bool { return hasWordPrefix(s, "sizeHint") }, names):
		return Boilerplate
	case all(func(s string) bool { return hasWordPrefix(s, "union") }, names):
		return Unions
	case all(func(s string) bool { return hasWordPrefix(s, "residual") }, names):
		return Validate
	case all(func(s string) bool { return s == "_" }, names):
		return Other
	case shared:
		return Client
	}
	return Other
}

// schemaLiterals returns the string literals that are the value of a Schema
// key in the composite literals of d (Aspects and Resources entries), as
// []byte("...") conversions or plain strings.
func schemaLiterals(d *ast.GenDecl) []*ast.BasicLit {
	var out []*ast.BasicLit
	ast.Inspect(d, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Schema" {
			return true
		}
		ast.Inspect(kv.Value, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				out = append(out, lit)
			}
			return true
		})
		return false
	})
	return out
}

// Decl is one top-level declaration and the construct it is attributed to
// (its comments and schema text apart).
type Decl struct {
	// Name is the function or method name (methods as Recv.Name), the
	// first declared name of a type, const or var declaration, or "import".
	Name      string
	Construct Construct
}

// Decls lists the top-level declarations of one generated file with their
// constructs, so that a new kind of generated declaration shows up instead
// of landing in Other unnoticed.
func Decls(name string, src []byte) ([]Decl, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	shared := sharedFiles[name]
	var out []Decl
	for _, d := range f.Decls {
		out = append(out, Decl{Name: declName(d), Construct: classifyDecl(d, shared)})
	}
	return out, nil
}

func declName(d ast.Decl) string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			t := d.Recv.List[0].Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if ix, ok := t.(*ast.IndexExpr); ok {
				t = ix.X
			}
			if id, ok := t.(*ast.Ident); ok {
				return id.Name + "." + d.Name.Name
			}
		}
		return d.Name.Name
	case *ast.GenDecl:
		if d.Tok == token.IMPORT {
			return "import"
		}
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				return s.Name.Name
			case *ast.ValueSpec:
				if len(s.Names) > 0 {
					return s.Names[0].Name
				}
			}
		}
	}
	return "?"
}

// compactLiteral is the length of the Go literal lit would be with its JSON
// compacted: a raw string if it can be one, else quoted. A literal that is
// not JSON keeps its length.
func compactLiteral(lit string) int64 {
	text, err := strconv.Unquote(lit)
	if err != nil {
		return int64(len(lit))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(text)); err != nil {
		return int64(len(lit))
	}
	c := buf.String()
	if !strings.ContainsAny(c, "`\r") {
		return int64(len(c) + 2)
	}
	return int64(len(strconv.Quote(c)))
}
