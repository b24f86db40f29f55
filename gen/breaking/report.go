package breaking

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/parsec-gen/parsec-gen/internal/ghactions"
)

// WriteJSON writes {"findings":[...]}, one Finding each (an empty list when
// there are none), followed by a newline.
func WriteJSON(w io.Writer, fs []Finding) error {
	if fs == nil {
		fs = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Findings []Finding `json:"findings"`
	}{fs})
}

// WriteText writes one "file:line:col: direction rule (aspect a): message" line per
// finding, its witness on the next line, and a closing summary line.
func WriteText(w io.Writer, fs []Finding) error {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s: %s %s (aspect %s): %s\n", position(f), f.Direction, f.Rule, f.Aspect, f.Message)
		if f.Direction != Go {
			fmt.Fprintf(&b, "\twitness: %s\n", f.Witness)
		}
	}
	b.WriteString(summary(fs))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteGitHubActions writes one workflow error command per finding, so
// GitHub annotates the line of the new schema, then the summary.
func WriteGitHubActions(w io.Writer, fs []Finding) error {
	var b strings.Builder
	for _, f := range fs {
		props := "file=" + ghactions.Property(f.File)
		if f.Line > 0 {
			props += fmt.Sprintf(",line=%d,col=%d", f.Line, f.Col)
		}
		props += ",title=" + ghactions.Property(fmt.Sprintf("%s %s %s", f.Aspect, f.Direction, f.Rule))
		msg := f.Message
		if f.Direction != Go {
			msg += "\nwitness: " + string(f.Witness)
		}
		fmt.Fprintf(&b, "::error %s::%s\n", props, ghactions.Data(msg))
	}
	b.WriteString(summary(fs))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func position(f Finding) string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
	}
	if f.Pointer != "" {
		return f.File + "#" + f.Pointer
	}
	return f.File
}

func summary(fs []Finding) string {
	if len(fs) == 0 {
		return "no breaking changes"
	}
	n := map[string]int{}
	for _, f := range fs {
		n[f.Direction]++
	}
	var parts []string
	for _, d := range []string{Backward, Forward, Go} {
		if n[d] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[d], d))
		}
	}
	noun := "breaking changes"
	if len(fs) == 1 {
		noun = "breaking change"
	}
	return fmt.Sprintf("%d %s (%s)", len(fs), noun, strings.Join(parts, ", "))
}
