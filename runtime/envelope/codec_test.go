package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var producedAt = time.Date(2026, 5, 27, 14, 22, 9, 331_000_000, time.UTC)

func sample() *Envelope {
	return &Envelope{
		Channel:    "orders:eu",
		Sequence:   42,
		ProducedAt: producedAt,
		Producer:   Producer{ID: "billing-1", Kind: ProducerService},
		Aspect:     "order_placed",
		SchemaRef:  "https://schemas.example.com/order_placed.json",
		Causation:  &Causation{ParentChannel: "carts:eu", ParentSequence: 7, ParentProducer: "web-3"},
		Payload:    json.RawMessage(`{"order_id":"o-1","lines":[{"sku":"A","qty":2}],"total":19.5}`),
	}
}

const sampleWire = `{"channel":"orders:eu","sequence":42,"produced_at":"2026-05-27T14:22:09.331Z",` +
	`"producer":{"id":"billing-1","kind":"service"},"aspect":"order_placed",` +
	`"schema_ref":"https://schemas.example.com/order_placed.json",` +
	`"causation":{"parent_channel":"carts:eu","parent_sequence":7,"parent_producer":"web-3"},` +
	`"payload":{"order_id":"o-1","lines":[{"sku":"A","qty":2}],"total":19.5}}`

func TestEncodeWireForm(t *testing.T) {
	got, err := Encode(sample())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleWire {
		t.Errorf("Encode:\n got %s\nwant %s", got, sampleWire)
	}
}

