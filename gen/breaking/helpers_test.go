package breaking

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// files is a schema tree: path -> JSON text. Files under defs/ are shared
// definitions, every other file is an aspect.
type files map[string]string

func (fs files) aspects() []string {
	var out []string
	for p := range fs {
		if !strings.HasPrefix(p, "defs/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func mustLoad(t *testing.T, fs files) *Version {
	t.Helper()
	m := fstest.MapFS{}
	for p, s := range fs {
		m[p] = &fstest.MapFile{Data: []byte(s)}
	}
	v, err := Load(Source{FS: m, Schemas: fs.aspects()})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return v
}

// oracle validates instances with the runtime's validator, built directly
// from the schema texts (not from a Version), optionally with every object
// closed: "additionalProperties": false added wherever an object schema
// declares properties and says nothing about undeclared ones. For the test
// schemas (no properties split over allOf branches) that is exactly the
// declared policy.
type oracle struct {
	set *schema.Set
}

func newOracle(t *testing.T, fs files, closed bool) *oracle {
	t.Helper()
	var aspects []schema.Aspect
	var resources []schema.Resource
	for p, s := range fs {
		data := []byte(s)
		if closed {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			closeObjects(v)
			var err error
			if data, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		if strings.HasPrefix(p, "defs/") {
			resources = append(resources, schema.Resource{Ref: p, Schema: data})
		} else {
			aspects = append(aspects, schema.Aspect{Name: strings.TrimSuffix(p, ".json"), SchemaRef: p, Schema: data})
		}
	}
	return &oracle{set: schema.NewSet(aspects, resources)}
}

func closeObjects(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["properties"]; ok {
			_, ap := x["additionalProperties"]
			_, pp := x["patternProperties"]
			if !ap && !pp {
				x["additionalProperties"] = false
			}
		}
		for k, c := range x {
			if k != "enum" && k != "const" && k != "default" && k != "examples" {
				closeObjects(c)
			}
		}
	case []any:
		for _, c := range x {
			closeObjects(c)
		}
	}
}

func (o *oracle) valid(t *testing.T, aspect string, w []byte) bool {
	t.Helper()
	err := o.set.Validate(aspect+".json", "", w)
	if err == nil {
		return true
	}
	if _, ok := err.(*schema.ValidationError); !ok {
		t.Fatalf("validate %s: %v", aspect, err)
	}
	return false
}

// verify checks every wire finding's witness with the oracle: valid under
// the version it claims (closed under the declared policy), invalid under
// the other.
func verify(t *testing.T, oldFS, newFS files, policy Policy, fs []Finding) {
	t.Helper()
	oldO, newO := newOracle(t, oldFS, false), newOracle(t, newFS, false)
	oldAcc, newAcc := oldO, newO
	if policy == PolicyDeclared {
		oldAcc, newAcc = newOracle(t, oldFS, true), newOracle(t, newFS, true)
	}
	for _, f := range fs {
		switch f.Direction {
		case Backward:
			if !oldAcc.valid(t, f.Aspect, f.Witness) {
				t.Errorf("%s %s: witness %s is not valid under old", f.Direction, f.Rule, f.Witness)
			}
			if f.Rule != "aspect-removed" && newO.valid(t, f.Aspect, f.Witness) {
				t.Errorf("%s %s: witness %s is valid under new", f.Direction, f.Rule, f.Witness)
			}
		case Forward:
			if !newAcc.valid(t, f.Aspect, f.Witness) {
				t.Errorf("%s %s: witness %s is not valid under new", f.Direction, f.Rule, f.Witness)
			}
			if oldO.valid(t, f.Aspect, f.Witness) {
				t.Errorf("%s %s: witness %s is valid under old", f.Direction, f.Rule, f.Witness)
			}
		}
	}
}

// rules lists "direction rule" of the findings, sorted and without repeats.
func rules(fs []Finding, dir string) []string {
	var out []string
	for _, f := range fs {
		if f.Direction == dir {
			out = append(out, f.Rule)
		}
	}
	sort.Strings(out)
	var dedup []string
	for i, r := range out {
		if i == 0 || r != out[i-1] {
			dedup = append(dedup, r)
		}
	}
	return dedup
}

// causes returns the violations rejecting w.
func (o *oracle) causes(t *testing.T, aspect string, w []byte) []schema.Violation {
	t.Helper()
	err := o.set.Validate(aspect+".json", "", w)
	ve, ok := err.(*schema.ValidationError)
	if !ok {
		t.Fatalf("validate %s: %v", aspect, err)
	}
	return ve.Causes
}
