package breaking

import (
	"encoding/json"
	"strings"

	"github.com/parsec-gen/parsec-gen/runtime/schema"
	"math/rand/v2"
	"testing"
)

// The property test: random schema pairs from a small grammar; instances
// sampled at random are checked against the verdict. A sample valid under
// one version (closed under the declared policy) and invalid under the
// other contradicts a verdict without a finding in that direction.

var propNames = []string{"a", "b", "c"}

type grammar struct{ r *rand.Rand }

func (g grammar) pick(n int) int { return g.r.IntN(n) }

// leaf returns a random scalar schema.
func (g grammar) leaf() map[string]any {
	switch g.pick(6) {
	case 0:
		s := map[string]any{"type": "integer"}
		if g.pick(2) == 0 {
			s["minimum"] = g.pick(4)
		}
		if g.pick(2) == 0 {
			s["maximum"] = 2 + g.pick(4)
		}
		return s
	case 1:
		s := map[string]any{"type": "string"}
		if g.pick(2) == 0 {
			s["maxLength"] = g.pick(4)
		}
		if g.pick(3) == 0 {
			s["minLength"] = g.pick(2)
		}
		return s
	case 2:
		var e []any
		for _, v := range []string{"x", "y", "z"} {
			if g.pick(2) == 0 {
				e = append(e, v)
			}
		}
		if len(e) == 0 {
			e = []any{"x"}
		}
		return map[string]any{"enum": e}
	case 3:
		return map[string]any{"type": "boolean"}
	case 4:
		return map[string]any{"type": []any{"integer", "string"}}
	default:
		return map[string]any{"type": "array", "items": g.leafNoArray(), "maxItems": 1 + g.pick(2)}
	}
}

func (g grammar) leafNoArray() map[string]any {
	for {
		l := g.leaf()
		if l["type"] != "array" {
			return l
		}
	}
}