func TestEncodeOmitsEmpty(t *testing.T) {
	e := sample()
	e.SchemaRef, e.Payload = "", nil
	e.Causation.ParentProducer = ""
	got, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"channel":"orders:eu","sequence":42,"produced_at":"2026-05-27T14:22:09.331Z",` +
		`"producer":{"id":"billing-1","kind":"service"},"aspect":"order_placed",` +
		`"causation":{"parent_channel":"carts:eu","parent_sequence":7}}`
	if string(got) != want {
		t.Errorf("Encode:\n got %s\nwant %s", got, want)
	}
	e.Causation = nil
	got, err = Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte("causation")) {
		t.Errorf("root envelope carries causation: %s", got)
	}
}

func TestEncodeTimeForm(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 5, 27, 14, 22, 9, 331_999_999, time.UTC), "2026-05-27T14:22:09.331Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000Z"},
		{time.Date(2026, 5, 27, 16, 22, 9, 7_000_000, time.FixedZone("CEST", 2*3600)), "2026-05-27T14:22:09.007Z"},
		{time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC), "0999-12-31T23:59:59.000Z"},
	}
	for _, tt := range tests {
		e := sample()
		e.ProducedAt = tt.in
		got, err := Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(got, []byte(`"produced_at":"`+tt.want+`"`)) {
			t.Errorf("time %v encoded as %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	e, err := Decode([]byte(sampleWire))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sample(), e); diff != "" {
		t.Errorf("Decode mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeAcceptsAnyRFC3339(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-05-27T14:22:09Z", time.Date(2026, 5, 27, 14, 22, 9, 0, time.UTC)},
		{"2026-05-27T16:22:09.331+02:00", producedAt},
		{"2026-05-27T14:22:09.331987654Z", producedAt},
		{"2026-05-27T14:22:09.3Z", time.Date(2026, 5, 27, 14, 22, 9, 300_000_000, time.UTC)},
		{"2026-05-27t14:22:09.331z", producedAt},
		{"2026-05-27T14:22:09.331-00:00", producedAt},
	}
	for _, tt := range tests {
		data := strings.Replace(sampleWire, "2026-05-27T14:22:09.331Z", tt.in, 1)
		e, err := Decode([]byte(data))
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !e.ProducedAt.Equal(tt.want) || e.ProducedAt.Location() != time.UTC {
			t.Errorf("%s decoded as %v, want %v in UTC", tt.in, e.ProducedAt, tt.want)
		}
	}
}

func TestDecodeNulls(t *testing.T) {
	data := `{"channel":"c","sequence":1,"produced_at":"2026-05-27T14:22:09.331Z","producer":{"id":"p","kind":"user"},` +
		`"aspect":"a","schema_ref":null,"causation":null,"payload":null,"extra":{"ignored":[1,2]}}`
	e, err := Decode([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if e.SchemaRef != "" || e.Causation != nil || string(e.Payload) != "null" {
		t.Errorf("nulls decoded as schema_ref=%q causation=%v payload=%s", e.SchemaRef, e.Causation, e.Payload)
	}
}

func TestDecodeCopiesPayload(t *testing.T) {
	buf := []byte(sampleWire)
	e, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'x'
	}
	if want := sample().Payload; !bytes.Equal(e.Payload, want) {
		t.Errorf("payload changed with the input buffer: %s", e.Payload)
	}
}

func TestDecodeErrors(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(sampleWire, old) {
			t.Fatalf("sample has no %q", old)
		}
		return strings.Replace(sampleWire, old, new, 1)
	}
	tests := []struct {
		name, in string
		sentinel error
		msg      string
	}{
		{"empty", ``, ErrNotEnvelope, `envelope: not a Parsec envelope: expected a JSON object, got no data`},
		{"array", ` [1] `, ErrNotEnvelope, "envelope: not a Parsec envelope: expected a JSON object, got array starting `[1]`"},
		{"string", `"x"`, ErrNotEnvelope, "envelope: not a Parsec envelope: expected a JSON object, got string starting `\"x\"`"},
		{"not JSON", "hello \x00world", ErrNotEnvelope,
			`envelope: not a Parsec envelope: expected a JSON object, got invalid JSON starting "hello \x00world"`},
		{"long text", strings.Repeat("<html>", 10), ErrNotEnvelope,
			"got invalid JSON starting `<html><html><html><html><html><html><htm...`"},
		{"a payload", `{"order_id":"o-1","lines":[]}`, ErrNotEnvelope,
			`envelope: not a Parsec envelope: a JSON object with keys "order_id", "lines" and none of channel, sequence, produced_at, producer, aspect`},
		{"many keys", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10}`, ErrNotEnvelope,
			`keys "a", "b", "c", "d", "e", "f", "g", "h", ... (10 keys) and none of`},
		{"empty object", `{}`, ErrNotEnvelope, `envelope: not a Parsec envelope: an empty JSON object`},
		{"one envelope key", `{"channel":"orders:eu","order_id":"o-1"}`, ErrSequence, `field "sequence": must be positive`},
		{"trailing", sampleWire + `{}`, ErrMalformed, `envelope: unexpected data after the envelope object`},
		{"cut in a key", sampleWire[:40], ErrMalformed, `envelope: invalid JSON`},
		{"cut in producer", sampleWire[:100], ErrMalformed, `envelope: field "producer.id": unexpected EOF`},
		{"cut in causation", sampleWire[:230], ErrMalformed, `envelope: field "causation`},
		{"sequence string", replace(`"sequence":42`, `"sequence":"42"`), ErrMalformed,
			`envelope: field "sequence": expected integer, got string`},
		{"sequence fraction", replace(`"sequence":42`, `"sequence":4.5`), ErrMalformed,
			`envelope: field "sequence": expected integer in int64 range, got 4.5`},
		{"sequence overflow", replace(`"sequence":42`, `"sequence":9223372036854775808`), ErrMalformed,
			`envelope: field "sequence": expected integer in int64 range`},
		{"sequence zero", replace(`"sequence":42`, `"sequence":0`), ErrSequence,
			`envelope: field "sequence": must be positive, got 0`},
		{"sequence negative", replace(`"sequence":42`, `"sequence":-3`), ErrSequence, `must be positive, got -3`},
		{"channel number", replace(`"channel":"orders:eu"`, `"channel":5`), ErrMalformed,
			`envelope: field "channel": expected string, got number`},
		{"channel empty", replace(`"channel":"orders:eu"`, `"channel":""`), ErrChannel,
			`envelope: field "channel": must not be empty`},
		{"channel missing", replace(`"channel":"orders:eu",`, ``), ErrChannel, `field "channel"`},
		{"duplicate key", replace(`"channel":"orders:eu",`, `"channel":"a","channel":"b",`), ErrMalformed,
			`envelope: field "channel": duplicate key`},
		{"aspect missing", replace(`"aspect":"order_placed",`, ``), ErrAspect, `field "aspect": must not be empty`},
		{"producer kind", replace(`"kind":"service"`, `"kind":"robot"`), ErrProducerKind,
			`envelope: field "producer.kind": must be one of "user", "agent", "service", got "robot"`},
		{"producer kind type", replace(`"kind":"service"`, `"kind":1`), ErrMalformed,
			`field "producer.kind": expected string, got number`},
		{"producer id", replace(`"id":"billing-1"`, `"id":""`), ErrProducerID, `field "producer.id": must not be empty`},
		{"producer type", replace(`{"id":"billing-1","kind":"service"}`, `"billing-1"`), ErrMalformed,
			`field "producer": expected object, got string`},
		{"produced_at missing", replace(`"produced_at":"2026-05-27T14:22:09.331Z",`, ``), ErrProducedAt,
			`field "produced_at": must be set`},
		{"produced_at bad", replace(`2026-05-27T14:22:09.331Z`, `yesterday`), ErrMalformed,
			`field "produced_at": expected RFC 3339 time, got "yesterday"`},
		{"produced_at 31 april", replace(`2026-05-27T14:22:09.331Z`, `2026-04-31T14:22:09.331Z`), ErrMalformed,
			`field "produced_at": expected RFC 3339 time`},
		{"produced_at number", replace(`"2026-05-27T14:22:09.331Z"`, `1`), ErrMalformed,
			`field "produced_at": expected RFC 3339 time string, got number`},
		{"causation type", replace(`{"parent_channel":"carts:eu","parent_sequence":7,"parent_producer":"web-3"}`, `[]`),
			ErrMalformed, `field "causation": expected object or null, got array`},
		{"causation sequence", replace(`"parent_sequence":7`, `"parent_sequence":"7"`), ErrMalformed,
			`field "causation.parent_sequence": expected integer, got string`},
		{"causation channel", replace(`"parent_channel":"carts:eu"`, `"parent_channel":""`), ErrCausation,
			`field "causation.parent_channel": must not be empty`},
		{"payload invalid", replace(`"total":19.5}}`, `"total":19.5,}}`), ErrMalformed, `field "payload": invalid JSON`},
		{"payload unterminated", replace(`"total":19.5}}`, `"total":tru}}`), ErrMalformed, `field "payload": invalid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("Decode(%s) = %+v, want error", tt.in, e)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("error %q does not wrap %v", err, tt.sentinel)
			}
			if tt.sentinel == ErrNotEnvelope && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %q does not also match ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FieldError", err)
			}
		})
	}
}

func TestDecodeIntoLeavesTargetOnError(t *testing.T) {
	e := sample()
	if err := DecodeInto([]byte(`{"channel":"x"}`), e); err == nil {
		t.Fatal("want error")
	}
	if diff := cmp.Diff(sample(), e); diff != "" {
		t.Errorf("target changed on error (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*Envelope)
		sentinel error
		field    string
	}{
		{"channel", func(e *Envelope) { e.Channel = "" }, ErrChannel, "channel"},
		{"aspect", func(e *Envelope) { e.Aspect = "" }, ErrAspect, "aspect"},
		{"producer id", func(e *Envelope) { e.Producer.ID = "" }, ErrProducerID, "producer.id"},
		{"producer kind", func(e *Envelope) { e.Producer.Kind = "bot" }, ErrProducerKind, "producer.kind"},
		{"producer kind empty", func(e *Envelope) { e.Producer.Kind = "" }, ErrProducerKind, "producer.kind"},
		{"sequence", func(e *Envelope) { e.Sequence = 0 }, ErrSequence, "sequence"},
		{"produced_at", func(e *Envelope) { e.ProducedAt = time.Time{} }, ErrProducedAt, "produced_at"},
		{"produced_at year", func(e *Envelope) { e.ProducedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
			ErrProducedAt, "produced_at"},
		{"causation sequence", func(e *Envelope) { e.Causation.ParentSequence = 0 }, ErrCausation,
			"causation.parent_sequence"},
		{"payload", func(e *Envelope) { e.Payload = json.RawMessage(`{"a":`) }, ErrPayload, "payload"},
		{"payload two values", func(e *Envelope) { e.Payload = json.RawMessage(`1 2`) }, ErrPayload, "payload"},
	}
	if err := sample().Validate(); err != nil {
		t.Fatalf("sample: %v", err)
	}
	for _, tt := range tests {
		e := sample()
		tt.mutate(e)
		err := e.Validate()
		var fe *FieldError
		if !errors.Is(err, tt.sentinel) || !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: Validate() = %v, want %v on field %q", tt.name, err, tt.sentinel, tt.field)
		}
		// Encode validates first and appends nothing.
		dst := []byte("prefix")
		out, encErr := AppendEncode(dst, e)
		if !errors.Is(encErr, tt.sentinel) || string(out) != "prefix" {
			t.Errorf("%s: AppendEncode = %q, %v", tt.name, out, encErr)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	e := sample()
	e.Payload = json.RawMessage(`"` + strings.Repeat("x", DefaultMaxSize) + `"`)
	_, err := Encode(e)
	var se *SizeError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &se) {
		t.Fatalf("Encode of an oversized envelope: %v", err)
	}
	if se.Max != DefaultMaxSize || se.Size <= DefaultMaxSize {
		t.Errorf("SizeError = %+v", se)
	}
	if !strings.Contains(err.Error(), "65536") {
		t.Errorf("error %q does not give the limit", err)
	}

	small := Codec{MaxSize: len(sampleWire) - 1}
	if _, err := small.Encode(sample()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("small codec Encode: %v", err)
	}
	if _, err := small.Decode([]byte(sampleWire)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("small codec Decode: %v", err)
	}
	exact := Codec{MaxSize: len(sampleWire)}
	if _, err := exact.Encode(sample()); err != nil {
		t.Errorf("codec at the exact size: %v", err)
	}
	// The limit applies to the appended envelope, not to what dst held.
	if _, err := exact.AppendEncode(make([]byte, 100), sample()); err != nil {
		t.Errorf("AppendEncode after a prefix: %v", err)
	}
	if _, err := (Codec{MaxSize: -1}).Encode(e); err != nil {
		t.Errorf("unlimited codec: %v", err)
	}
}

func TestAppendEncode(t *testing.T) {
	dst := []byte("frame:")
	out, err := AppendEncode(dst, sample())
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "frame:"+sampleWire {
		t.Errorf("AppendEncode = %s", out)
	}
}

func TestStringsEscaped(t *testing.T) {
	e := sample()
	e.Channel = "a\"b\\c\n\u2028<é>"
	e.Producer.ID = "\x00"
	data, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatalf("invalid JSON: %s", data)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

type wrapper struct {
	Env  Envelope  `json:"env"`
	Ptr  *Envelope `json:"ptr"`
	Note string    `json:"note"`
}

func TestEncodingJSONInterop(t *testing.T) {
	w := wrapper{Env: *sample(), Ptr: sample(), Note: "n"}
	data, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"env":` + sampleWire + `,"ptr":` + sampleWire + `,"note":"n"}`
	if string(data) != want {
		t.Errorf("json.Marshal:\n got %s\nwant %s", data, want)
	}
	var back wrapper
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, back); diff != "" {
		t.Errorf("json round trip (-want +got):\n%s", diff)
	}
	err = json.Unmarshal([]byte(`{"env":{"channel":1}}`), &back)
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("json.Unmarshal of a bad envelope: %v", err)
	}
	bad := *sample()
	bad.Channel = ""
	if _, err := json.Marshal(bad); !errors.Is(err, ErrChannel) {
		t.Errorf("json.Marshal of an invalid envelope: %v", err)
	}
}

