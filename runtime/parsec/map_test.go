package parsec

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

func TestMapKeepsOrder(t *testing.T) {
	in := `{"z":1,"a":2,"m":3}`
	var m Map[int]
	if err := json.Unmarshal([]byte(in), &m); err != nil {
		t.Fatal(err)
	}
	if got := slices.Collect(m.Keys()); !slices.Equal(got, []string{"z", "a", "m"}) {
		t.Errorf("Keys = %v", got)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("Marshal = %s, want %s", out, in)
	}
	m.Set("a", 9)
	m.Delete("z")
	if v, ok := m.Get("a"); !ok || v != 9 {
		t.Errorf("Get(a) = %v, %v", v, ok)
	}
	if k, v := m.At(0); k != "a" || v != 9 || m.Len() != 2 {
		t.Errorf("At(0) = %q, %v; Len = %d", k, v, m.Len())
	}
}

// TestMapIndex crosses the size at which Map builds its hash index and checks
// that lookups, overwrites and deletes agree with a plain map throughout.
func TestMapIndex(t *testing.T) {
	var m Map[int]
	ref := map[string]int{}
	var order []string
	for i := range 3 * indexAt {
		k := fmt.Sprintf("k%d", i%(2*indexAt))
		if _, ok := ref[k]; !ok {
			order = append(order, k)
		}
		m.Set(k, i)
		ref[k] = i
		if i%5 == 4 {
			del := order[0]
			order = order[1:]
			m.Delete(del)
			delete(ref, del)
		}
	}
	if m.Len() != len(ref) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(ref))
	}
	i := 0
	for k, v := range m.All() {
		if k != order[i] || ref[k] != v {
			t.Errorf("entry %d = %q:%d, want %q:%d", i, k, v, order[i], ref[order[i]])
		}
		if got, ok := m.Get(k); !ok || got != v {
			t.Errorf("Get(%q) = %d, %v", k, got, ok)
		}
		i++
	}
}

func TestMapUnmarshalErrors(t *testing.T) {
	var m Map[int]
	if err := json.Unmarshal([]byte(`[1]`), &m); err == nil {
		t.Error("array accepted as a map")
	}
	err := json.Unmarshal([]byte(`{"a/b":"x"}`), &m)
	if err == nil || err.Error()[:4] != "/a~1" {
		t.Errorf("err = %v, want it located at /a~1b", err)
	}
}

func TestRawProperties(t *testing.T) {
	var p RawProperties
	p.Set("x", json.RawMessage(`{"y":[1,2]}`))
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"x":{"y":[1,2]}}` {
		t.Errorf("Marshal = %s", out)
	}
}
