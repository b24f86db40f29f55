package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type orderPlaced struct {
	OrderID string `json:"order_id"`
}

func testAspects(t testing.TB) ([]Aspect, []Resource) {
	aspects := []Aspect{
		{Name: "order_placed", SchemaRef: "orders/order_placed.json", Schema: readTestdata(t, "orders/order_placed.json"),
			New: func() any { return new(orderPlaced) }},
		{Name: "order_cancelled", SchemaRef: "https://schemas.example.com/orders/order_cancelled.json",
			Schema: readTestdata(t, "orders/order_cancelled.json")},
		{Name: "heartbeat"}, // no schema
	}
	resources := []Resource{
		{Ref: "common/defs.json", Schema: readTestdata(t, "common/defs.json")},
		{Ref: "https://schemas.example.com/common/money.json", Schema: readTestdata(t, "common/money.json")},
	}
	return aspects, resources
}

func newTestValidator(t testing.TB, mode Mode) *Validator {
	t.Helper()
	aspects, resources := testAspects(t)
	v, err := NewValidator(mode, aspects, WithResources(resources...))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func env(aspect, ref, payload string) *envelope.Envelope {
	return &envelope.Envelope{
		Channel: "orders:eu", Sequence: 1, ProducedAt: time.Date(2026, 5, 27, 14, 22, 9, 0, time.UTC),
		Producer: envelope.Producer{ID: "p", Kind: envelope.ProducerService},
		Aspect:   aspect, SchemaRef: ref, Payload: json.RawMessage(payload),
	}
}

const validOrder = `{"order_id":"o-1","lines":[{"sku":"ABC-1","qty":2}],"total":{"amount":1950,"currency":"EUR"}}`

func TestValidateValid(t *testing.T) {
	v := newTestValidator(t, ModeStrict)
	for _, e := range []*envelope.Envelope{
		env("order_placed", "orders/order_placed.json", validOrder),
		env("order_placed", "./orders/order_placed.json", validOrder),
		env("order_placed", "", validOrder), // by aspect name
		env("order_cancelled", "https://schemas.example.com/orders/order_cancelled.json",
			`{"order_id":"o-1","reason":"fraud","refund":{"amount":5}}`),
	} {
		if err := v.Validate(e); err != nil {
			t.Errorf("Validate(%s %q): %v", e.Aspect, e.SchemaRef, err)
		}
	}
}

func TestValidateViolations(t *testing.T) {
	v := newTestValidator(t, ModeStrict)
	tests := []struct {
		name, aspect, payload string
		want                  []string // pointer: substring of message
	}{
		{"cross-file ref and lookahead", "order_placed",
			`{"order_id":"","lines":[{"sku":"TEST-1","qty":0}],"total":{"amount":-1,"currency":"eur","x":1}}`,
			[]string{"/order_id: minLength", "/lines/0/sku: ", "/lines/0/qty: minimum", "/total/amount: minimum",
				"/total/currency: ", "/total: additional properties 'x' not allowed"}},
		{"missing properties", "order_placed", `{"lines":[]}`,
			[]string{": missing properties", "/lines: minItems"}},
		{"wrong type", "order_placed", `[1,2]`, []string{": got array, want object"}},
		{"absent payload is null", "order_placed", ``, []string{": got null, want object"}},
		{"absolute $id refs", "order_cancelled", `{"order_id":"o","reason":"bored","refund":{"amount":-5}}`,
			[]string{"/reason: value must be one of", "/refund/amount: minimum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Validate(env(tt.aspect, "", tt.payload))
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalidPayload) {
				t.Fatalf("Validate = %v, want a *ValidationError wrapping ErrInvalidPayload", err)
			}
			if ve.Aspect != tt.aspect {
				t.Errorf("Aspect = %q", ve.Aspect)
			}
			var got []string
			for _, c := range ve.Causes {
				got = append(got, c.Pointer+": "+c.Message)
				if c.Keyword == "" {
					t.Errorf("violation %+v has no keyword location", c)
				}
			}
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					if strings.HasPrefix(g, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("no violation %q in %q", w, got)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d violations %q, want %d", len(got), got, len(tt.want))
			}
			for _, g := range got {
				if !strings.Contains(err.Error(), g) && !strings.Contains(err.Error(), "(payload)"+g) {
					t.Errorf("error text %q does not list %q", err, g)
				}
			}
		})
	}
}

