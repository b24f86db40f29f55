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
		fmt.Println(o.Coupon.IsSet(), o.Coupon.IsNull(), code, ok, string(out), err)
	}
	// Output:
	// false false  false {} <nil>
	// true true  false {"coupon":null} <nil>
	// true false SPRING true {"coupon":"SPRING"} <nil>
}

// Errors carry the RFC 6901 JSON pointer of the offending value.
func ExampleValidationError() {
	var prices parsec.Map[int]
	err := json.Unmarshal([]byte(`{"c":1,"a/b":"two"}`), &prices)
	var ve *parsec.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Pointer)
	}
	// Output: /a~1b
}

// The three presence types answer the same questions.
func ExampleNullable() {
	for _, n := range []parsec.Nullable[int]{{}, parsec.NewNullable(3), parsec.Null[int]()} {
		v, ok := n.Get()
		fmt.Println(n.IsSet(), n.IsNull(), n.IsZero(), v, ok, n.Or(-1))
	}
	// Output:
	// true false true 0 true 0
	// true false false 3 true 3
	// true true false 0 false -1
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
