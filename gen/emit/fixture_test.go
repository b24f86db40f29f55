package emit_test

import (
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen/build"
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// orderPlaced is the model of the order_placed aspect with its shared
// definitions, written by hand the way the build stage produces it. It is the
// input of the emitter's golden output in internal/bench/emitted, whose
// behaviour and speed are compared with the hand-written reference.
func orderPlaced() *ir.Package {
	nc := ir.NoConstraints
	loc := func(file, ptr string) ir.Loc { return ir.Loc{File: file, Pointer: ptr} }
	str := func(c ir.Constraints) *ir.Primitive { return &ir.Primitive{Kind: ir.KindString, Constraints: c} }
	withLen := func(min, max int) ir.Constraints { c := nc(); c.MinLength, c.MaxLength = min, max; return c }
	withPattern := func(file, ptr, src string) ir.Constraints {
		c := nc()
		c.Pattern = &ir.Pattern{Source: src, Loc: loc(file, ptr)}
		return c
	}
	field := func(name, json string, required bool, repr ir.Repr, t ir.Type, doc ...string) *ir.Field {
		if len(doc) == 0 {
			doc = []string{name + ` corresponds to the JSON property "` + json + `".`}
		}
		return &ir.Field{Name: name, JSONName: json, Required: required, Repr: repr, Type: t, Doc: doc}
	}
	const defs, op = "defs/commerce.json", "order_placed.json"

	money := &ir.Named{Name: "Money", ID: defs + "#/$defs/Money", Loc: loc(defs, "/$defs/Money"),
		Doc: []string{"Money is an amount in the currency's minor unit (cents for EUR), never a float."},
		Type: &ir.Struct{Unknown: ir.UnknownReject, Constraints: nc(), Fields: []*ir.Field{
			field("AmountMinor", "amount_minor", true, ir.ReprPlain, &ir.Primitive{Kind: ir.KindInt64, Constraints: nc()},
				"AmountMinor is the amount in minor units; negative for refunds."),
			field("Currency", "currency", true, ir.ReprPlain, str(withPattern(defs, "/$defs/Money/properties/currency", "^[A-Z]{3}$")),
				"Currency is the ISO 4217 currency code."),
		}}}
	address := &ir.Named{Name: "Address", ID: defs + "#/$defs/Address", Loc: loc(defs, "/$defs/Address"),
		Doc: []string{`Address corresponds to the schema "Address".`},
		Type: &ir.Struct{Unknown: ir.UnknownKeep, AdditionalField: "AdditionalProperties", Constraints: nc(), Fields: []*ir.Field{
			field("Line1", "line1", true, ir.ReprPlain, str(withLen(1, 200))),
			field("Line2", "line2", false, ir.ReprOptNullable, str(withLen(-1, 200))),
			field("City", "city", true, ir.ReprPlain, str(withLen(1, -1))),
			field("PostalCode", "postal_code", true, ir.ReprPlain, str(withLen(1, 16))),
			field("Country", "country", true, ir.ReprPlain, str(withPattern(defs, "/$defs/Address/properties/country", "^[A-Z]{2}$")),
				"Country is the ISO 3166-1 alpha-2 country code."),
		}}}
	orderID := &ir.Named{Name: "OrderID", ID: defs + "#/$defs/OrderID", Loc: loc(defs, "/$defs/OrderID"),
		Doc:  []string{"OrderID is the order identifier, a UUID assigned at checkout."},
		Type: &ir.Primitive{Kind: ir.KindUUID, Format: "uuid", Constraints: nc()}}

	channel := &ir.Named{Name: "OrderPlacedSalesChannel", ID: op + "#/properties/sales_channel", Loc: loc(op, "/properties/sales_channel"),
		Doc: []string{"OrderPlacedSalesChannel is where the order was placed."},
		Type: &ir.Enum{Kind: ir.KindString, Values: []ir.EnumValue{
			{Name: "OrderPlacedSalesChannelWeb", JSON: `"web"`, Doc: []string{`OrderPlacedSalesChannelWeb is the value "web".`}},
			{Name: "OrderPlacedSalesChannelMobile", JSON: `"mobile"`, Doc: []string{`OrderPlacedSalesChannelMobile is the value "mobile".`}},
			{Name: "OrderPlacedSalesChannelPos", JSON: `"pos"`, Doc: []string{`OrderPlacedSalesChannelPos is the value "pos".`}},
			{Name: "OrderPlacedSalesChannelMarketplace", JSON: `"marketplace"`, Doc: []string{`OrderPlacedSalesChannelMarketplace is the value "marketplace".`}},
		}}}
	qty := nc()
	qty.Minimum, qty.Maximum = "1", "10000"
	line := &ir.Named{Name: "OrderPlacedLinesItem", ID: op + "#/properties/lines/items", Loc: loc(op, "/properties/lines/items"),
		Doc: []string{`OrderPlacedLinesItem corresponds to an item of the JSON property "lines".`},
		Type: &ir.Struct{Unknown: ir.UnknownReject, Constraints: nc(), Fields: []*ir.Field{
			field("Sku", "sku", true, ir.ReprPlain, str(withPattern(op, "/properties/lines/items/properties/sku", "^[A-Z0-9-]{3,32}$"))),
			field("Quantity", "quantity", true, ir.ReprPlain, &ir.Primitive{Kind: ir.KindInt64, Constraints: qty}),
			field("UnitPrice", "unit_price", true, ir.ReprPlain, &ir.Ref{Name: "Money", Target: money}),
			field("GiftWrap", "gift_wrap", false, ir.ReprOpt, &ir.Primitive{Kind: ir.KindBool, Constraints: nc()}),
		}}}
	lines := nc()
	lines.MinItems, lines.MaxItems = 1, 500
	root := &ir.Named{Name: "OrderPlaced", ID: op + "#", Loc: loc(op, ""),
		Doc: []string{"OrderPlaced is a customer completed checkout and the order was accepted."},
		Type: &ir.Struct{Unknown: ir.UnknownKeep, AdditionalField: "AdditionalProperties", Constraints: nc(), Fields: []*ir.Field{
			field("OrderID", "order_id", true, ir.ReprPlain, &ir.Ref{Name: "OrderID", Target: orderID}),
			field("CustomerID", "customer_id", true, ir.ReprPlain, str(withLen(1, -1))),
			field("SalesChannel", "sales_channel", true, ir.ReprPlain, &ir.Ref{Name: channel.Name, Target: channel},
				"SalesChannel is where the order was placed."),
			field("Lines", "lines", true, ir.ReprPlain, &ir.Array{Elem: &ir.Ref{Name: line.Name, Target: line}, Constraints: lines}),
			field("Total", "total", true, ir.ReprPlain, &ir.Ref{Name: "Money", Target: money}),
			field("ShippingAddress", "shipping_address", false, ir.ReprOpt, &ir.Ref{Name: "Address", Target: address}),
			field("CouponCode", "coupon_code", false, ir.ReprOptNullable, str(nc()),
				"CouponCode is the coupon applied at checkout; null when the customer removed one."),
			field("PlacedAt", "placed_at", true, ir.ReprPlain, &ir.Primitive{Kind: ir.KindDateTime, Format: "date-time", Constraints: nc()}),
			field("Attributes", "attributes", false, ir.ReprOpt, &ir.Map{Value: str(nc()), Constraints: nc()},
				"Attributes are free-form attributes set by the storefront (campaign, A/B bucket, ...)."),
		}}}
	schema := func(path string) []byte {
		b, err := os.ReadFile("../../schemas/" + path)
		if err != nil {
			panic(err) // the repository's own example schemas are always there
		}
		return b
	}
	p := &ir.Package{Name: "emitted", Files: []*ir.File{
		{Name: "defs_commerce.parsec.go", Path: defs, Source: defs, SchemaRef: defs, Schema: schema(defs),
			Types: []*ir.Named{money, address, orderID}},
		{Name: "order_placed.parsec.go", Path: op, Source: op, Aspect: "order_placed", SchemaRef: op, Schema: schema(op),
			Root: root, Types: []*ir.Named{root, channel, line}},
	}}
	return complete(p)
}

// complete makes a model written by hand what Build would produce: the
// decisions build.Complete records, and the doc comments Build writes where
// the fixture leaves them out (Build writes one for every declaration).
func complete(p *ir.Package) *ir.Package {
	build.Complete(p)
	fieldDocs := func(fields []*ir.Field) {
		for _, f := range fields {
			if len(f.Doc) == 0 {
				f.Doc = []string{f.Name + " corresponds to the JSON property " + strconv.Quote(f.JSONName) + "."}
			}
			if f.Deprecated && !slices.ContainsFunc(f.Doc, func(l string) bool { return strings.HasPrefix(l, "Deprecated:") }) {
				f.Doc = append(f.Doc, "", "Deprecated: the schema marks this property as deprecated.")
			}
		}
	}
	for _, f := range p.Files {
		for _, n := range f.Types {
			if len(n.Doc) == 0 {
				n.Doc = []string{n.Name + " corresponds to the schema at " + n.ID + "."}
			}
			switch t := n.Type.(type) {
			case *ir.Struct:
				fieldDocs(t.Fields)
			case *ir.Tuple:
				fieldDocs(t.Items)
			case *ir.Enum:
				for i := range t.Values {
					if v := &t.Values[i]; len(v.Doc) == 0 {
						v.Doc = []string{v.Name + " is the value " + v.JSON + "."}
					}
				}
			case *ir.Union:
				for _, v := range t.Variants {
					if v.Form != ir.VariantSelf && len(v.Doc) == 0 {
						v.Doc = []string{v.Name + " is a variant of " + n.Name + "."}
					}
				}
			}
		}
	}
	return p
}