func TestViolationOrderAndKeyword(t *testing.T) {
	v := newTestValidator(t, ModeStrict)
	payload := `{"order_id":"","lines":[{"sku":"TEST-1","qty":0}],"total":{"amount":-1,"currency":"eur","x":1}}`
	want := []Violation{
		{"/lines/0/qty", "minimum: got 0, want 1", "orders/order_placed.json#/properties/lines/items/properties/qty/minimum"},
		{"/lines/0/sku", `'TEST-1' does not match pattern '^(?!TEST-)[A-Z]+-\\d+$'`, "common/defs.json#/$defs/sku/pattern"},
		{"/order_id", "minLength: got 0, want 1", "orders/order_placed.json#/properties/order_id/minLength"},
		{"/total", "additional properties 'x' not allowed", "common/defs.json#/$defs/money/additionalProperties"},
		{"/total/amount", "minimum: got -1, want 0", "common/defs.json#/$defs/money/properties/amount/minimum"},
		{"/total/currency", "'eur' does not match pattern '^[A-Z]{3}$'", "common/defs.json#/$defs/money/properties/currency/pattern"},
	}
	// Several runs: the library walks maps, the result must not depend on it.
	for range 5 {
		var ve *ValidationError
		if err := v.Validate(env("order_placed", "", payload)); !errors.As(err, &ve) {
			t.Fatalf("Validate = %v", err)
		}
		if diff := cmp.Diff(want, ve.Causes); diff != "" {
			t.Fatalf("violations (-want +got):\n%s", diff)
		}
	}
}

func TestValidationErrorText(t *testing.T) {
	v := newTestValidator(t, ModeStrict)
	err := v.Validate(env("order_placed", "orders/order_placed.json",
		`{"order_id":"o","lines":[{"sku":"A-1","qty":0}],"total":{"amount":1,"currency":"EUR"}}`))
	want := `schema: aspect "order_placed" (schema "orders/order_placed.json"): payload does not match its schema: /lines/0/qty: minimum: got 0, want 1`
	if err == nil || err.Error() != want {
		t.Errorf("error text:\n got %v\nwant %s", err, want)
	}
}

