package schema_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

func Example() {
	defs := schema.Resource{Ref: "common/defs.json", Schema: []byte(`{
		"$defs": {"sku": {"type": "string", "pattern": "^(?!TEST-)[A-Z]+-\\d+$"}}
	}`)}
	orderPlaced := schema.Aspect{
		Name:      "order_placed",
		SchemaRef: "orders/order_placed.json",
		Schema: []byte(`{
			"type": "object",
			"required": ["sku", "qty"],
			"properties": {
				"sku": {"$ref": "../common/defs.json#/$defs/sku"},
				"qty": {"type": "integer", "minimum": 1}
			}
		}`),
	}
	v, err := schema.NewValidator(schema.ModeStrict, []schema.Aspect{orderPlaced}, schema.WithResources(defs))
	if err != nil {
		fmt.Println(err)
		return
	}

	env := &envelope.Envelope{Aspect: "order_placed", SchemaRef: "orders/order_placed.json",
		Payload: json.RawMessage(`{"sku":"ABC-1","qty":2}`)}
	fmt.Println(v.Validate(env))

	env.Payload = json.RawMessage(`{"sku":"TEST-1","qty":0}`)
	err = v.Validate(env)
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		for _, c := range ve.Causes {
			fmt.Println(c.Pointer, c.Keyword)
		}
	}
	fmt.Println(errors.Is(err, schema.ErrInvalidPayload), v.Rejects())

	env.Aspect, env.SchemaRef = "unknown", ""
	fmt.Println(v.Validate(env))
	// Output:
	// <nil>
	// /qty orders/order_placed.json#/properties/qty/minimum
	// /sku common/defs.json#/$defs/sku/pattern
	// true true
	// schema: aspect "unknown": no schema registered
}
