// Package naming turns JSON names into Go identifiers and checks them for
// collisions. A Namer carries its configuration (initialisms); there is no
// package-level mutable state.
package naming

import (
	"fmt"
	"go/token"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultInitialisms returns golint's list of words spelled in upper case.
func DefaultInitialisms() []string {
	return []string{"ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS",
		"ID", "IP", "JSON", "LHS", "QPS", "RAM", "RHS", "RPC", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS",
		"TTL", "UDP", "UI", "UID", "UUID", "URI", "URL", "UTF8", "VM", "XML", "XMPP", "XSRF", "XSS"}
}

// Prefix is put before a name that cannot start with an upper-case letter.
const Prefix = "X"

// Namer converts JSON names to Go identifiers.
type Namer struct {
	initialisms map[string]string // upper-case word -> spelling
}

// New returns a Namer using the given initialisms; nil means DefaultInitialisms.
func New(initialisms []string) *Namer {
	if initialisms == nil {
		initialisms = DefaultInitialisms()
	}
	n := &Namer{initialisms: make(map[string]string, len(initialisms))}
	for _, w := range initialisms {
		n.initialisms[strings.ToUpper(w)] = w
	}
	return n
}

// Split breaks s into words: at every character that is neither a letter nor
// a digit, at a change from lower case (or digit) to upper case, and before
// the last upper-case letter of a run followed by a lower-case letter
// ("HTTPServer" -> "HTTP", "Server").
func Split(s string) []string {
	var words []string
	rs := []rune(s)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, string(rs[start:end]))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			flush(i)
			start = i
		case unicode.IsLower(r) && unicode.IsUpper(prev) && i-1 > start && unicode.IsUpper(rs[i-2]):
			flush(i - 1)
			start = i - 1
		}
	}
	flush(len(rs))
	return words
}

// word spells one word in Go case.
func (n *Namer) word(w string) string {
	up := strings.ToUpper(w)
	if s, ok := n.initialisms[up]; ok {
		return s
	}
	// Plural of an initialism: "ids" -> "IDs", "URLs" -> "URLs".
	if len(w) > 2 && (w[len(w)-1] == 's') {
		if s, ok := n.initialisms[up[:len(up)-1]]; ok {
			return s + "s"
		}
	}
	r, size := utf8.DecodeRuneInString(w)
	rest := w[size:]
	// Keep camel case inside a word written by the author ("iPhone" was
	// split already); lower the rest of an all-caps word ("NAME" -> "Name").
	if strings.ToUpper(rest) == rest {
		rest = strings.ToLower(rest)
	}
	return string(unicode.ToUpper(r)) + rest
}

// Exported returns the exported Go identifier for the JSON name s: its words
// in Go case, joined, with Prefix added when the result would not start with
// an upper-case letter. It fails when s holds no letter or digit.
func (n *Namer) Exported(s string) (string, error) {
	words := Split(s)
	if len(words) == 0 {
		// A name made of symbols only ("/", "#", "_" are real property
		// names) is spelled out so the schema still generates.
		if s == "" {
			return "", fmt.Errorf("the empty name cannot become a Go identifier; set x-go-name")
		}
		return Symbols(s), nil
	}
	var b strings.Builder
	for _, w := range words {
		b.WriteString(n.word(w))
	}
	out := b.String()
	if r, _ := utf8.DecodeRuneInString(out); !unicode.IsUpper(r) {
		out = Prefix + out
	}
	return out, nil
}

// Join concatenates already-exported parts into one derived name, e.g.
// Join("Order", "Items", "Item") for an array item type.
func Join(parts ...string) string {
	return strings.Join(parts, "")
}

// IsExportedIdent reports whether s is an exported Go identifier that is not
// a keyword.
func IsExportedIdent(s string) bool {
	return token.IsIdentifier(s) && token.IsExported(s)
}

// Value returns the name part for an enum value given as compact JSON text:
// `"in-progress"` -> "InProgress", `3` -> "3", `-1.5` -> "Minus1_5",
// `null` -> "Null", `""` -> "Empty". The result may start with a digit; it is
// appended to the type name.
func (n *Namer) Value(jsonText string) string {
	switch jsonText {
	case "null":
		return "Null"
	case "true":
		return "True"
	case "false":
		return "False"
	case `""`:
		return "Empty"
	}
	if strings.HasPrefix(jsonText, `"`) {
		s := strings.TrimSuffix(strings.TrimPrefix(jsonText, `"`), `"`)
		words := Split(s)
		if len(words) == 0 {
			return Symbols(s)
		}
		var b strings.Builder
		for _, w := range words {
			b.WriteString(n.word(w))
		}
		return b.String()
	}
	if jsonText != "" && (jsonText[0] == '-' || (jsonText[0] >= '0' && jsonText[0] <= '9')) {
		return strings.NewReplacer("-", "Minus", ".", "_", "+", "").Replace(jsonText)
	}
	return "Value"
}