func TestValidationErrorTextCapped(t *testing.T) {
	v, err := NewValidator(ModeStrict, []Aspect{{Name: "a", SchemaRef: "a.json",
		Schema: []byte(`{"type":"array","items":{"type":"string"}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	err = v.Validate(env("a", "", `[`+strings.TrimSuffix(strings.Repeat("1,", 25), ",")+`]`))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Causes) != 25 {
		t.Fatalf("Validate = %v", err)
	}
	if n := strings.Count(err.Error(), "want string"); n != 20 || !strings.HasSuffix(err.Error(), "; and 5 more") {
		t.Errorf("error lists %d violations: %v", n, err)
	}
}

func TestValidateMalformedPayload(t *testing.T) {
	v := newTestValidator(t, ModeStrict)
	for _, payload := range []string{`{"order_id":`, `{"a":1,"a":2}`, `{} {}`, `nul`, `01`} {
		err := v.Validate(env("order_placed", "", payload))
		var ve *ValidationError
		if !errors.Is(err, ErrMalformedPayload) || !errors.As(err, &ve) || ve.Detail == "" {
			t.Errorf("payload %s: %v, want ErrMalformedPayload with detail", payload, err)
		}
	}
}

func TestValidateNoSchema(t *testing.T) {
	for _, mode := range []Mode{ModeStrict, ModeWarn} {
		v := newTestValidator(t, mode)
		for _, e := range []*envelope.Envelope{
			env("unknown_aspect", "", `{}`),
			env("unknown_aspect", "orders/nope.json", `{}`),
			env("heartbeat", "", `{}`), // registered, without a schema
		} {
			err := v.Validate(e)
			if !errors.Is(err, ErrNoSchema) {
				t.Errorf("%v: Validate(%s) = %v, want ErrNoSchema", mode, e.Aspect, err)
			}
		}
	}
	// An unknown schema ref falls back to the aspect name.
	v := newTestValidator(t, ModeStrict)
	if err := v.Validate(env("order_placed", "orders/renamed.json", validOrder)); err != nil {
		t.Errorf("fallback to the aspect name: %v", err)
	}
	// A known schema ref wins over the aspect name.
	err := v.Validate(env("order_placed", "https://schemas.example.com/orders/order_cancelled.json", validOrder))
	if !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("schema ref did not win over the aspect name: %v", err)
	}
}

func TestModes(t *testing.T) {
	bad := env("order_placed", "", `{}`)
	strict := newTestValidator(t, ModeStrict)
	if strict.Mode() != ModeStrict || !strict.Rejects() || strict.Validate(bad) == nil {
		t.Error("strict mode does not reject")
	}
	warn := newTestValidator(t, ModeWarn)
	if warn.Mode() != ModeWarn || warn.Rejects() || !errors.Is(warn.Validate(bad), ErrInvalidPayload) {
		t.Error("warn mode does not report without rejecting")
	}
	off := newTestValidator(t, ModeOff)
	if off.Mode() != ModeOff || off.Rejects() {
		t.Error("off mode misreports itself")
	}
	for _, e := range []*envelope.Envelope{bad, env("nope", "", `{`)} {
		if err := off.Validate(e); err != nil {
			t.Errorf("off mode validated: %v", err)
		}
	}
	for _, s := range []string{"strict", "warn", "off"} {
		m, err := ParseMode(s)
		if err != nil || m.String() != s {
			t.Errorf("ParseMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseMode("loud"); err == nil {
		t.Error("ParseMode accepted an unknown mode")
	}
	if _, err := NewValidator(Mode(7), nil); err == nil {
		t.Error("NewValidator accepted an unknown mode")
	}
}

func TestNeverLoadsUnregistered(t *testing.T) {
	// A file that exists on disk and a remote URL are both refused.
	abs, err := filepath.Abs("testdata/common/defs.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"file://" + filepath.ToSlash(abs), "https://json.schemastore.org/package.json", "missing.json"} {
		schema := fmt.Sprintf(`{"properties":{"x":{"$ref":%q}}}`, ref)
		_, err := NewValidator(ModeStrict, []Aspect{{Name: "a", SchemaRef: "a.json", Schema: []byte(schema)}})
		if err == nil || !strings.Contains(err.Error(), "not a registered schema document") {
			t.Errorf("$ref %s: %v, want a refusal", ref, err)
		}
		if err != nil && !strings.Contains(err.Error(), `aspect "a"`) {
			t.Errorf("error %q does not name the aspect", err)
		}
	}
}

func TestRegistry(t *testing.T) {
	aspects, resources := testAspects(t)
	r, err := NewRegistry(aspects, resources...)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := r.ByName("order_placed"); !ok || a.SchemaRef != "orders/order_placed.json" || a.New == nil {
		t.Errorf("ByName = %+v, %v", a, ok)
	}
	if _, ok := r.New("order_placed").(*orderPlaced); !ok {
		t.Error("New did not return the aspect's Go type")
	}
	if r.New("heartbeat") != nil || r.New("nope") != nil {
		t.Error("New of an aspect without a constructor is not nil")
	}
	if a, ok := r.ByRef("./orders/order_placed.json"); !ok || a.Name != "order_placed" {
		t.Errorf("ByRef = %+v, %v", a, ok)
	}
	if a, ok := r.ByRef("https://schemas.example.com/orders/order_cancelled.json"); !ok || a.Name != "order_cancelled" {
		t.Errorf("ByRef(absolute) = %+v, %v", a, ok)
	}
	if _, ok := r.ByRef("common/defs.json"); ok {
		t.Error("a resource is not an aspect")
	}
	if ref, ok := r.SchemaRef("heartbeat"); ok {
		t.Errorf("SchemaRef(heartbeat) = %q", ref)
	}
	var names []string
	for _, a := range r.Aspects() {
		names = append(names, a.Name)
	}
	if diff := cmp.Diff([]string{"order_placed", "order_cancelled", "heartbeat"}, names); diff != "" {
		t.Errorf("Aspects order (-want +got):\n%s", diff)
	}
}

// TestSharedAspectName: one aspect on two channel patterns, each with its
// own schema, validates by schema ref; by name alone it is ambiguous.
func TestSharedAspectName(t *testing.T) {
	v, err := NewValidator(ModeStrict, []Aspect{
		{Name: "data", SchemaRef: "p/sessions/data.json", Schema: []byte(`{"type":"object","required":["user"]}`)},
		{Name: "data", SchemaRef: "p/rooms/data.json", Schema: []byte(`{"type":"object","required":["room"]}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Validate(env("data", "p/sessions/data.json", `{"user":1}`)); err != nil {
		t.Errorf("sessions data: %v", err)
	}
	if err := v.Validate(env("data", "p/rooms/data.json", `{"user":1}`)); err == nil {
		t.Error("rooms data without room validated")
	}
	if err := v.Validate(env("data", "", `{}`)); !errors.Is(err, ErrNoSchema) {
		t.Errorf("data without ref: %v, want ErrNoSchema", err)
	}
}

func TestRegistryErrors(t *testing.T) {
	schema := []byte(`{"type":"object"}`)
	tests := []struct {
		name      string
		aspects   []Aspect
		resources []Resource
		want      string
	}{
		{"duplicate name", []Aspect{{Name: "a", SchemaRef: "a.json", Schema: schema}, {Name: "a", Schema: schema}},
			nil, `aspect "a" is registered twice`},
		{"duplicate name without ref", []Aspect{{Name: "a", Schema: schema}, {Name: "a", SchemaRef: "b.json", Schema: schema}},
			nil, `aspect "a" is registered twice`},
		{"duplicate ref", []Aspect{{Name: "a", SchemaRef: "x/a.json", Schema: schema}, {Name: "b", SchemaRef: "./x/a.json", Schema: schema}},
			nil, `aspect "b": schema ref "./x/a.json" is already used by aspect "a"`},
		{"resource ref taken", []Aspect{{Name: "a", SchemaRef: "a.json", Schema: schema}}, []Resource{{Ref: "a.json", Schema: schema}},
			`resource "a.json": schema ref "a.json" is already used by aspect "a"`},
		{"empty name", []Aspect{{Schema: schema}}, nil, `aspect with an empty name`},
		{"bad json", []Aspect{{Name: "a", SchemaRef: "a.json", Schema: []byte(`{"type":`)}}, nil, `aspect "a": invalid JSON`},
		{"escaping ref", []Aspect{{Name: "a", SchemaRef: "../a.json", Schema: schema}}, nil, `aspect "a": schema ref "../a.json" leaves the schema tree`},
		{"rooted ref", []Aspect{{Name: "a", SchemaRef: "/a.json", Schema: schema}}, nil, `must be an absolute URI or a relative path`},
		{"fragment", []Aspect{{Name: "a", SchemaRef: "a.json#/x", Schema: schema}}, nil, `must not have a fragment`},
		{"ref without schema", []Aspect{{Name: "a", SchemaRef: "a.json"}}, nil, `aspect "a": schema ref "a.json" without a schema document`},
		{"resource without ref", nil, []Resource{{Schema: schema}}, `resource with an empty ref`},
	}
	for _, tt := range tests {
		_, err := NewRegistry(tt.aspects, tt.resources...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewRegistry = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestCompileErrorNamesAspect(t *testing.T) {
	_, err := NewValidator(ModeStrict, []Aspect{
		{Name: "good", SchemaRef: "good.json", Schema: []byte(`{"type":"object"}`)},
		{Name: "bad", SchemaRef: "bad.json", Schema: []byte(`{"type":"objekt"}`)},
	})
	if err == nil || !strings.Contains(err.Error(), `aspect "bad"`) || strings.Contains(err.Error(), `aspect "good"`) {
		t.Errorf("NewValidator = %v, want an error naming only aspect \"bad\"", err)
	}
	// ModeOff compiles nothing, so the broken schema does not stop it.
	if _, err := NewValidator(ModeOff, []Aspect{{Name: "bad", SchemaRef: "bad.json", Schema: []byte(`{"type":"objekt"}`)}}); err != nil {
		t.Errorf("ModeOff compiled: %v", err)
	}
}

func TestSchemaWithOwnID(t *testing.T) {
	// No SchemaRef: the document's $id names it.
	v, err := NewValidator(ModeStrict, []Aspect{{Name: "a", Schema: []byte(`{"$id":"https://x.example/a.json","type":"string"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Validate(env("other", "https://x.example/a.json", `"s"`)); err != nil {
		t.Errorf("lookup by $id: %v", err)
	}
	if err := v.Validate(env("a", "", `1`)); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("lookup by name: %v", err)
	}
}

func TestConcurrentValidate(t *testing.T) {
	v := newTestValidator(t, ModeStrict)
	good := env("order_placed", "orders/order_placed.json", validOrder)
	bad := env("order_placed", "orders/order_placed.json", `{"order_id":"o","lines":[{"sku":"TEST-1","qty":1}],"total":{"amount":1,"currency":"EUR"}}`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				e, wantErr := good, false
				if (w+i)%2 == 1 {
					e, wantErr = bad, true
				}
				if err := v.Validate(e); (err != nil) != wantErr {
					errs <- fmt.Errorf("worker %d iteration %d: %v", w, i, err)
					return
				}
			}
		}()
	}
	testenv.Wait(t, &wg, time.Minute, "the concurrent validators")
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkValidate(b *testing.B) {
	v := newTestValidator(b, ModeStrict)
	e := env("order_placed", "orders/order_placed.json", validOrder)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Validate(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateUnmarshalJSON is the obvious alternative to Validate's
// payload parsing: the schema library's own UnmarshalJSON (encoding/json with
// UseNumber) followed by the same compiled schema.
func BenchmarkValidateUnmarshalJSON(b *testing.B) {
	v := newTestValidator(b, ModeStrict)
	e := env("order_placed", "orders/order_placed.json", validOrder)
	sch, _ := v.lookup(e)
	b.ReportAllocs()
	for b.Loop() {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(e.Payload))
		if err != nil {
			b.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParsePayloadMatchesLibrary(t *testing.T) {
	for _, payload := range []string{validOrder, `[1,2.5,-0,1e400,"x\u00e9\n",true,false,null,{}]`, `"s"`, `12345678901234567890`} {
		got, err := parsePayload([]byte(payload))
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		want, err := jsonschema.UnmarshalJSON(strings.NewReader(payload))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-library +ours):\n%s", payload, diff)
		}
	}
}

func TestBadAnnotationsDropped(t *testing.T) {
	props := `{"$schema":"http://json-schema.org/draft-07/schema#","title":null,
		"properties":{"description":{"type":"string","description":null},"n":{"type":"integer","$comment":5,"examples":{}}}}`
	konst := `{"description":null,"const":{"description":null}}`
	v, err := NewValidator(ModeStrict, []Aspect{
		{Name: "props", SchemaRef: "props.json", Schema: []byte(props)},
		{Name: "const", SchemaRef: "const.json", Schema: []byte(konst)},
	})
	if err != nil {
		t.Fatalf("null annotations rejected: %v", err)
	}
	// A property called "description" is a schema, not an annotation.
	if err := v.Validate(env("props", "", `{"description":1}`)); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("property named description lost: %v", err)
	}
	if err := v.Validate(env("props", "", `{"description":"d","n":1}`)); err != nil {
		t.Errorf("valid payload: %v", err)
	}
	// A const value is data: its "description": null is kept.
	if err := v.Validate(env("const", "", `{}`)); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("const changed: %v", err)
	}
	if err := v.Validate(env("const", "", `{"description":null}`)); err != nil {
		t.Errorf("const value rejected: %v", err)
	}
}
