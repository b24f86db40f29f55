package parsec_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// A generated struct keeps absent, null and a value apart.
func ExampleOptNullable() {
	type Order struct {
		Coupon parsec.OptNullable[string] `json:"coupon,omitzero"`
	}
	for _, in := range []string{`{}`, `{"coupon":null}`, `{"coupon":"SPRING"}`} {
		var o Order
		if err := json.Unmarshal([]byte(in), &o); err != nil {
			fmt.Println(err)
			continue
		}
		code, ok := o.Coupon.Get()
		out, err := json.Marshal(o)
		fmt.Println(o.Coupon.Set, o.Coupon.IsNull(), code, ok, string(out), err)
	}
	// Output:
	// false false  false {} <nil>
	// true true  false {"coupon":null} <nil>
	// true false SPRING true {"coupon":"SPRING"} <nil>
}

// Errors carry the JSON pointer of the offending value, built as they unwind.
func ExampleWrap() {
	err := parsec.CheckMinLength("", 1)
	err = parsec.Wrap(parsec.WrapIndex(parsec.Wrap(err, "sku"), 2), "lines")
	var ve *parsec.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Pointer)
	}
	fmt.Println(err)
	// Output:
	// /lines/2/sku
	// /lines/2/sku: length 0 is less than minLength 1
}

// Map keeps the order in which keys arrived.
func ExampleMap() {
	var m parsec.Map[int]
	if err := json.Unmarshal([]byte(`{"z":1,"a":2}`), &m); err != nil {
		fmt.Println(err)
		return
	}
	m.Set("m", 3)
	out, err := json.Marshal(m)
	fmt.Println(string(out), err)
	// Output: {"z":1,"a":2,"m":3} <nil>
}
