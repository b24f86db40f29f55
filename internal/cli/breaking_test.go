package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	bkOld = `{
  "type": "object",
  "properties": {
    "qty": {"type": "integer", "minimum": 0},
    "note": {"type": "string"}
  },
  "required": ["qty"]
}`
	bkNew = `{
  "type": "object",
  "properties": {
    "qty": {"type": "integer", "minimum": 1},
    "note": {"type": "string"}
  },
  "required": ["qty"]
}`
)

func TestBreakingExitCodesAndFormats(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"old/order.json":  bkOld,
		"new/order.json":  bkNew,
		"same/order.json": bkOld,
	})
	g := &fakeGen{}
	r := runIn(t, dir, g, "", "breaking", "--against", "old", "new")
	if r.code != ExitBreaking {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, ExitBreaking, r.stderr)
	}
	wantText := "new/order.json:4:43: backward minimum (aspect order): an instance the old schema accepts fails the new one at /qty: minimum: got 0, want 1\n" +
		"\twitness: {\"qty\":0}\n1 breaking change (1 backward)\n"
	if diff := cmp.Diff(wantText, r.stdout); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}

	if r := runIn(t, dir, g, "", "breaking", "--against", "old", "--mode", "forward", "new"); r.code != ExitOK || r.stdout != "no breaking changes\n" {
		t.Errorf("forward: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runIn(t, dir, g, "", "breaking", "--against", "same", "--mode", "full", "old/order.json"); r.code != ExitOK {
		t.Errorf("identical: exit %d, stdout %q", r.code, r.stdout)
	}

	r = runIn(t, dir, g, "", "breaking", "--against", "old", "--format", "json", "new")
	if r.code != ExitBreaking {
		t.Fatalf("json: exit %d", r.code)
	}
	// The exact shape: one key "findings", each finding with exactly these keys.
	var raw map[string][]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || len(raw) != 1 || len(raw["findings"]) != 1 {
		t.Fatalf("json output %s: %v", r.stdout, err)
	}
	var keys []string
	for k := range raw["findings"][0] {
		keys = append(keys, k)
	}
	wantKeys := []string{"aspect", "col", "direction", "file", "line", "message", "pointer", "rule", "witness"}
	if diff := cmp.Diff(wantKeys, sortedStrings(keys)); diff != "" {
		t.Errorf("finding keys (-want +got):\n%s", diff)
	}
	var got struct {
		Findings []struct {
			Aspect, Direction, Rule, Pointer, File, Message string
			Line, Col                                       int
			Witness                                         any
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	f := got.Findings[0]
	if f.Aspect != "order" || f.Direction != "backward" || f.Rule != "minimum" || f.Pointer != "/properties/qty/minimum" ||
		f.File != filepath.Join("new", "order.json") || f.Line != 4 || f.Col != 43 ||
		!reflect.DeepEqual(f.Witness, map[string]any{"qty": 0.0}) {
		t.Errorf("finding %+v", f)
	}

	r = runIn(t, dir, g, "", "breaking", "--against", "old", "--format", "github-actions", "new")
	wantGH := "::error file=new/order.json,line=4,col=43,title=order backward minimum::an instance the old schema accepts fails the new one at /qty: minimum: got 0, want 1%0Awitness: {\"qty\":0}\n"
	if r.code != ExitBreaking || !strings.HasPrefix(r.stdout, wantGH) {
		t.Errorf("github-actions: exit %d, stdout %q, want prefix %q", r.code, r.stdout, wantGH)
	}

	for _, args := range [][]string{
		{"breaking", "new"},
		{"breaking", "--against", "old"},
		{"breaking", "--against", "old", "--mode", "sideways", "new"},
		{"breaking", "--against", "old", "--policy", "lax", "new"},
		{"breaking", "--against", "old", "--format", "xml", "new"},
	} {
		if r := runIn(t, dir, g, "", args...); r.code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (stderr %s)", args, r.code, ExitUsage, r.stderr)
		}
	}
	writeTree(t, dir, map[string]string{"bad/order.json": `{"type": "object", "properties": {"qty": {"type": 7}}}`})
	if r := runIn(t, dir, g, "", "breaking", "--against", "bad", "new"); r.code != ExitFailed || !strings.Contains(r.stderr, "bad/order.json:1:") {
		t.Errorf("bad old schema: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runIn(t, dir, g, "", "breaking", "--against", "missing", "new"); r.code != ExitFailed {
		t.Errorf("missing old: exit %d, stderr %q", r.code, r.stderr)
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestBreakingAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitIn := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitIn("init", "-q")
	writeTree(t, dir, map[string]string{"schemas/order.json": bkOld, "schemas/defs/ignored.json": `{}`})
	gitIn("add", ".")
	gitIn("commit", "-q", "-m", "v1")
	writeTree(t, dir, map[string]string{"schemas/order.json": bkNew})
	before, err := os.ReadFile(filepath.Join(dir, "schemas", "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	g := &fakeGen{}
	for _, against := range []string{"git:HEAD", "git:HEAD:schemas", "git:HEAD:schemas/order.json"} {
		r := runIn(t, filepath.Join(dir, "schemas"), g, "", "breaking", "--against", against, ".")
		if r.code != ExitBreaking || !strings.Contains(r.stdout, "order.json:4:43: backward minimum") || !strings.Contains(r.stdout, `witness: {"qty":0}`) {
			t.Errorf("%s: exit %d\nstdout %s\nstderr %s", against, r.code, r.stdout, r.stderr)
		}
	}
	// A forward finding, whose keyword is in the old file from git, points
	// at the same place in the new file.
	writeTree(t, dir, map[string]string{"schemas/order.json": strings.Replace(bkOld, `"minimum": 0`, `"minimum": -5`, 1)})
	r := runIn(t, filepath.Join(dir, "schemas"), g, "", "breaking", "--against", "git:HEAD", "--mode", "forward", ".")
	if r.code != ExitBreaking || !strings.HasPrefix(r.stdout, "order.json:4:43: forward minimum") {
		t.Errorf("forward: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	writeTree(t, dir, map[string]string{"schemas/order.json": bkNew})
	// The work tree is untouched: the new version is still there.
	after, err := os.ReadFile(filepath.Join(dir, "schemas", "order.json"))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("work tree changed: %v", err)
	}
	if r := runIn(t, dir, g, "", "breaking", "--against", "git:no-such-ref", "schemas"); r.code != ExitFailed || !strings.Contains(r.stderr, "no-such-ref") {
		t.Errorf("bad ref: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runIn(t, dir, g, "", "breaking", "--against", "git:HEAD:nowhere", "schemas"); r.code != ExitFailed || !strings.Contains(r.stderr, "nowhere") {
		t.Errorf("bad path: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestBreakingReadmeExample runs the README's example on the repository's
// own schemas and checks the output shown there.
func TestBreakingReadmeExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "Say a change lowers")
	if !ok {
		t.Fatal("README.md: example of breaking not found")
	}
	_, block, _ := strings.Cut(after, "```\n")
	want, _, _ := strings.Cut(block, "```")

	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "..", "schemas"), filepath.Join(dir, "old"))
	copyTree(t, filepath.Join("..", "..", "schemas"), filepath.Join(dir, "schemas"))
	op := filepath.Join(dir, "schemas", "order_placed.json")
	src, err := os.ReadFile(op)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), `"maximum": 10000`, `"maximum": 100`, 1)
	edited = strings.Replace(edited, `"marketplace"]`, `"marketplace", "kiosk"]`, 1)
	if strings.Count(edited, "kiosk") != 1 || !strings.Contains(edited, `"maximum": 100}`) {
		t.Fatal("schemas/order_placed.json no longer has the values the README example edits")
	}
	if err := os.WriteFile(op, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, &fakeGen{}, "", "breaking", "--against", "old", "--mode", "full", "schemas")
	if r.code != ExitBreaking {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("README example output (-README +got):\n%s", diff)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
