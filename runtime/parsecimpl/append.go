package parsecimpl

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// The Append functions are the encoder generated code is built on: each
// appends one JSON token to b and returns the extended buffer, so encoding
// works on a slice held in registers rather than on a writer in memory.
// Members and elements are written with a leading comma; CloseObject and CloseArray
// turn the first one into the opening bracket.
//
// A value that has no JSON form (NaN, a union holding nothing, an x-go-type
// that fails to marshal) aborts the encoding with Fail, which [Recover] turns
// back into the error MarshalJSON returns, as encoding/json does internally.

// encodeError carries an encoding failure from Fail to Recover.
type encodeError struct{ err error }

// Fail aborts the encoding in progress with err; see [Recover].
func Fail(err error) { panic(encodeError{err}) }

// Recover, deferred by a generated MarshalJSON, turns a Fail into the error
// it returns. Other panics go on.
func Recover(err *error) {
	if r := recover(); r != nil {
		e, ok := r.(encodeError)
		if !ok {
			panic(r)
		}
		*err = e.err
	}
}

// CloseObject closes the object whose members were appended after mark.
func CloseObject(b []byte, mark int) []byte {
	if len(b) == mark {
		return append(b, '{', '}')
	}
	b[mark] = '{'
	return append(b, '}')
}

// CloseArray closes the array whose elements were appended after mark.
func CloseArray(b []byte, mark int) []byte {
	if len(b) == mark {
		return append(b, '[', ']')
	}
	b[mark] = '['
	return append(b, ']')
}

// AppendKey appends the comma and the quoted key of a member whose key is
// only known at run time.
func AppendKey(b []byte, key string) []byte {
	b = AppendString(append(b, ','), key)
	return append(b, ':')
}

const hex = "0123456789abcdef"

// safe marks the ASCII bytes a JSON string can hold as they are.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD and
// U+2028/U+2029 are escaped, as encoding/json does.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	// Fast path: skip eight bytes at a time while none needs attention.
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if special8(binary.LittleEndian.Uint64([]byte(s[i : i+8]))) {
			break
		}
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// special8 reports whether any of the eight bytes in x is below 0x20, a
// quote, a backslash or not ASCII.
func special8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (zero(x^(ones*'"')) | zero(x^(ones*'\\')) | ((x - ones*0x20) &^ x & highs) | (x & highs)) != 0
}

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// AppendNull appends null.
func AppendNull(b []byte) []byte { return append(b, "null"...) }

// AppendInt appends an integer.
func AppendInt[N ~int32 | ~int64](b []byte, v N) []byte {
	if v < 0 {
		return appendDecimal(append(b, '-'), -uint64(v))
	}
	return appendDecimal(b, uint64(v))
}

// AppendUint appends an unsigned integer.
func AppendUint[N ~uint64](b []byte, v N) []byte { return appendDecimal(b, uint64(v)) }

// pairs holds the two digits of 00 to 99 at 2n and 2n+1.
const pairs = "0001020304050607080910111213141516171819" +
	"2021222324252627282930313233343536373839" +
	"4041424344454647484950515253545556575859" +
	"6061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// appendDecimal appends u in decimal. Numbers below 10000 (counts, amounts,
// codes) are written with one append; larger ones two digits per division,
// as strconv does for base 10 without its generality.
func appendDecimal(b []byte, u uint64) []byte {
	switch {
	case u < 10:
		return append(b, byte('0'+u))
	case u < 100:
		return append(b, pairs[2*u], pairs[2*u+1])
	case u < 1000:
		q := u / 100
		r := (u - q*100) * 2
		return append(b, byte('0'+q), pairs[r], pairs[r+1])
	case u < 10000:
		q := u / 100
		r := (u - q*100) * 2
		return append(b, pairs[2*q], pairs[2*q+1], pairs[r], pairs[r+1])
	}
	var a [20]byte
	i := len(a)
	for u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		a[i], a[i+1] = pairs[r], pairs[r+1]
		u = q
	}
	if u >= 10 {
		i -= 2
		a[i], a[i+1] = pairs[u*2], pairs[u*2+1]
	} else {
		i--
		a[i] = byte('0' + u)
	}
	return append(b, a[i:]...)
}

// appendQuoted appends text between quotes as it is: the text of a format
// value that its constructors and parsers only ever fill with characters a
// JSON string holds unescaped.
func appendQuoted(b []byte, text string) []byte {
	b = append(b, '"')
	b = append(b, text...)
	return append(b, '"')
}

// AppendDateTime appends d's text as a JSON string. It does not escape: a
// DateTime holds nothing but digits, "-", ":", ".", "+", "T", "Z" and their
// lower case, whether it was parsed or made by [parsec.NewDateTime].
func AppendDateTime(b []byte, d parsec.DateTime) []byte { return appendQuoted(b, d.String()) }

// AppendDate appends d's text as a JSON string without escaping (digits and
// "-" only).
func AppendDate(b []byte, d parsec.Date) []byte { return appendQuoted(b, d.String()) }

// AppendUUID appends u's text as a JSON string without escaping (hex digits
// and "-" only).
func AppendUUID(b []byte, u parsec.UUID) []byte { return appendQuoted(b, u.String()) }

// AppendFloat appends a float of the given bit size (32 or 64) in the form
// encoding/json uses. NaN and the infinities have no JSON form: they Fail.
func AppendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		Fail(Errorf("%v has no JSON representation", f))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// AppendRaw appends raw JSON text; an empty value (a RawMessage never set)
// is written as null so the output stays valid JSON.
func AppendRaw(b []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

// AppendRawProperties appends every entry of props as an object member.
func AppendRawProperties(b []byte, props *parsec.RawProperties) []byte {
	for i := range props.Len() {
		k, v := props.At(i)
		b = AppendKey(b, k)
		b = AppendRaw(b, v)
	}
	return b
}

// AppendJSON appends v encoded by encoding/json (for x-go-type values); a
// failure aborts the encoding (see [Fail]).
func AppendJSON(b []byte, v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		Fail(err)
	}
	return append(b, out...)
}
