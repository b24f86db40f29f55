package quote

import (
	"strings"
	"testing"
)

func TestTruncate(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{strings.Repeat("a", 65), strings.Repeat("a", 64) + "..."},
		// Code points, not bytes: 64 two-byte runes are kept whole.
		{strings.Repeat("é", 64), strings.Repeat("é", 64)},
		{strings.Repeat("é", 70), strings.Repeat("é", 64) + "..."},
	} {
		if got := Truncate(tc.in); got != tc.want {
			t.Errorf("Truncate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
