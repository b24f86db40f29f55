package naming_test

import (
	"testing"

	"github.com/parsec-gen/parsec-gen/gen/naming"
)

func TestJoinWords(t *testing.T) {
	cases := []struct{ parent, suffix, want string }{
		{"OrderLine", "LineItem", "OrderLineItem"},
		{"OrderStatus", "StatusCode", "OrderStatusCode"},
		{"Order", "OrderID", "OrderID"},
		{"Order", "Lines", "OrderLines"},
		{"TripEndedOutcome", "Reason", "TripEndedOutcomeReason"},
		{"TripEndedOutcomeReason", "Reason", "TripEndedOutcomeReasonReason"}, // only that word: kept
		{"Rule", "RuleSet", "RuleSet"},
		{"HTTPServer", "ServerName", "HTTPServerName"},
		{"Order", "Orderly", "OrderOrderly"}, // a word, not a prefix
		{"OrderID", "IDs", "OrderIDIDs"},     // "IDs" is one word
		{"Order", "Order2", "OrderOrder2"},   // "Order2" is one word
	}
	for _, c := range cases {
		if got := naming.JoinWords(c.parent, c.suffix); got != c.want {
			t.Errorf("JoinWords(%q, %q) = %q, want %q", c.parent, c.suffix, got, c.want)
		}
	}
}

func TestRepeatsLastWord(t *testing.T) {
	cases := []struct {
		parent, suffix string
		want           bool
	}{
		{"RuleOp", "Op", true},
		{"RuleField", "Field", true},
		{"TripEndedOutcomeReason", "Reason", true},
		{"RuleOp", "OpList", false},
		{"Op", "Op", false}, // the parent is that one word: nothing else to tell them apart
		{"RuleOp", "Field", false},
		{"RuleOP", "Op", false},
	}
	for _, c := range cases {
		if got := naming.RepeatsLastWord(c.parent, c.suffix); got != c.want {
			t.Errorf("RepeatsLastWord(%q, %q) = %v, want %v", c.parent, c.suffix, got, c.want)
		}
	}
}
