package cli

import "testing"

func TestSemanticsFlags(t *testing.T) {
	dir := project(t)
	g := &fakeGen{}
	if r := runIn(t, dir, g, "", "generate", "-o", "out", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if c := g.cfgs[0]; c.DefaultDraft != "draft-07" || c.AssertFormats || c.EmbedSchema != "compact" {
		t.Errorf("defaults: --default-draft %q, --assert-formats %v, --embed-schema %q; want draft-07, false, compact", c.DefaultDraft, c.AssertFormats, c.EmbedSchema)
	}
	if r := runIn(t, dir, g, "", "generate", "-o", "out", "--default-draft", "2020-12", "--assert-formats", "--embed-schema", "verbatim", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if c := g.cfgs[1]; c.DefaultDraft != "2020-12" || !c.AssertFormats || c.EmbedSchema != "verbatim" {
		t.Errorf("passed: --default-draft %q, --assert-formats %v, --embed-schema %q; want 2020-12, true, verbatim", c.DefaultDraft, c.AssertFormats, c.EmbedSchema)
	}
}
