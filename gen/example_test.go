package gen_test

import (
	"fmt"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// ExampleModel shows the decisions the generator makes for one aspect
// schema: field order and presence, and a discriminated union.
func ExampleModel() {
	fsys := fstest.MapFS{"schemas/order_paid.json": {Data: []byte(`{
  "title": "Order paid",
  "type": "object",
  "required": ["order_id", "method"],
  "properties": {
    "order_id": {"type": "string", "format": "uuid"},
    "note": {"type": ["string", "null"]},
    "method": {"oneOf": [
      {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "card"}, "last4": {"type": "string"}}},
      {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "iban"}, "iban": {"type": "string"}}}
    ]}
  }
}`)}}
	p, err := gen.Model(gen.Config{FS: fsys, Schemas: []string{"schemas/order_paid.json"}, Package: "events"})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := p.Files[0]
	fmt.Println(f.Name, f.Aspect, f.Root.Name)
	for _, fl := range f.Root.Type.(*ir.Struct).Fields {
		fmt.Println(" ", fl.Name, fl.JSONName, fl.Repr)
	}
	u := f.Types[1].Type.(*ir.Union)
	fmt.Println(f.Types[1].Name, "by", u.Strategy, u.Discriminator)
	for _, v := range u.Variants {
		fmt.Println(" ", v.Name, v.Tag)
	}
	// Output:
	// order_paid.parsec.go order_paid OrderPaid
	//   OrderID order_id plain
	//   Note note opt+nullable
	//   Method method plain
	// OrderPaidMethod by discriminator kind
	//   OrderPaidMethodCard "card"
	//   OrderPaidMethodIban "iban"
}