func TestCausedBy(t *testing.T) {
	e := sample()
	c := e.CausedBy()
	want := &Causation{ParentChannel: "orders:eu", ParentSequence: 42, ParentProducer: "billing-1"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("CausedBy (-want +got):\n%s", diff)
	}
	if e.Root() {
		t.Error("envelope with causation reported as root")
	}
}

// The decoded strings and payload share one allocation: writing through the
// payload, appending to it or reusing the input must not change a string.
func TestDecodePayloadWritesLeaveStringsAlone(t *testing.T) {
	// The payload comes first, so the strings sit right behind it.
	in := []byte(`{"payload":{"id":"o-1"},"channel":"orders","sequence":3,"produced_at":"2026-01-02T03:04:05.006Z",` +
		`"producer":{"id":"alice","kind":"user"},"aspect":"order_placed","schema_ref":"s.json"}`)
	env, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range env.Payload {
		env.Payload[i] = 'x'
	}
	grown := append(env.Payload, "0123456789012345678901234567890123456789"...)
	grown[0] = 'y'
	for i := range in {
		in[i] = 'z'
	}
	if env.Channel != "orders" || env.Aspect != "order_placed" || env.SchemaRef != "s.json" || env.Producer.ID != "alice" {
		t.Errorf("strings changed: channel %q aspect %q schema_ref %q producer %q", env.Channel, env.Aspect, env.SchemaRef, env.Producer.ID)
	}
	if string(env.Payload) != "xxxxxxxxxxxx" {
		t.Errorf("payload = %q, want the 12 bytes written through it", env.Payload)
	}
}

