// Package ecmaregex compiles JSON Schema "pattern" regular expressions, which
// are written in the ECMAScript dialect, into matchers usable from Go.
//
// Go's regexp package (RE2 syntax, linear-time matching) is tried first: it
// handles most patterns found in real schemas and cannot be driven into
// exponential backtracking. The pattern is first rewritten so that Go gives
// it its ECMAScript meaning (\s is Unicode white space, "." excludes every
// line terminator, \uXXXX escapes). A pattern that cannot be rewritten or
// that Go rejects — typically one that uses lookahead such as
// `^(?!org\.bukkit\.)`, lookbehind or a back-reference — is compiled with
// github.com/dlclark/regexp2 in ECMAScript mode instead.
// Backtracking engines can take exponential time on hostile input, so every
// regexp2 match runs under a timeout (DefaultTimeout unless CompileTimeout says
// otherwise). A match that times out reports no match: a payload is never
// accepted because its check ran out of time, and a decoder never hangs.
// regexp2 reads its deadline off a coarse shared clock that a busy machine can
// starve and then move forward in one step, so a match that has just begun
// can be told its time is up; a timeout is believed only when the wall clock
// agrees that the whole budget has passed, and a match cut short sooner runs
// again (a few times at most), so a valid value is not rejected because the
// machine was loaded.
//
// The Regexp interface has exactly the method set that
// github.com/santhosh-tekuri/jsonschema/v6 wants from a regexp engine, so
//
//	compiler.UseRegexpEngine(func(s string) (jsonschema.Regexp, error) {
//		return ecmaregex.Compile(s)
//	})
//
// plugs it in.
//
// Both engines match on code points, as ECMAScript does with the "u" flag
// that JSON Schema implies. Go-only syntax (inline flags like `(?i)`, `\z`,
// POSIX classes) is not taken by the Go path; the ECMAScript engine decides
// about it. Where regexp2 departs from ECMAScript ("." matching U+2028 and
// U+2029, \b counting non-ASCII letters as word characters) the pattern is
// rewritten before it sees it.
package ecmaregex

import (
	"fmt"
	"regexp"
	"time"

	"github.com/dlclark/regexp2"
)

// DefaultTimeout bounds a single match run by the backtracking engine.
const DefaultTimeout = 100 * time.Millisecond

// Regexp is a compiled pattern.
type Regexp interface {
	// MatchString reports whether s contains a match of the pattern. A match
	// that exceeds the timeout of a backtracking pattern reports false.
	MatchString(s string) bool
	// String returns the source pattern.
	String() string
}

// Compile compiles an ECMAScript pattern, with DefaultTimeout for patterns
// that need the backtracking engine.
func Compile(pattern string) (Regexp, error) {
	return CompileTimeout(pattern, DefaultTimeout)
}

// CompileTimeout compiles an ECMAScript pattern; timeout bounds every match
// run by the backtracking engine and must be positive.
func CompileTimeout(pattern string, timeout time.Duration) (Regexp, error) {
	if timeout <= 0 {
		return nil, fmt.Errorf("ecmaregex: timeout must be positive, got %v", timeout)
	}
	if re, ok := compileGo(pattern); ok {
		return re, nil
	}
	return compileBacktracking(pattern, timeout)
}

// compileGo compiles pattern with Go's regexp when it can be given its
// ECMAScript meaning there.
func compileGo(pattern string) (Regexp, bool) {
	goPattern, ok := translate(pattern)
	if !ok {
		return nil, false
	}
	re, err := regexp.Compile(goPattern)
	if err != nil {
		return nil, false
	}
	return goRegexp{re: re, src: pattern}, true
}

// compileBacktracking compiles pattern with regexp2 in ECMAScript mode.
func compileBacktracking(pattern string, timeout time.Duration) (Regexp, error) {
	re, err := regexp2.Compile(prepareBacktracking(pattern), regexp2.ECMAScript|regexp2.Unicode)
	if err != nil {
		return nil, fmt.Errorf("ecmaregex: invalid pattern %q: %w", pattern, err)
	}
	re.MatchTimeout = timeout
	return &ecmaRegexp{re: re, src: pattern, timeout: timeout}, nil
}

// MustCompile is like Compile but panics if the pattern does not compile. It
// is meant for patterns fixed in source code, never for input.
func MustCompile(pattern string) Regexp {
	re, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return re
}

// Backtracking reports whether re runs on the backtracking engine (and is
// therefore subject to a match timeout) rather than Go's linear-time one.
func Backtracking(re Regexp) bool {
	_, ok := re.(*ecmaRegexp)
	return ok
}

type goRegexp struct {
	re  *regexp.Regexp
	src string
}

func (g goRegexp) MatchString(s string) bool { return g.re.MatchString(s) }
func (g goRegexp) String() string            { return g.src }

type ecmaRegexp struct {
	re      *regexp2.Regexp
	src     string
	timeout time.Duration
}

func (e *ecmaRegexp) MatchString(s string) bool {
	return matchBounded(e.timeout, time.Now, func() (bool, error) { return e.re.MatchString(s) })
}

// spuriousRetries bounds how often a match that regexp2 cut short before its
// budget had passed is run again.
const spuriousRetries = 3

// matchBounded runs match, whose only error is regexp2's timeout. regexp2
// sets a deadline of at least budget past the start on a clock that never
// runs ahead of the wall clock, so a timeout reported sooner than budget by
// the wall clock is spurious (its clock goroutine was starved, then caught up
// in one step) and the match runs again. A genuine timeout, or one that keeps
// recurring, counts as no match, as documented on the package.
func matchBounded(budget time.Duration, now func() time.Time, match func() (bool, error)) bool {
	for attempt := 0; ; attempt++ {
		start := now()
		ok, err := match()
		if err == nil {
			return ok
		}
		if now().Sub(start) >= budget || attempt == spuriousRetries {
			return false
		}
	}
}

func (e *ecmaRegexp) String() string { return e.src }
