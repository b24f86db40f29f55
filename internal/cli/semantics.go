package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/load"
)

// semanticsFlags say how schemas are read: the draft of a schema without
// "$schema".
type semanticsFlags struct {
	defaultDraft  string
	assertFormats bool
	embedSchema   string
}

func (s *semanticsFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.defaultDraft, "default-draft", load.DefaultDraft,
		"draft a schema without $schema is read under: "+strings.Join(load.DraftNames(), ", "))
	cmd.Flags().BoolVar(&s.assertFormats, "assert-formats", false,
		"make every known format (email, hostname, ipv4, ...) an assertion in every draft, on decode and in the validators")
	cmd.Flags().StringVar(&s.embedSchema, "embed-schema", load.EmbedCompact,
		"form of the schema text the generated code embeds: "+load.EmbedCompact+" (minified, annotations removed; validates the same) or "+load.EmbedVerbatim+" (the file as written)")
}

// apply checks the flags and sets them in cfg.
func (s *semanticsFlags) apply(cfg *gen.Config) error {
	if _, err := load.DraftURL(s.defaultDraft); err != nil {
		return usagef("--default-draft: %v", err)
	}
	if s.embedSchema != load.EmbedCompact && s.embedSchema != load.EmbedVerbatim {
		return usagef("--embed-schema: %q is not %q or %q", s.embedSchema, load.EmbedCompact, load.EmbedVerbatim)
	}
	cfg.DefaultDraft = s.defaultDraft
	cfg.EmbedSchema = s.embedSchema
	cfg.AssertFormats = s.assertFormats
	return nil
}
