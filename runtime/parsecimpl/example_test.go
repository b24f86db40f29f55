package parsecimpl_test

import (
	"errors"
	"fmt"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
	"github.com/parsec-gen/parsec-gen/runtime/parsecimpl"
)

// Generated validators locate an error with a JSON pointer as it unwinds.
func ExampleWrap() {
	err := parsecimpl.CheckMinLength("", 1)
	err = parsecimpl.Wrap(parsecimpl.WrapIndex(parsecimpl.Wrap(err, "sku"), 2), "lines")
	var ve *parsec.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Pointer)
	}
	fmt.Println(err)
	// Output:
	// /lines/2/sku
	// /lines/2/sku: length 0 is less than minLength 1
}
