package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestExample runs the example's scenario on the embedded server over the
// WebSocket transport and on the memory transport, and checks the
// transcript for what the example promises to show.
func TestExample(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		mode string
	}{
		{"websocket", nil, `pattern "orders" v1: inventory_adjusted, order_cancelled (required), order_placed (required), payment_captured, shipment_dispatched`},
		{"memory", []string{"-memory"}, "in-process memory transport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(append(tc.args, "-timeout", "30s"), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{
				tc.mode,
				"audit         order_placed        orders #1 from checkout: order 0b4f1c9e-3d6a-4c1e-9a57-2f8d6b1e7c30 via web",
				"audit         payment_captured    orders #1 from fulfilment, caused by orders #1 from checkout",
				"audit         order_cancelled     orders #4 from fulfilment, caused by orders #2 from checkout",
				"audit         shipment_dispatched orders #2 from fulfilment, caused by orders #1 from fulfilment",
				"audit         inventory_adjusted  orders #3 from fulfilment, caused by orders #1 from fulfilment",
				"audit         customer_notified   customers #1 from fulfilment, caused by orders #2 from fulfilment",
				"checkout      refused to publish an invalid order: parsec: publish order_placed: /lines/0/quantity: 0 is less than minimum 1",
				"audit         GAP on stores: 2 envelope(s) missing",
				"audit         order_placed        stores #4 from store-042",
				"audit         REJECTED order_placed stores #1 from legacy-import",
				"done          audit received 9 envelopes, 1 gap(s) (2 missing), 1 rejected payload(s)",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("transcript lacks %q:\n%s", want, out)
				}
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr:\n%s", stderr.String())
			}
		})
	}
}
