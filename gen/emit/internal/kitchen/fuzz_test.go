package kitchen

import (
	"encoding/json"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the generated decoders: they must
// return an error or a value, never panic, and a value they accept must
// encode to JSON they accept again.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte(`{"id":"ev-7","kind":"event","note":"n","count":0}`))
	f.Add([]byte(`{"id":"ev-7","kind":"event","note":null,"parent":{"id":"ev-8","kind":"event","note":null}}`))
	f.Add([]byte(`{"payment":{"type":"cash"},"shape":{"radius":1},"point":[1,2],"row":["a",1]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Event
		if err := e.UnmarshalJSON(data); err != nil {
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("accepted %s but cannot encode it: %v", data, err)
		}
		var again Event
		if err := again.UnmarshalJSON(out); err != nil {
			t.Fatalf("accepted %s, encoded %s, rejected that: %v", data, out, err)
		}
	})
}