// A newer peer's top-level fields survive decode and re-encode, in the order
// they arrived, value bytes unchanged.
func TestUnknownKeysSurvive(t *testing.T) {
	in := `{"trace":{"id" : "t-1", "html":"<b>&amp;</b>"},` + sampleWire[1:len(sampleWire)-1] +
		`,"ttl":30,"a\"b\u00e9":[1, 2],"z":null}`
	e, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	wantExtra := `{"trace":{"id" : "t-1", "html":"<b>&amp;</b>"},"ttl":30,"a\"bé":[1, 2],"z":null}`
	if string(e.Extra) != wantExtra {
		t.Errorf("Extra:\n got %s\nwant %s", e.Extra, wantExtra)
	}
	known := *e
	known.Extra = nil
	if diff := cmp.Diff(sample(), &known); diff != "" {
		t.Errorf("known fields (-want +got):\n%s", diff)
	}
	out, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleWire[:len(sampleWire)-1] + "," + wantExtra[1:]
	if string(out) != want {
		t.Errorf("re-encoded:\n got %s\nwant %s", out, want)
	}
	// encoding/json users get the same members (json.Marshal compacts and
	// HTML-escapes what a MarshalJSON returns, so only the values compare).
	viaJSON, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var gotAny, wantAny any
	if err := json.Unmarshal(viaJSON, &gotAny); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &wantAny); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantAny, gotAny); diff != "" {
		t.Errorf("json.Marshal (-want +got):\n%s", diff)
	}
	back, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, back); diff != "" {
		t.Errorf("second round trip (-want +got):\n%s", diff)
	}
	// Without unknown keys there is no Extra at all.
	plain, err := Decode([]byte(sampleWire))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Extra != nil {
		t.Errorf("Extra = %s, want nil", plain.Extra)
	}
}

func TestExtraSetByHand(t *testing.T) {
	tests := []struct {
		extra, want, err string
	}{
		{extra: `{}`, want: sampleWire},
		{extra: " { \n } ", want: sampleWire},
		{extra: ` {"v2": true} `, want: sampleWire[:len(sampleWire)-1] + `,"v2": true}`},
		{extra: `[1]`, err: `envelope: Extra: expected a JSON object, got array`},
		{extra: `{"a":1}{}`, err: `envelope: invalid JSON`},
		{extra: `{"a":}`, err: `envelope: invalid JSON`},
		{extra: `{"x":1,"sequence":2}`, err: `envelope: field "sequence": Extra repeats a key the envelope has`},
		{extra: `{"payload":2}`, err: `field "payload": Extra repeats`},
	}
	for _, tt := range tests {
		e := sample()
		e.Extra = json.RawMessage(tt.extra)
		got, err := Encode(e)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrMalformed) {
				t.Errorf("Extra %s: error %v, want ErrMalformed containing %q", tt.extra, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Extra %s: %v", tt.extra, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("Extra %s:\n got %s\nwant %s", tt.extra, got, tt.want)
		}
	}
}
