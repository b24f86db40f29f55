package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/internal/ghactions"
)

// Values of --error-format and --warnings.
var (
	errorFormats = []string{"text", "json", "github-actions"}
	warningModes = []string{"report", "error", "off"}
)

// Severities of reported diagnostics.
const (
	sevError   = "error"
	sevWarning = "warning"
	sevNote    = "note"
)

// reporter writes the errors, warnings and notes of one generate run in the
// --error-format chosen:
//
//	text            file:line:col: msg, "warning: " and "note: " prefixed
//	json            one object per line: {"severity","file","line","column","pointer","message"}
//	github-actions  workflow commands: ::error file=F,line=L,col=C::msg
//	                (::warning, ::notice), which GitHub shows on the line
type reporter struct {
	w        io.Writer
	format   string
	warnings int
}

func newReporter(w io.Writer, format string) *reporter {
	return &reporter{w: w, format: format}
}

// checkDiagFlags validates --error-format and --warnings.
func checkDiagFlags(format, warnings string) error {
	if !contains(errorFormats, format) {
		return usagef("--error-format %q: want one of %s", format, strings.Join(errorFormats, ", "))
	}
	if !contains(warningModes, warnings) {
		return usagef("--warnings %q: want one of %s", warnings, strings.Join(warningModes, ", "))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// warning reports one warning of the generator.
func (r *reporter) warning(w *gen.Error) {
	r.warnings++
	r.report(sevWarning, w)
}

// generationErrors reports what gen.Generate returned: each placed error of
// gen.Errors, else each line of the message parsed back into its place.
func (r *reporter) generationErrors(err error) {
	var es gen.Errors
	if errors.As(err, &es) && r.format != "text" {
		for _, e := range es {
			r.report(sevError, e)
		}
		return
	}
	msg := strings.TrimRight(err.Error(), "\n")
	if msg == "" {
		msg = "generation failed"
	}
	if r.format == "text" {
		fmt.Fprintln(r.w, msg)
		return
	}
	for _, line := range strings.Split(msg, "\n") {
		r.report(sevError, gen.Placed(line))
	}
}

// hint reports advice about a failure: a line of its own in text, a note
// otherwise.
func (r *reporter) hint(msg string) {
	if r.format == "text" {
		fmt.Fprintln(r.w, msg)
		return
	}
	r.plain(sevNote, strings.TrimPrefix(msg, "hint: "))
}

// plain reports a message without a place.
func (r *reporter) plain(sev, msg string) {
	r.report(sev, &gen.Error{Msg: msg})
}

func (r *reporter) report(sev string, e *gen.Error) {
	switch r.format {
	case "json":
		b, err := json.Marshal(struct {
			Severity string `json:"severity"`
			File     string `json:"file,omitempty"`
			Line     int    `json:"line,omitempty"`
			Column   int    `json:"column,omitempty"`
			Pointer  string `json:"pointer,omitempty"`
			Message  string `json:"message"`
		}{sev, e.File, e.Pos.Line, e.Pos.Col, e.Pointer, e.Msg})
		if err != nil {
			panic("unreachable: " + err.Error()) // strings and ints always marshal
		}
		fmt.Fprintf(r.w, "%s\n", b)
	case "github-actions":
		cmd := map[string]string{sevError: "error", sevWarning: "warning", sevNote: "notice"}[sev]
		var props []string
		if e.File != "" {
			props = append(props, "file="+ghactions.Property(e.File))
		}
		if e.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d,col=%d", e.Pos.Line, e.Pos.Col))
		}
		msg := e.Msg
		if e.Pos.Line == 0 && e.Pointer != "" {
			msg = e.Pointer + ": " + msg // no line to annotate: keep the place in the text
		}
		head := "::" + cmd
		if len(props) > 0 {
			head += " " + strings.Join(props, ",")
		}
		fmt.Fprintf(r.w, "%s::%s\n", head, ghactions.Data(msg))
	default:
		text := e.Error()
		if e.File == "" {
			text = e.Msg
		}
		switch sev {
		case sevWarning:
			text = "warning: " + text
		case sevNote:
			text = "note: " + text
		}
		fmt.Fprintln(r.w, text)
	}
}
