package load

import (
	"fmt"
	"slices"

	"github.com/parsec-gen/parsec-gen/internal/schemadoc"
)

// The forms of the schema text generated code embeds (Config.EmbedSchema).
const (
	// EmbedCompact is Effective without layout and without
	// annotation-only keywords, validating as Effective does.
	EmbedCompact = "compact"
	// EmbedVerbatim is Doc.Effective: the file as written, with the draft
	// it was read under.
	EmbedVerbatim = "verbatim"
)

// Embedded returns the schema text generated code embeds for d: Effective
// when Config.EmbedSchema is EmbedVerbatim; else Effective in compact form
// (see internal/schemadoc Compact): minified, and without the
// annotation-only members of schema objects (title, description, $comment,
// examples, default, deprecated, readOnly, writeOnly and keys no draft
// defines, except "x-parsec-" keys), keeping every member that a JSON
// pointer in a $ref, $dynamicRef or $recursiveRef of any loaded document
// may pass through. A validator accepts the same instances under either.
func (d *Doc) Embedded() []byte {
	if d.compact != nil {
		return d.compact
	}
	return d.Effective()
}

// checkEmbed checks Config.EmbedSchema.
func checkEmbed(form string) error {
	switch form {
	case "", EmbedCompact, EmbedVerbatim:
		return nil
	}
	return fmt.Errorf("embedded schema form %q is not %q or %q", form, EmbedCompact, EmbedVerbatim)
}

// compact sets the compact text of every loaded document, unless
// Config.EmbedSchema asks for the verbatim text.
func (s *Set) compact() error {
	if s.cfg.EmbedSchema == EmbedVerbatim {
		return nil
	}
	paths := make([]string, 0, len(s.byPath))
	for p := range s.byPath {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var prot schemadoc.Protect
	for _, p := range paths {
		prot.AddRefs(s.byPath[p].Value)
	}
	for _, p := range paths {
		d := s.byPath[p]
		c, err := schemadoc.Compact(d.Effective(), &prot)
		if err != nil {
			return &Error{File: d.Display, Msg: "internal error: compacting the embedded schema: " + err.Error()}
		}
		d.compact = c
	}
	return nil
}
