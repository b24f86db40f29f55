package parsecimpl

import (
	"strconv"
	"sync"

	"github.com/parsec-gen/parsec-gen/internal/ecmaregex"
	"github.com/parsec-gen/parsec-gen/runtime/internal/quote"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// Pattern is a JSON Schema "pattern" (an ECMAScript regular expression),
// compiled once on first use and shared by every check. Generated code
// declares one package-level Pattern per distinct expression, so a program
// only pays for the expressions it exercises. A Pattern is safe for
// concurrent use.
type Pattern struct {
	src    string
	once   sync.Once
	re     ecmaregex.Regexp
	simple *simpleMatcher // set when the fast path applies
	err    error
}

// NewPattern returns a Pattern for the ECMAScript expression src. It does not
// compile src yet.
func NewPattern(src string) *Pattern { return &Pattern{src: src} }

// String returns the expression.
func (p *Pattern) String() string { return p.src }

func (p *Pattern) compile() {
	p.re, p.err = ecmaregex.Compile(p.src)
	if p.err == nil && !ecmaregex.Backtracking(p.re) {
		p.simple = compileSimple(p.src)
	}
}

func (p *Pattern) match(s string) bool {
	if p.simple != nil {
		return p.simple.MatchString(s)
	}
	return p.re.MatchString(s)
}

// Err compiles the expression if needed and reports whether it is invalid.
func (p *Pattern) Err() error {
	p.once.Do(p.compile)
	return p.err
}

// MatchString reports whether s contains a match; an invalid expression
// matches nothing.
func (p *Pattern) MatchString(s string) bool {
	p.once.Do(p.compile)
	return p.err == nil && p.match(s)
}

// Check returns an error when s does not match the expression (or the
// expression does not compile, which rejects every value rather than
// accepting it unchecked).
func (p *Pattern) Check(s string) error {
	p.once.Do(p.compile)
	if p.err != nil {
		return &parsec.ValidationError{Message: "pattern " + strconv.Quote(p.src) + " does not compile", Err: p.err}
	}
	if !p.match(s) {
		return Errorf("%q does not match pattern %q", quote.Truncate(s), p.src)
	}
	return nil
}

// CheckKey is Check for a property name (patternProperties, propertyNames).
func (p *Pattern) CheckKey(key string) error {
	if err := p.Check(key); err != nil {
		return Errorf("property name %q does not match pattern %q", quote.Truncate(key), p.src)
	}
	return nil
}
