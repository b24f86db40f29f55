package parsecimpl

import (
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/go-faster/jx"

	"github.com/parsec-gen/parsec-gen/runtime/internal/quote"
	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// The Decode functions read one JSON value of the expected kind from d, for
// generated decoders. A value of another kind is a *parsec.ValidationError that says
// what was expected and what was found, at the root; the generated caller
// locates it with Wrap as the error unwinds.

// KindError returns the error for a value of the wrong JSON kind.
func KindError(want string, got jx.Type) error {
	return Errorf("expected %s, found %s", want, describe(got))
}

func describe(t jx.Type) string {
	switch t {
	case jx.String:
		return "a string"
	case jx.Number:
		return "a number"
	case jx.Null:
		return "null"
	case jx.Bool:
		return "a boolean"
	case jx.Array:
		return "an array"
	case jx.Object:
		return "an object"
	}
	return "invalid JSON"
}

// SyntaxError converts an error reported by the tokenizer into a
// *parsec.ValidationError.
func SyntaxError(err error) error {
	return &parsec.ValidationError{Message: "invalid JSON: " + err.Error(), Err: err}
}

// IsNull reports whether the next value is null, without consuming it.
func (d *Decoder) IsNull() bool { return d.Next() == jx.Null }

// Expect checks that the next value has kind want; name describes it.
func Expect(d *Decoder, want jx.Type, name string) error {
	if got := d.Next(); got != want {
		return KindError(name, got)
	}
	return nil
}

// DecodeString reads a string.
func DecodeString(d *Decoder) (string, error) {
	if got := d.Next(); got != jx.String {
		return "", KindError("a string", got)
	}
	b, err := d.StrBytes()
	if err != nil {
		return "", SyntaxError(err)
	}
	return d.Keep(b), nil
}

// DecodeStringBytes reads a string without copying it when possible; the
// result is only valid until the next call on d.
func DecodeStringBytes(d *Decoder) ([]byte, error) {
	if got := d.Next(); got != jx.String {
		return nil, KindError("a string", got)
	}
	b, err := d.StrBytes()
	if err != nil {
		return nil, SyntaxError(err)
	}
	return b, nil
}

// DecodeBool reads true or false.
func DecodeBool(d *Decoder) (bool, error) {
	if got := d.Next(); got != jx.Bool {
		return false, KindError("a boolean", got)
	}
	b, err := d.Bool()
	if err != nil {
		return false, SyntaxError(err)
	}
	return b, nil
}

// DecodeNull reads null.
func DecodeNull(d *Decoder) error {
	if got := d.Next(); got != jx.Null {
		return KindError("null", got)
	}
	if err := d.Null(); err != nil {
		return SyntaxError(err)
	}
	return nil
}

func decodeNumber(d *Decoder, want string) (jx.Num, error) {
	if got := d.Next(); got != jx.Number {
		return nil, KindError(want, got)
	}
	n, err := d.Num()
	if err != nil {
		return nil, SyntaxError(err)
	}
	return n, nil
}

// DecodeInt64 reads an integer that fits int64. As JSON Schema counts 1.0 and
// 1e2 as integers, so does DecodeInt64.
func DecodeInt64(d *Decoder) (int64, error) {
	n, err := decodeNumber(d, "an integer")
	if err != nil {
		return 0, err
	}
	if v, ok := parseSmallInt(n); ok {
		return v, nil
	}
	if v, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, Errorf("expected an integer, found %s", quote.Truncate(string(n)))
	}
	if f < -(1<<63) || f >= 1<<63 {
		return 0, Errorf("integer %s does not fit int64", quote.Truncate(string(n)))
	}
	return int64(f), nil
}

// DecodeInt32 reads an integer that fits int32.
func DecodeInt32(d *Decoder) (int32, error) {
	v, err := DecodeInt64(d)
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, Errorf("integer %d does not fit int32", v)
	}
	return int32(v), nil
}

// DecodeUint64 reads a non-negative integer that fits uint64.
func DecodeUint64(d *Decoder) (uint64, error) {
	n, err := decodeNumber(d, "an integer")
	if err != nil {
		return 0, err
	}
	if v, err := strconv.ParseUint(string(n), 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, Errorf("expected an integer, found %s", quote.Truncate(string(n)))
	}
	if f < 0 || f >= 1<<64 {
		return 0, Errorf("integer %s does not fit uint64", quote.Truncate(string(n)))
	}
	return uint64(f), nil
}

