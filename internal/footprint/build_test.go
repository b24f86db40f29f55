package footprint

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestSyntheticSchema checks that the synthetic schema is JSON, the same
// every time, and holds the number of objects asked for, plus the root.
func TestSyntheticSchema(t *testing.T) {
	for _, n := range []int{1, 7, 2000} {
		a, b := SyntheticSchema(n), SyntheticSchema(n)
		if !bytes.Equal(a, b) {
			t.Fatalf("%d objects: two calls differ", n)
		}
		if !json.Valid(a) {
			t.Fatalf("%d objects: not JSON:\n%s", n, a)
		}
		if got := strings.Count(string(a), `"type": "object"`) - 1; got != n {
			t.Errorf("%d objects: schema has %d", n, got)
		}
	}
	if n := len(SyntheticSchema(2000)); n < 900_000 || n > 1_100_000 {
		t.Errorf("2000 objects: %d bytes, want about 1 MB", n)
	}
}