var symbolNames = map[rune]string{'/': "Slash", '#': "Hash", '?': "Question", '_': "Underscore", '$': "Dollar",
	'@': "At", '*': "Star", '.': "Dot", '-': "Dash", '+': "Plus", '~': "Tilde", ':': "Colon", '!': "Bang",
	'%': "Percent", '&': "Amp", '=': "Equals", '<': "Less", '>': "Greater", '|': "Pipe", '^': "Caret",
	',': "Comma", ';': "Semicolon", ' ': "Space", '(': "LParen", ')': "RParen", '[': "LBracket",
	']': "RBracket", '{': "LBrace", '}': "RBrace", '\'': "Quote", '"': "DQuote", '\\': "Backslash", '`': "Backquote"}

// Symbols spells a name made of symbols: "/" -> "Slash", "<=" -> "LessEquals";
// other characters become "U" and their hexadecimal code point.
func Symbols(s string) string {
	var b strings.Builder
	for _, r := range s {
		if n, ok := symbolNames[r]; ok {
			b.WriteString(n)
		} else {
			fmt.Fprintf(&b, "U%04X", r)
		}
	}
	return b.String()
}

// predeclared are Go's predeclared identifiers that an exported name can
// still shadow ("Any" cannot, but keep the list complete for lower case use).
var predeclared = []string{"any", "append", "bool", "byte", "cap", "clear", "close", "comparable",
	"complex", "complex128", "complex64", "copy", "delete", "error", "false", "float32", "float64",
	"imag", "int", "int16", "int32", "int64", "int8", "iota", "len", "make", "max", "min", "new", "nil",
	"panic", "print", "println", "real", "recover", "rune", "string", "true", "uint", "uint16",
	"uint32", "uint64", "uint8", "uintptr"}

// MethodNames are the methods generated types carry; no field may use them.
var methodNames = []string{"Validate", "MarshalJSON", "UnmarshalJSON", "String", "IsZero",
	"EncodeJSON", "DecodeJSON", "Encode", "Decode"}

// ReservedFieldNames returns the names a struct field may not take because
// generated methods use them.
func ReservedFieldNames() []string {
	return slices.Clone(methodNames)
}

// ReservedTypeNames returns names a package-level exported identifier may not
// take because generated code declares them (the aspect tables and the typed
// client). Per aspect, generated code also declares Aspect<Root> and
// SchemaRef<Root>; see AspectNames.
func ReservedTypeNames() []string {
	return []string{"Aspects", "Resources", "Client", "Subscription", "NewClient", "Handler",
		"UnimplementedHandler", "Register", "NewValidator", "RegistryEntries"}
}

// IsReserved reports whether s is a Go keyword or predeclared identifier.
func IsReserved(s string) bool {
	return token.IsKeyword(s) || slices.Contains(predeclared, s)
}

// Scope is a set of names that must be unique (the fields of one struct, or
// the package-level identifiers), each recorded with the place that claimed it.
type Scope struct {
	owner map[string]string
}

// NewScope returns a scope in which the reserved names are already taken.
func NewScope(reserved ...string) *Scope {
	s := &Scope{owner: make(map[string]string)}
	for _, r := range reserved {
		s.owner[r] = ""
	}
	return s
}

// Taken reports whether name is claimed or reserved.
func (s *Scope) Taken(name string) bool {
	_, ok := s.owner[name]
	return ok
}

// Claim records name for place. It fails, naming both places, when the name is
// already taken.
func (s *Scope) Claim(name, place string) error {
	if prev, ok := s.owner[name]; ok {
		if prev == "" {
			return fmt.Errorf("Go name %q is reserved; set x-go-name", name)
		}
		return fmt.Errorf("Go name %q is also used by %s; set x-go-name on one of them", name, prev)
	}
	s.owner[name] = place
	return nil
}

// ClaimFirstFree claims the first candidate not yet taken and returns it; it
// fails with the error for the last candidate when all are taken.
func (s *Scope) ClaimFirstFree(place string, candidates ...string) (string, error) {
	for _, c := range candidates {
		if !s.Taken(c) {
			s.owner[c] = place
			return c, nil
		}
	}
	if len(candidates) == 0 {
		return "", fmt.Errorf("no Go name to claim for %s", place)
	}
	return "", s.Claim(candidates[len(candidates)-1], place)
}

// AspectNames returns the package-level names generated code declares for an
// aspect whose root type is root.
func AspectNames(root string) []string {
	return []string{"Aspect" + root, "SchemaRef" + root}
}

// AspectMethodPrefixes are the prefixes of the typed client's methods; one
// root's method must not equal another's (PublishDerived<R> versus
// Publish<DerivedR>).
func AspectMethodPrefixes() []string {
	return []string{"Publish", "PublishDerived", "On", "Handle"}
}