// DecodeFloat64 reads a number.
func DecodeFloat64(d *Decoder) (float64, error) {
	if got := d.Next(); got != jx.Number {
		return 0, KindError("a number", got)
	}
	f, err := d.Float64()
	if err != nil {
		return 0, SyntaxError(err)
	}
	return f, nil
}

// DecodeFloat32 reads a number that fits float32.
func DecodeFloat32(d *Decoder) (float32, error) {
	f, err := DecodeFloat64(d)
	if err != nil {
		return 0, err
	}
	if math.Abs(f) > math.MaxFloat32 {
		return 0, Errorf("number %g does not fit float32", f)
	}
	return float32(f), nil
}

// DecodeRaw reads any JSON value and returns a copy of its text.
func DecodeRaw(d *Decoder) (json.RawMessage, error) {
	raw, err := d.Raw()
	if err != nil {
		return nil, SyntaxError(err)
	}
	return d.keepBytes(raw), nil
}

// DecodeNonObject reads the next value when it is not a JSON object and
// returns a copy of its text and true; before an object it reads nothing and
// returns false. It serves structs whose schema accepts every kind: objects
// decode into the fields, anything else is kept as written.
func DecodeNonObject(d *Decoder) (json.RawMessage, bool, error) {
	if d.Next() == jx.Object {
		return nil, false, nil
	}
	raw, err := DecodeRaw(d)
	return raw, true, err
}

// DecodeDateTime reads a string with format date-time.
func DecodeDateTime(d *Decoder) (parsec.DateTime, error) {
	s, err := DecodeString(d)
	if err != nil {
		return parsec.DateTime{}, err
	}
	return parsec.ParseDateTime(s)
}

// DecodeDate reads a string with format date.
func DecodeDate(d *Decoder) (parsec.Date, error) {
	s, err := DecodeString(d)
	if err != nil {
		return parsec.Date{}, err
	}
	return parsec.ParseDate(s)
}

// DecodeUUID reads a string with format uuid.
func DecodeUUID(d *Decoder) (parsec.UUID, error) {
	s, err := DecodeString(d)
	if err != nil {
		return parsec.UUID{}, err
	}
	return parsec.ParseUUID(s)
}

// DecodeURI reads a string with format uri.
func DecodeURI(d *Decoder) (parsec.URI, error) {
	s, err := DecodeString(d)
	if err != nil {
		return parsec.URI{}, err
	}
	return parsec.ParseURI(s)
}

// DecodeBytes reads a string with format byte.
func DecodeBytes(d *Decoder) (parsec.Bytes, error) {
	s, err := DecodeString(d)
	if err != nil {
		return parsec.Bytes{}, err
	}
	return parsec.ParseBytes(s)
}

// DecodeRawProperty reads the value of the unknown property key into props.
func DecodeRawProperty(d *Decoder, props *parsec.RawProperties, key []byte) error {
	raw, err := DecodeRaw(d)
	if err != nil {
		return Wrap(err, string(key))
	}
	props.Set(d.Keep(key), raw)
	return nil
}

// Unmarshal runs decode over data as a complete JSON document: decode must
// consume one value, and nothing but white space may follow it. Generated
// UnmarshalJSON methods are built on it.
func Unmarshal(data []byte, decode func(d *Decoder) error) error {
	d := getDecoder(data)
	defer putDecoder(d)
	if err := decode(d); err != nil {
		return err
	}
	// Only white space may remain: reading past it must hit the end.
	if err := d.Skip(); err != io.EOF {
		return Errorf("unexpected data after the top-level value")
	}
	return nil
}

// parseSmallInt parses a plain decimal integer of at most 18 digits (so it
// cannot overflow), the common case, without strconv's generality.
func parseSmallInt(n []byte) (int64, bool) {
	neg := len(n) > 0 && n[0] == '-'
	if neg {
		n = n[1:]
	}
	if len(n) == 0 || len(n) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range n {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