func (g grammar) object(depth int) map[string]any {
	props := map[string]any{}
	var req []any
	for _, n := range propNames {
		if g.pick(3) == 0 {
			continue
		}
		if depth == 0 && g.pick(5) == 0 {
			props[n] = g.object(1)
		} else {
			props[n] = g.leaf()
		}
		if g.pick(3) == 0 {
			req = append(req, n)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if len(req) > 0 {
		s["required"] = req
	}
	if g.pick(3) == 0 {
		s["additionalProperties"] = false
	}
	return s
}

// mutate changes one to three things in a copy of s.
func (g grammar) mutate(s map[string]any) map[string]any {
	c := deepCopy(s).(map[string]any)
	for i := 0; i <= g.pick(3); i++ {
		props := c["properties"].(map[string]any)
		n := propNames[g.pick(len(propNames))]
		switch g.pick(5) {
		case 0: // replace or add a property
			props[n] = g.leaf()
		case 1: // remove a property
			delete(props, n)
		case 2: // toggle required
			req, _ := c["required"].([]any)
			var out []any
			found := false
			for _, r := range req {
				if r == n {
					found = true
					continue
				}
				out = append(out, r)
			}
			if !found {
				out = append(out, n)
			}
			if len(out) == 0 {
				delete(c, "required")
			} else {
				c["required"] = out
			}
		case 3: // toggle additionalProperties
			if _, ok := c["additionalProperties"]; ok {
				delete(c, "additionalProperties")
			} else {
				c["additionalProperties"] = false
			}
		case 4: // tweak a bound
			if p, ok := props[n].(map[string]any); ok {
				for _, k := range []string{"minimum", "maximum", "maxLength", "minLength", "maxItems"} {
					if _, ok := p[k]; ok {
						p[k] = g.pick(5)
						break
					}
				}
			}
		}
	}
	return c
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// value samples a random instance of the grammar's value domain.
func (g grammar) value(depth int) any {
	switch g.pick(8) {
	case 0:
		return g.pick(8) - 1
	case 1:
		return []string{"", "x", "y", "z", "xx", "xyz", "xxxx"}[g.pick(7)]
	case 2:
		return g.pick(2) == 0
	case 3:
		return nil
	case 4:
		if depth < 2 {
			var l []any
			for i := g.pick(4); i > 0; i-- {
				l = append(l, g.value(depth+1))
			}
			if l == nil {
				l = []any{}
			}
			return l
		}
		return 1
	case 5, 6, 7:
		if depth < 2 {
			return g.instance(depth + 1)
		}
		return "x"
	}
	panic("unreachable")
}

func (g grammar) instance(depth int) map[string]any {
	m := map[string]any{}
	for _, n := range append(propNames, "d") {
		if g.pick(2) == 0 {
			m[n] = g.value(depth)
		}
	}
	return m
}

// sample draws an instance shaped by a grammar schema: mostly valid, with
// values around its bounds.
func (g grammar) sample(s map[string]any) any {
	if e, ok := s["enum"].([]any); ok {
		if g.pick(6) == 0 {
			return "z"
		}
		return e[g.pick(len(e))]
	}
	switch t := s["type"].(type) {
	case []any:
		return g.sample(map[string]any{"type": t[g.pick(len(t))]})
	case string:
		switch t {
		case "integer":
			return g.pick(9) - 1
		case "string":
			return []string{"", "x", "y", "z", "xx", "xyz", "xxxx"}[g.pick(7)]
		case "boolean":
			return g.pick(2) == 0
		case "array":
			var l []any
			for i := g.pick(4); i > 0; i-- {
				l = append(l, g.sample(s["items"].(map[string]any)))
			}
			if l == nil {
				l = []any{}
			}
			return l
		case "object":
			m := map[string]any{}
			req := map[string]bool{}
			r, _ := s["required"].([]any)
			for _, n := range r {
				req[n.(string)] = true
			}
			for n, p := range s["properties"].(map[string]any) {
				if req[n] || g.pick(3) != 0 {
					m[n] = g.sample(p.(map[string]any))
				}
			}
			if g.pick(4) == 0 {
				m["d"] = g.value(1)
			}
			return m
		}
	}
	return g.value(1)
}

func TestPropertyRandomPairs(t *testing.T) {
	const pairs, samples = 200, 300
	g := grammar{rand.New(rand.NewPCG(2026, 15))}
	checked := map[string]int{}
	for i := 0; i < pairs; i++ {
		oldS := g.object(0)
		newS := g.mutate(oldS)
		oldFS := files{"a.json": mustJSON(t, oldS)}
		newFS := files{"a.json": mustJSON(t, newS)}
		oldV, newV := mustLoad(t, oldFS), mustLoad(t, newFS)
		// A third at random, a third sampled from each version.
		var insts [][]byte
		for j := 0; j < samples; j++ {
			var inst any
			switch j % 3 {
			case 0:
				inst = g.instance(0)
			case 1:
				inst = g.sample(oldS)
			case 2:
				inst = g.sample(newS)
			}
			insts = append(insts, []byte(mustJSON(t, inst)))
		}
		for _, policy := range []Policy{PolicyDeclared, PolicyStrict} {
			fs, err := Check(oldV, newV, Options{Mode: ModeFull, Policy: policy})
			if err != nil {
				t.Fatal(err)
			}
			verify(t, oldFS, newFS, policy, fs)
			has := map[string]bool{}
			for _, f := range fs {
				has[f.Direction] = true
			}
			oldO, newO := newOracle(t, oldFS, false), newOracle(t, newFS, false)
			oldAcc, newAcc := oldO, newO
			if policy == PolicyDeclared {
				oldAcc, newAcc = newOracle(t, oldFS, true), newOracle(t, newFS, true)
			}
			for _, w := range insts {
				if oldAcc.valid(t, "a", w) && !newO.valid(t, "a", w) {
					checked["backward"]++
					// Backward findings point at the rejecting keyword of
					// the new schema: one of the sample's must be found.
					if !covered(fs, Backward, newO.causes(t, "a", w), true) {
						t.Errorf("pair %d, policy %d: %s is valid under old and not new (%v), but no backward finding there\nold %s\nnew %s\n%s",
							i, policy, w, newO.causes(t, "a", w), oldFS["a.json"], newFS["a.json"], dump(fs))
						break
					}
				}
				if newAcc.valid(t, "a", w) && !oldO.valid(t, "a", w) {
					checked["forward"]++
					if !covered(fs, Forward, oldO.causes(t, "a", w), false) {
						t.Errorf("pair %d, policy %d: %s is valid under new and not old (%v), but no forward finding for that rule\nold %s\nnew %s\n%s",
							i, policy, w, oldO.causes(t, "a", w), oldFS["a.json"], newFS["a.json"], dump(fs))
						break
					}
				}
			}
		}
	}
	// The samples must actually exercise the verdicts.
	if checked["backward"] < 100 || checked["forward"] < 100 {
		t.Errorf("too few contradicting samples to check the verdicts: %v", checked)
	}
	t.Logf("samples that a verdict had to explain: %v", checked)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// covered reports whether a finding of direction dir explains one of the
// sample's rejections: at the same keyword (pointer) when exact, else with
// the same rule, or rejected at the same place of the instance or above it
// (a schema dropped from the new version is one finding, however many of
// its keywords a sample may violate).
func covered(fs []Finding, dir string, causes []schema.Violation, exact bool) bool {
	for _, c := range causes {
		_, ptr, _ := strings.Cut(c.Keyword, "#")
		rule := ptr[strings.LastIndex(ptr, "/")+1:]
		for _, f := range fs {
			if f.Direction != dir {
				continue
			}
			if f.Pointer == ptr {
				return true
			}
			if !exact && (f.Rule == rule || c.Pointer == f.instance || f.instance != "" && strings.HasPrefix(c.Pointer, f.instance+"/")) {
				return true
			}
		}
	}
	return false
}
