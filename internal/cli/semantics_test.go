package cli

import "testing"

func TestSemanticsFlags(t *testing.T) {
	dir := project(t)
	g := &fakeGen{}
	if r := runIn(t, dir, g, "", "generate", "-o", "out", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if c := g.cfgs[0]; c.DefaultDraft != "draft-07" || c.AssertFormats {
		t.Errorf("defaults: --default-draft %q, --assert-formats %v; want draft-07, false", c.DefaultDraft, c.AssertFormats)
	}
	if r := runIn(t, dir, g, "", "generate", "-o", "out", "--default-draft", "2020-12", "--assert-formats", "schemas/order_placed.json"); r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if c := g.cfgs[1]; c.DefaultDraft != "2020-12" || !c.AssertFormats {
		t.Errorf("passed: --default-draft %q, --assert-formats %v; want 2020-12, true", c.DefaultDraft, c.AssertFormats)
	}
}
