// Package bench measures generated decoders and encoders against plain
// encoding/json on a realistic 1 KB event: the hand-written reference (the
// specification of the emitter's output) and the emitter's own output for the
// same schema, in the same run.
package bench

import "time"

// PlainOrderPlaced is what a team would write by hand for encoding/json:
// pointers for optional values, no validation, unknown properties dropped.
type PlainOrderPlaced struct {
	OrderID         string            `json:"order_id"`
	CustomerID      string            `json:"customer_id"`
	SalesChannel    string            `json:"sales_channel"`
	Lines           []PlainLine       `json:"lines"`
	Total           PlainMoney        `json:"total"`
	ShippingAddress *PlainAddress     `json:"shipping_address,omitempty"`
	CouponCode      *string           `json:"coupon_code,omitempty"`
	PlacedAt        time.Time         `json:"placed_at"`
	Attributes      map[string]string `json:"attributes,omitempty"`
}

// PlainLine is an order line.
type PlainLine struct {
	Sku       string     `json:"sku"`
	Quantity  int64      `json:"quantity"`
	UnitPrice PlainMoney `json:"unit_price"`
	GiftWrap  *bool      `json:"gift_wrap,omitempty"`
}

// PlainMoney is an amount.
type PlainMoney struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// PlainAddress is a postal address.
type PlainAddress struct {
	Line1      string  `json:"line1"`
	Line2      *string `json:"line2,omitempty"`
	City       string  `json:"city"`
	PostalCode string  `json:"postal_code"`
	Country    string  `json:"country"`
}
