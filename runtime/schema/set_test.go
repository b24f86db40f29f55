package schema

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
)

func testSet(t testing.TB) *Set {
	aspects, resources := testAspects(t)
	return NewSet(aspects, resources)
}

func TestSetValidate(t *testing.T) {
	s := testSet(t)
	tests := []struct {
		ref, pointer, instance string
		want                   error
	}{
		{"orders/order_placed.json", "", validOrder, nil},
		{"orders/order_placed.json", "/properties/lines", `[{"sku":"AB-1","qty":1}]`, nil},
		{"orders/order_placed.json", "/properties/lines", `[]`, ErrInvalidPayload},
		{"orders/order_placed.json", "/properties/lines/items/properties/sku", `"TEST-9"`, ErrInvalidPayload},
		{"orders/order_placed.json", "/properties/total", `{"amount":1,"currency":"EUR"}`, nil}, // cross-file $ref
		{"./common/defs.json", "/$defs/money", `{"amount":1}`, ErrInvalidPayload},
		{"https://schemas.example.com/common/money.json", "", `{"amount":-1}`, ErrInvalidPayload},
		{"orders/order_placed.json", "/properties/lines", `[`, ErrMalformedPayload},
	}
	for _, tt := range tests {
		err := s.Validate(tt.ref, tt.pointer, []byte(tt.instance))
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Validate(%s, %s, %s) = %v, want %v", tt.ref, tt.pointer, tt.instance, err, tt.want)
		}
	}
	err := s.Validate("common/defs.json", "/$defs/money", []byte(`{"amount":1,"currency":"eu"}`))
	want := `schema: schema "common/defs.json#/$defs/money": payload does not match its schema: /currency: 'eu' does not match pattern '^[A-Z]{3}$'`
	if err == nil || err.Error() != want {
		t.Errorf("error text:\n got %v\nwant %s", err, want)
	}
}

func TestSetValidateValue(t *testing.T) {
	s := testSet(t)
	type line struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	if err := s.ValidateValue("orders/order_placed.json", "/properties/lines", []line{{"AB-1", 1}}); err != nil {
		t.Errorf("valid value: %v", err)
	}
	err := s.ValidateValue("orders/order_placed.json", "/properties/lines", []line{{"AB-1", 0}})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Causes) != 1 || ve.Causes[0].Pointer != "/0/qty" {
		t.Errorf("invalid value: %v", err)
	}
	if err := s.ValidateValue("orders/order_placed.json", "", func() {}); err == nil || !strings.Contains(err.Error(), "encoding the value") {
		t.Errorf("unencodable value: %v", err)
	}
}

func TestSetErrors(t *testing.T) {
	s := testSet(t)
	tests := []struct{ ref, pointer, want string }{
		{"orders/nope.json", "", `schema ref "orders/nope.json" is not registered`},
		{"orders/order_placed.json", "properties", `"properties" is not a JSON pointer`},
		{"orders/order_placed.json", "/properties/nope", `orders/order_placed.json#/properties/nope`},
		{"../x.json", "", `leaves the schema tree`},
	}
	for _, tt := range tests {
		for range 2 { // the second call answers from the cache
			err := s.Validate(tt.ref, tt.pointer, []byte(`1`))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate(%s, %s) = %v, want %q", tt.ref, tt.pointer, err, tt.want)
			}
		}
	}
	bad := NewSet([]Aspect{{Name: "a", SchemaRef: "a.json", Schema: []byte(`{`)}}, nil)
	for range 2 {
		if err := bad.Validate("a.json", "", []byte(`1`)); err == nil || !strings.Contains(err.Error(), `aspect "a": invalid JSON`) {
			t.Errorf("registration error not reported: %v", err)
		}
	}
}

// TestSetConcurrent validates against several pointers from many goroutines
// at once, so compilation of one location races with validation against
// others under the race detector.
func TestSetConcurrent(t *testing.T) {
	s := testSet(t)
	cases := []struct {
		pointer, good, bad string
	}{
		{"", validOrder, `{}`},
		{"/properties/lines", `[{"sku":"AB-1","qty":1}]`, `[]`},
		{"/properties/lines/items/properties/qty", `3`, `0`},
		{"/properties/order_id", `"o"`, `""`},
		{"/properties/total", `{"amount":1,"currency":"EUR"}`, `{"amount":1}`},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				c := cases[(w+i)%len(cases)]
				if err := s.Validate("orders/order_placed.json", c.pointer, []byte(c.good)); err != nil {
					errs <- fmt.Errorf("%s good: %v", c.pointer, err)
					return
				}
				if err := s.Validate("orders/order_placed.json", c.pointer, []byte(c.bad)); !errors.Is(err, ErrInvalidPayload) {
					errs <- fmt.Errorf("%s bad: %v", c.pointer, err)
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

func TestSetPointerEscapes(t *testing.T) {
	s := NewSet([]Aspect{{Name: "a", SchemaRef: "a.json",
		Schema: []byte(`{"properties":{"a/b%c d~":{"type":"integer"}}}`)}}, nil)
	ptr := "/properties/a~1b%c d~0"
	if err := s.Validate("a.json", ptr, []byte(`1`)); err != nil {
		t.Errorf("valid: %v", err)
	}
	if err := s.Validate("a.json", ptr, []byte(`"x"`)); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("invalid: %v", err)
	}
}
