package breaking

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// want is the expected rules per direction; the strict fields, when set,
// replace the declared ones under PolicyStrict.
type want struct {
	back, fwd             []string
	backStrict, fwdStrict []string
	strictSame            bool // strict expects the same as declared
}

// d2020 declares draft 2020-12 in obj's extra members.
const d2020 = `"$schema":"https://json-schema.org/draft/2020-12/schema"`

func obj(props string, extra ...string) string {
	s := `{"type":"object","properties":{` + props + `}`
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

func TestRules(t *testing.T) {
	tree := `{"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer","maximum":%d},"kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"]}},"$ref":"#/$defs/node"}`
	cases := []struct {
		name     string
		old, new files
		want     want
	}{
		{"identical", files{"a.json": obj(`"n":{"type":"integer"}`)}, files{"a.json": obj(`"n":{"type":"integer"}`)},
			want{strictSame: true}},
		{"required added", files{"a.json": obj(`"n":{"type":"integer"}`)}, files{"a.json": obj(`"n":{"type":"integer"}`, `"required":["n"]`)},
			want{back: []string{"required"}, strictSame: true}},
		{"type narrowed", files{"a.json": obj(`"n":{"type":"number"}`)}, files{"a.json": obj(`"n":{"type":"integer"}`)},
			want{back: []string{"type"}, strictSame: true}},
		{"type widened", files{"a.json": obj(`"n":{"type":"integer"}`)}, files{"a.json": obj(`"n":{"type":["integer","string"]}`)},
			want{fwd: []string{"type"}, strictSame: true}},
		{"enum value removed", files{"a.json": obj(`"c":{"enum":["red","green","blue"]}`)}, files{"a.json": obj(`"c":{"enum":["red","green"]}`)},
			want{back: []string{"enum"}, strictSame: true}},
		{"enum value added", files{"a.json": obj(`"c":{"enum":["red"]}`)}, files{"a.json": obj(`"c":{"enum":["red","green"]}`)},
			want{fwd: []string{"enum"}, strictSame: true}},
		{"const changed", files{"a.json": obj(`"k":{"const":"v1"}`, `"required":["k"]`)}, files{"a.json": obj(`"k":{"const":"v2"}`, `"required":["k"]`)},
			want{back: []string{"const"}, fwd: []string{"const"}, strictSame: true}},
		{"minimum raised", files{"a.json": obj(`"n":{"type":"integer","minimum":0}`)}, files{"a.json": obj(`"n":{"type":"integer","minimum":5}`)},
			want{back: []string{"minimum"}, strictSame: true}},
		{"maximum lowered", files{"a.json": obj(`"n":{"type":"number","maximum":10}`)}, files{"a.json": obj(`"n":{"type":"number","exclusiveMaximum":10}`)},
			want{back: []string{"exclusiveMaximum"}, strictSame: true}},
		{"multipleOf added", files{"a.json": obj(`"n":{"type":"integer"}`)}, files{"a.json": obj(`"n":{"type":"integer","multipleOf":5}`)},
			want{back: []string{"multipleOf"}, strictSame: true}},
		{"maxLength lowered, minLength lowered", files{"a.json": obj(`"s":{"type":"string","minLength":2,"maxLength":8}`)}, files{"a.json": obj(`"s":{"type":"string","minLength":1,"maxLength":4}`)},
			want{back: []string{"maxLength"}, fwd: []string{"minLength"}, strictSame: true}},
		{"pattern changed", files{"a.json": obj(`"id":{"type":"string","pattern":"^[a-z]+$"}`, `"required":["id"]`)}, files{"a.json": obj(`"id":{"type":"string","pattern":"^[0-9]+$"}`, `"required":["id"]`)},
			want{back: []string{"pattern"}, fwd: []string{"pattern"}, strictSame: true}},
		// A format with a Go type asserts in every draft (the decoder parses
		// it); another known format is an annotation in 2020-12.
		{"typed format added", files{"a.json": obj(`"at":{"type":"string"}`)}, files{"a.json": obj(`"at":{"type":"string","format":"date-time"}`)},
			want{back: []string{"format"}, strictSame: true}},
		{"format is an annotation", files{"a.json": obj(`"at":{"type":"string"}`, d2020)}, files{"a.json": obj(`"at":{"type":"string","format":"email"}`, d2020)},
			want{strictSame: true}},
		{"optional property added to an open object",
			files{"a.json": obj(`"id":{"type":"string"}`)}, files{"a.json": obj(`"id":{"type":"string"},"note":{"type":"string"}`)},
			want{backStrict: []string{"type"}}},
		{"additionalProperties false added",
			files{"a.json": obj(`"id":{"type":"string"}`)}, files{"a.json": obj(`"id":{"type":"string"}`, `"additionalProperties":false`)},
			want{backStrict: []string{"additionalProperties"}}},
		{"additionalProperties false removed",
			files{"a.json": obj(`"id":{"type":"string"}`, `"additionalProperties":false`)}, files{"a.json": obj(`"id":{"type":"string"}`)},
			want{fwdStrict: []string{"additionalProperties"}}},
		{"property removed from a closed object",
			files{"a.json": obj(`"id":{"type":"string"},"old":{"type":"integer"}`, `"additionalProperties":false`)},
			files{"a.json": obj(`"id":{"type":"string"}`, `"additionalProperties":false`)},
			want{back: []string{"additionalProperties"}, strictSame: true}},
		{"map value type narrowed",
			files{"a.json": `{"type":"object","additionalProperties":{"type":"number"}}`},
			files{"a.json": `{"type":"object","additionalProperties":{"type":"integer"}}`},
			want{back: []string{"type"}, strictSame: true}},
		{"oneOf variant removed",
			files{"a.json": `{"oneOf":[{"type":"object","properties":{"kind":{"const":"card"},"last4":{"type":"string"}},"required":["kind"]},{"type":"object","properties":{"kind":{"const":"iban"}},"required":["kind"]}]}`},
			files{"a.json": `{"oneOf":[{"type":"object","properties":{"kind":{"const":"card"},"last4":{"type":"string"}},"required":["kind"]}]}`},
			want{back: []string{"const"}, backStrict: []string{"const", "type"}}},
		{"anyOf variant added",
			files{"a.json": `{"anyOf":[{"type":"string"}]}`},
			files{"a.json": `{"anyOf":[{"type":"string"},{"type":"integer"}]}`},
			want{fwd: []string{"type"}, strictSame: true}},
		{"array bounds",
			files{"a.json": obj(`"l":{"type":"array","items":{"type":"string"},"minItems":1}`)},
			files{"a.json": obj(`"l":{"type":"array","items":{"type":"string"},"minItems":2,"maxItems":3,"uniqueItems":true}`)},
			want{back: []string{"maxItems", "minItems", "uniqueItems"}, strictSame: true}},
		{"array item narrowed",
			files{"a.json": obj(`"l":{"type":"array","items":{"type":"integer","minimum":0}}`)},
			files{"a.json": obj(`"l":{"type":"array","items":{"type":"integer","minimum":1}}`)},
			want{back: []string{"minimum"}, strictSame: true}},
		{"shared definition through $ref",
			files{"a.json": obj(`"total":{"$ref":"defs/money.json"}`, `"required":["total"]`), "defs/money.json": obj(`"cents":{"type":"integer"}`, `"required":["cents"]`)},
			files{"a.json": obj(`"total":{"$ref":"defs/money.json"}`, `"required":["total"]`), "defs/money.json": obj(`"cents":{"type":"integer","minimum":0},"currency":{"type":"string"}`, `"required":["cents","currency"]`)},
			want{back: []string{"minimum", "required"}, backStrict: []string{"minimum", "required", "type"}}},
		{"recursive definition",
			files{"a.json": fmt.Sprintf(tree, 100)}, files{"a.json": fmt.Sprintf(tree, 10)},
			want{back: []string{"maximum"}, strictSame: true}},
		{"aspect removed",
			files{"a.json": obj(`"n":{"type":"integer"}`), "b.json": obj(`"m":{"type":"string"}`)},
			files{"a.json": obj(`"n":{"type":"integer"}`)},
			want{back: []string{"aspect-removed"}, strictSame: true}},
		{"aspect added",
			files{"a.json": obj(`"n":{"type":"integer"}`)},
			files{"a.json": obj(`"n":{"type":"integer"}`), "b.json": obj(`"m":{"type":"string"}`)},
			want{strictSame: true}},
	}
	for _, tc := range cases {
		for _, policy := range []Policy{PolicyDeclared, PolicyStrict} {
			name := tc.name + "/declared"
			back, fwd := tc.want.back, tc.want.fwd
			if policy == PolicyStrict {
				name = tc.name + "/strict"
				if !tc.want.strictSame {
					back, fwd = tc.want.backStrict, tc.want.fwdStrict
				}
			}
			t.Run(name, func(t *testing.T) {
				oldV, newV := mustLoad(t, tc.old), mustLoad(t, tc.new)
				for _, mode := range []Mode{ModeBackward, ModeForward, ModeFull} {
					fs, err := Check(oldV, newV, Options{Mode: mode, Policy: policy})
					if err != nil {
						t.Fatal(err)
					}
					wantBack, wantFwd := back, fwd
					if mode == ModeForward {
						wantBack = nil
					}
					if mode == ModeBackward {
						wantFwd = nil
					}
					if diff := cmp.Diff(wantBack, rules(fs, Backward)); diff != "" {
						t.Errorf("mode %d backward rules (-want +got):\n%s\n%s", mode, diff, dump(fs))
					}
					if diff := cmp.Diff(wantFwd, rules(fs, Forward)); diff != "" {
						t.Errorf("mode %d forward rules (-want +got):\n%s\n%s", mode, diff, dump(fs))
					}
					verify(t, tc.old, tc.new, policy, fs)
					for _, f := range fs {
						if f.Direction != Go && (f.File == "" || f.Line == 0) {
							t.Errorf("finding without a position: %+v", f)
						}
					}
				}
			})
		}
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	if err := WriteText(&b, fs); err != nil {
		return err.Error()
	}
	return b.String()
}

// A change to a shared definition is a finding for every aspect that
// reaches it, located in the definitions file.
func TestSharedDefinitionReachesEveryAspect(t *testing.T) {
	money := func(min int) string {
		return fmt.Sprintf(`{"$defs":{"Money":{"type":"object","properties":{"cents":{"type":"integer","minimum":%d}},"required":["cents"]}}}`, min)
	}
	aspect := `{"type":"object","properties":{"amount":{"$ref":"defs/money.json#/$defs/Money"}},"required":["amount"]}`
	oldFS := files{"paid.json": aspect, "refunded.json": aspect, "unrelated.json": obj(`"n":{"type":"integer"}`), "defs/money.json": money(-100)}
	newFS := files{"paid.json": aspect, "refunded.json": aspect, "unrelated.json": obj(`"n":{"type":"integer"}`), "defs/money.json": money(0)}
	for _, policy := range []Policy{PolicyDeclared, PolicyStrict} {
		fs, err := Check(mustLoad(t, oldFS), mustLoad(t, newFS), Options{Mode: ModeFull, Policy: policy})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, fmt.Sprintf("%s %s %s %s%s", f.Aspect, f.Direction, f.Rule, f.File, f.Pointer))
		}
		want := []string{
			"paid backward minimum defs/money.json/$defs/Money/properties/cents/minimum",
			"refunded backward minimum defs/money.json/$defs/Money/properties/cents/minimum",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("policy %d (-want +got):\n%s", policy, diff)
		}
		verify(t, oldFS, newFS, policy, fs)
	}
}
