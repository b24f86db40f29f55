package breaking

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGoFindings(t *testing.T) {
	cases := []struct {
		name      string
		old, new  string
		want      []string // "rule: message"
		wireBreak bool
	}{
		{"title renames the root type",
			`{"title":"Order","type":"object","properties":{"id":{"type":"string"}}}`,
			`{"title":"Purchase","type":"object","properties":{"id":{"type":"string"}}}`,
			[]string{"type-renamed: Go type Order is renamed to Purchase"}, false},
		{"x-go-name renames a field",
			`{"type":"object","properties":{"id":{"type":"string"}}}`,
			`{"type":"object","properties":{"id":{"type":"string","x-go-name":"Ident"}}}`,
			[]string{"field-renamed: field A.ID is renamed to Ident"}, false},
		{"nested type renamed",
			`{"type":"object","properties":{"m":{"type":"object","properties":{"c":{"type":"integer"}}}}}`,
			`{"type":"object","properties":{"m":{"x-go-name":"Money","type":"object","properties":{"c":{"type":"integer"}}}}}`,
			[]string{"field-renamed: field A.M is renamed to Money", "type-renamed: Go type AM is renamed to Money"}, false},
		{"optional property removed from an open object",
			`{"type":"object","properties":{"id":{"type":"string"},"note":{"type":"string"}}}`,
			`{"type":"object","properties":{"id":{"type":"string"}}}`,
			[]string{`field-removed: field A.Note (JSON "note") is removed`}, false},
		{"field becomes required",
			`{"type":"object","properties":{"id":{"type":"string"}}}`,
			`{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}`,
			[]string{"field-type-changed: field A.ID changes type from parsec.Opt[string] to string"}, true},
		{"integer widened to number",
			`{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}`,
			`{"type":"object","properties":{"n":{"type":"number"}},"required":["n"]}`,
			[]string{"field-type-changed: field A.N changes type from int64 to float64"}, true},
		{"enum value removed",
			`{"type":"object","properties":{"c":{"enum":["red","blue","green"]}}}`,
			`{"type":"object","properties":{"c":{"enum":["red","green"]}}}`,
			[]string{`constant-removed: constant ACBlue ("blue") is removed`}, true},
		{"description changes nothing",
			`{"type":"object","properties":{"id":{"type":"string"}}}`,
			`{"type":"object","description":"An order.","properties":{"id":{"type":"string","description":"The id."}}}`,
			nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			oldFS, newFS := files{"a.json": tc.old}, files{"a.json": tc.new}
			fs, err := Check(mustLoad(t, oldFS), mustLoad(t, newFS), Options{Mode: ModeFull, Policy: PolicyDeclared})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			wire := false
			for _, f := range fs {
				if f.Direction == Go {
					got = append(got, f.Rule+": "+f.Message)
					if string(f.Witness) != "null" || f.File != "a.json" || f.Line == 0 {
						t.Errorf("go finding %+v: want a null witness and a position in a.json", f)
					}
				} else {
					wire = true
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("go findings (-want +got):\n%s", diff)
			}
			if wire != tc.wireBreak {
				t.Errorf("wire findings: %v, want %v\n%s", wire, tc.wireBreak, dump(fs))
			}
			verify(t, oldFS, newFS, PolicyDeclared, fs)
		})
	}
}
