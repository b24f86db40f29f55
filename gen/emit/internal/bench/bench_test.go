package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/gen/emit/internal/bench/emitted"
	"github.com/parsec-gen/parsec-gen/gen/emit/internal/bench/reference"
	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

func event(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/order_placed.json")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func compact(tb testing.TB, b []byte) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

// TestReferenceRoundTrip checks the specification itself: lossless round
// trip (null kept, unknown properties kept in order), validation on decode
// with located errors, and Validate on values built in code.
func TestReferenceRoundTrip(t *testing.T) {
	in := event(t)
	var v reference.OrderPlaced
	if err := json.Unmarshal(in, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), compact(t, in); got != want {
		t.Errorf("round trip:\n got %s\nwant %s", got, want)
	}
	if err := v.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if !v.CouponCode.IsNull() || v.ShippingAddress.Value.Line2.Set && !v.ShippingAddress.Value.Line2.Null {
		t.Error("null not kept")
	}
	if raw, ok := v.AdditionalProperties.Get("storefront"); !ok || !strings.Contains(string(raw), "eu-web-3") {
		t.Error("unknown property not kept")
	}
}

func TestReferenceRejects(t *testing.T) {
	in := string(event(t))
	tests := []struct{ old, new, want string }{
		{`"sales_channel": "web"`, `"sales_channel": "fax"`, `/sales_channel: "fax" is not one of the allowed values`},
		{`"SKU-20077-RED"`, `"sku-20077-red"`, `/lines/1/sku: "sku-20077-red" does not match pattern`},
		{`"quantity": 3`, `"quantity": 0`, `/lines/2/quantity: 0 is less than minimum 1`},
		{`"gift_wrap": true`, `"gift_wrap": true, "x": 1`, `/lines/2/x: property is not allowed`},
		{`"customer_id": "cus_8f2a1c9e4b7d",`, ``, `(root): missing required property "customer_id"`},
		{`"currency": "EUR"}, "gift_wrap": false`, `"currency": "EURO"}, "gift_wrap": false`, `/lines/0/unit_price/currency: "EURO" does not match`},
		{`"line2": null`, `"line2": 7`, `/shipping_address/line2: expected a string, found a number`},
		{`"2026-05-27T14:22:09.331Z"`, `"yesterday"`, `/placed_at: "yesterday" is not an RFC 3339 date-time`},
		{`"campaign": "spring-sale-2026"`, `"campaign": false`, `/attributes/campaign: expected a string, found a boolean`},
		{`"coupon_code": null,`, `"coupon_code": null,,`, `invalid JSON`},
	}
	for _, tt := range tests {
		doc := strings.Replace(in, tt.old, tt.new, 1)
		if doc == in {
			t.Fatalf("test input %q not found", tt.old)
		}
		var ref reference.OrderPlaced
		var emi emitted.OrderPlaced
		for name, v := range map[string]json.Unmarshaler{"reference": &ref, "emitted": &emi} {
			err := v.UnmarshalJSON([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %s -> %s: err = %v, want %q", name, tt.old, tt.new, err, tt.want)
			}
		}
	}
}

func TestReferenceValidateBuilt(t *testing.T) {
	v := reference.OrderPlaced{
		CustomerID:   "",
		SalesChannel: "fax",
		Lines:        []reference.OrderPlacedLinesItem{{Sku: "ok-1", Quantity: 1, UnitPrice: reference.Money{Currency: "EUR"}}},
	}
	err := v.Validate()
	var es parsec.ValidationErrors
	if !errors.As(err, &es) || len(es) != 6 {
		t.Fatalf("Validate() = %v, want 6 errors", err)
	}
	for _, want := range []string{"/order_id: empty UUID", "/customer_id: length 0", `/sales_channel: "fax"`, `/lines/0/sku: "ok-1" does not match`, "/total/currency", "/placed_at: empty DateTime"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v\nwant it to contain %q", err, want)
		}
	}
}

// TestEmittedMatchesReference decodes the event with both and compares the
// re-encoded bytes and the Validate results of values built in code.
func TestEmittedMatchesReference(t *testing.T) {
	in := event(t)
	var ref reference.OrderPlaced
	var emi emitted.OrderPlaced
	if err := json.Unmarshal(in, &ref); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(in, &emi); err != nil {
		t.Fatal(err)
	}
	a, err := json.Marshal(ref)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(emi)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) || string(b) != compact(t, in) {
		t.Errorf("encodings differ:\nreference %s\nemitted   %s", a, b)
	}
	bad := emitted.OrderPlaced{SalesChannel: "fax", Lines: []emitted.OrderPlacedLinesItem{{Sku: "ok-1", Quantity: 1, UnitPrice: emitted.Money{Currency: "EUR"}}}}
	err = bad.Validate()
	var es parsec.ValidationErrors
	if !errors.As(err, &es) || len(es) != 6 {
		t.Fatalf("Validate() = %v, want 6 errors", err)
	}
	if len(emitted.Aspects) != 1 || emitted.Aspects[0].Name != "order_placed" {
		t.Fatalf("Aspects = %+v", emitted.Aspects)
	}
	v, ok := emitted.Aspects[0].New().(*emitted.OrderPlaced)
	if !ok {
		t.Fatalf("Aspects[0].New() = %T", emitted.Aspects[0].New())
	}
	if err := json.Unmarshal(in, v); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkDecode(b *testing.B) {
	in := event(b)
	b.Run("encoding_json_plain", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			var v PlainOrderPlaced
			if err := json.Unmarshal(in, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference_validating", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			var v reference.OrderPlaced
			if err := v.UnmarshalJSON(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("emitted_validating", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			var v emitted.OrderPlaced
			if err := v.UnmarshalJSON(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	in := event(b)
	var plain PlainOrderPlaced
	if err := json.Unmarshal(in, &plain); err != nil {
		b.Fatal(err)
	}
	var ref reference.OrderPlaced
	if err := ref.UnmarshalJSON(in); err != nil {
		b.Fatal(err)
	}
	b.Run("encoding_json_plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&plain); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ref.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	var emi emitted.OrderPlaced
	if err := emi.UnmarshalJSON(in); err != nil {
		b.Fatal(err)
	}
	b.Run("emitted", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := emi.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInterleaved runs the generated code and encoding/json in
// alternation, timing each call, and reports the ratio of their total times:
// on a shared machine whose load drifts during a run this ratio is far more
// stable than comparing two separate benchmarks.
func BenchmarkInterleaved(b *testing.B) {
	in := event(b)
	var plain PlainOrderPlaced
	if err := json.Unmarshal(in, &plain); err != nil {
		b.Fatal(err)
	}
	var emi emitted.OrderPlaced
	if err := emi.UnmarshalJSON(in); err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		var ours, theirs time.Duration
		for b.Loop() {
			t0 := time.Now()
			var p PlainOrderPlaced
			if err := json.Unmarshal(in, &p); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			var v emitted.OrderPlaced
			if err := v.UnmarshalJSON(in); err != nil {
				b.Fatal(err)
			}
			ours += time.Since(t1)
			theirs += t1.Sub(t0)
		}
		b.ReportMetric(float64(ours)/float64(theirs), "x_encoding/json")
	})
	b.Run("encode", func(b *testing.B) {
		var ours, theirs time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := json.Marshal(&plain); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := emi.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
			ours += time.Since(t1)
			theirs += t1.Sub(t0)
		}
		b.ReportMetric(float64(ours)/float64(theirs), "x_encoding/json")
	})
}
