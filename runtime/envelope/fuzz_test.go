package envelope

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode checks that Decode never panics, that what it accepts is valid
// JSON with a valid payload, and that an accepted envelope re-encodes and
// decodes to the same value (and the same bytes).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(sampleWire))
	f.Add([]byte(`{"channel":"c","sequence":1,"produced_at":"2026-05-27T14:22:09Z","producer":{"id":"p","kind":"user"},"aspect":"a"}`))
	f.Add([]byte(`{"channel":"c","sequence":9223372036854775807,"produced_at":"2026-05-27T16:22:09.123456+02:00","producer":{"id":"p","kind":"agent"},"aspect":"a","causation":null,"payload":null}`))
	f.Add([]byte(`{"channel":"c\u0000\"","sequence":1,"produced_at":"0000-01-01T00:00:00.000Z","producer":{"id":"\ud83d\ude00","kind":"service"},"aspect":"a","payload":[1,{"x":"\n"}],"x":1}`))
	f.Add([]byte(`{"channel":"c","sequence":1,"produced_at":"2026-05-27T14:22:09Z","producer":{"id":"p","kind":"user"},"aspect":"a","\ud800":1,"ÿ<":{"k" : [ ]},"\u0000":"&"}`))
	f.Add([]byte(`{"sequence":"1"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"payload":[[[[[[[[[[`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			if e != nil {
				t.Fatalf("Decode returned an envelope with error %v", err)
			}
			return
		}
		if len(e.Payload) > 0 && !json.Valid(e.Payload) {
			t.Fatalf("accepted an invalid payload %q", e.Payload)
		}
		enc, err := Codec{MaxSize: -1}.Encode(e)
		if err != nil {
			t.Fatalf("decoded envelope %+v does not re-encode: %v", e, err)
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded envelope %s does not decode: %v", enc, err)
		}
		if diff := cmp.Diff(e, back); diff != "" {
			t.Fatalf("round trip changed the envelope (-first +second):\n%s", diff)
		}
		again, err := Codec{MaxSize: -1}.Encode(back)
		if err != nil || !bytes.Equal(enc, again) {
			t.Fatalf("encoding is not stable: %s vs %s (%v)", enc, again, err)
		}
	})
}
