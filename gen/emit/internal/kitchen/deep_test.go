package kitchen

import (
	"strings"
	"testing"
)

// TestDeepNestingIsRejected checks that hostile nesting ends in an error, not
// a stack overflow: the tokenizer bounds the depth.
func TestDeepNestingIsRejected(t *testing.T) {
	const n = 100000
	doc := strings.Repeat(`{"id":"ev-1","kind":"event","note":null,"parent":`, n) + `{}` + strings.Repeat(`}`, n)
	var e Event
	if err := e.UnmarshalJSON([]byte(doc)); err == nil {
		t.Fatal("100000 nested objects accepted")
	}
	arrays := `{"id":"ev-1","kind":"event","note":null,"matrix":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	if err := e.UnmarshalJSON([]byte(arrays)); err == nil {
		t.Fatal("100000 nested arrays accepted")
	}
}
