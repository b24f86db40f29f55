package gen

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/parsec-gen/parsec-gen/gen/load"
)

// Placed message forms: "file:line:col: msg", "file#/pointer: msg",
// "file: msg". They are compiled on first use: most runs place no message
// this way, and each parsec-gen process would pay for them at start.
var (
	atLineCol = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+?):(\d+):(\d+): (.*)$`) })
	atPointer = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([^#]+)#(\S*): (.*)$`) })
	atFile    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([^:]+): (.*)$`) })
)

// Placed parses one "place: message" line, as Error.Error and the
// generator's other messages write it ("file:line:col: msg",
// "file#/pointer: msg", "file: msg"), back into an Error; a line without a
// place becomes an Error with only Msg.
func Placed(msg string) *Error {
	if m := atLineCol().FindStringSubmatch(msg); m != nil {
		line, err1 := strconv.Atoi(m[2])
		col, err2 := strconv.Atoi(m[3])
		if err1 == nil && err2 == nil {
			return &Error{File: m[1], Pos: load.Pos{Line: line, Col: col}, Msg: m[4]}
		}
	}
	if m := atPointer().FindStringSubmatch(msg); m != nil {
		return &Error{File: m[1], Pointer: m[2], Msg: m[3]}
	}
	if m := atFile().FindStringSubmatch(msg); m != nil {
		return &Error{File: m[1], Msg: m[2]}
	}
	return &Error{Msg: msg}
}

// warner delivers warnings to the Config's callbacks.
func (cfg Config) warner() func(*Error) {
	switch {
	case cfg.Warning != nil:
		return cfg.Warning
	case cfg.Warn != nil:
		return func(w *Error) { cfg.Warn(w.Error()) }
	}
	return nil
}
