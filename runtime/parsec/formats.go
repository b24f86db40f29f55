package parsec

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/internal/quote"
)

// DateTime is a string with format "date-time" (RFC 3339). It keeps the text
// it was decoded from, so re-encoding reproduces it exactly, and offers the
// parsed time.
type DateTime struct {
	text string
	t    time.Time
}

// NewDateTime returns the DateTime for t, formatted as RFC 3339 with
// nanoseconds as needed.
func NewDateTime(t time.Time) DateTime {
	return DateTime{text: t.Format(time.RFC3339Nano), t: t}
}

// ParseDateTime parses an RFC 3339 date-time (section 5.6), the one rule
// for format "date-time" that generated decoders and the runtime/schema
// validator share: "T" and "Z" may be lower case; the fraction of a second
// has at least one digit after "."; an offset is "Z" or ±hh:mm with hh at most
// 23 and mm at most 59; a leap second (":60") is accepted only where it can
// occur, at 23:59 UTC, and Time then returns the instant after it. Anything
// else, such as "+24:00", a "," before the fraction or a space for "T", is
// an error.
func ParseDateTime(s string) (DateTime, error) {
	t, ok := parseRFC3339(s)
	if !ok {
		return DateTime{}, errorf("%q is not an RFC 3339 date-time", quote.Truncate(s))
	}
	return DateTime{text: s, t: t}, nil
}

// parseRFC3339 parses full-date "T" full-time.
func parseRFC3339(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || (s[10] != 'T' && s[10] != 't') {
		return time.Time{}, false
	}
	y, mo, d, ok := parseFullDate(s[:10])
	if !ok {
		return time.Time{}, false
	}
	rest := s[11:]
	if rest[2] != ':' || rest[5] != ':' {
		return time.Time{}, false
	}
	h, ok1 := digits2(rest[0:2])
	m, ok2 := digits2(rest[3:5])
	sec, ok3 := digits2(rest[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 60 {
		return time.Time{}, false
	}
	rest = rest[8:]
	nanos := 0
	if frac, ok := strings.CutPrefix(rest, "."); ok {
		n := 0
		for n < len(frac) && frac[n] >= '0' && frac[n] <= '9' {
			n++
		}
		if n == 0 {
			return time.Time{}, false
		}
		for i := 0; i < 9; i++ {
			nanos *= 10
			if i < n {
				nanos += int(frac[i] - '0')
			}
		}
		rest = frac[n:]
	}
	offset := 0
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits2(rest[1:3])
		om, ok2 := digits2(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if sec == 60 {
		utc := ((h*60+m)*60 - offset) % 86400
		if utc < 0 {
			utc += 86400
		}
		if utc/60 != 23*60+59 {
			return time.Time{}, false
		}
	}
	loc := time.UTC
	if rest != "Z" && rest != "z" {
		loc = time.FixedZone("", offset)
	}
	// time.Date normalises second 60 to the next minute.
	return time.Date(y, mo, d, h, m, sec, nanos, loc), true
}

// parseFullDate parses an RFC 3339 full-date (2006-01-02) with the rules of
// time.Parse(time.DateOnly, s), the day checked against its month, without
// the cost of a general layout parser.
func parseFullDate(s string) (int, time.Month, int, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	hi, ok1 := digits2(s[0:2])
	lo, ok2 := digits2(s[2:4])
	m, ok3 := digits2(s[5:7])
	d, ok4 := digits2(s[8:10])
	if !ok1 || !ok2 || !ok3 || !ok4 || m < 1 || m > 12 || d < 1 {
		return 0, 0, 0, false
	}
	y := hi*100 + lo
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	if d > days {
		return 0, 0, 0, false
	}
	return y, time.Month(m), d, true
}

// digits2 parses exactly two ASCII digits.
func digits2(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// Time returns the parsed time.
func (d DateTime) Time() time.Time { return d.t }

// String returns the original text.
func (d DateTime) String() string { return d.text }

// IsZero reports whether d is the zero DateTime.
func (d DateTime) IsZero() bool { return d.text == "" }

// Validate reports an error for the zero DateTime, which holds no date-time; a
// DateTime from a constructor or a parser is always valid.
func (d DateTime) Validate() error {
	if d.text == "" {
		return errorf("empty DateTime: expected a date-time")
	}
	return nil
}

// MarshalText returns the original text.
func (d DateTime) MarshalText() ([]byte, error) { return []byte(d.text), nil }

// UnmarshalText parses an RFC 3339 date-time.
func (d *DateTime) UnmarshalText(b []byte) error {
	v, err := ParseDateTime(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Date is a string with format "date" (RFC 3339 full-date, 2006-01-02),
// keeping its text.
type Date struct {
	text string
	t    time.Time
}

// NewDate returns the Date of t's calendar day in t's location.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date{text: day.Format(time.DateOnly), t: day}
}

// ParseDate parses an RFC 3339 full-date.
func ParseDate(s string) (Date, error) {
	y, m, d, ok := parseFullDate(s)
	if !ok {
		return Date{}, errorf("%q is not an RFC 3339 full-date", quote.Truncate(s))
	}
	return Date{text: s, t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}, nil
}

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return d.t }

// String returns the original text.
func (d Date) String() string { return d.text }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.text == "" }

// Validate reports an error for the zero Date, which holds no date; a
// Date from a constructor or a parser is always valid.
func (d Date) Validate() error {
	if d.text == "" {
		return errorf("empty Date: expected a date")
	}
	return nil
}

// MarshalText returns the original text.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.text), nil }

// UnmarshalText parses an RFC 3339 full-date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UUID is a string with format "uuid" (RFC 9562 text form, any letter case),
// keeping its text.
type UUID struct {
	text string
}

// ParseUUID checks the RFC 9562 form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func ParseUUID(s string) (UUID, error) {
	if len(s) != 36 {
		return UUID{}, errorf("%q is not a UUID", quote.Truncate(s))
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return UUID{}, errorf("%q is not a UUID", s)
			}
		default:
			if fromHex(c) < 0 {
				return UUID{}, errorf("%q is not a UUID", s)
			}
		}
	}
	return UUID{text: s}, nil
}

// MustParseUUID is ParseUUID for literals; it panics on malformed input.
func MustParseUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

func fromHex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Bytes returns the 16 bytes of the UUID (zero for the zero UUID).
func (u UUID) Bytes() [16]byte {
	var b [16]byte
	if len(u.text) != 36 {
		return b
	}
	j := 0
	for i := 0; i < 36; i++ {
		if u.text[i] == '-' {
			continue
		}
		b[j/2] |= byte(fromHex(u.text[i])) << (4 * (1 - j%2))
		j++
	}
	return b
}

// String returns the original text.
func (u UUID) String() string { return u.text }

// IsZero reports whether u is the zero UUID value (not the nil UUID).
func (u UUID) IsZero() bool { return u.text == "" }

// Validate reports an error for the zero UUID, which holds no UUID; a
// UUID from a constructor or a parser is always valid.
func (u UUID) Validate() error {
	if u.text == "" {
		return errorf("empty UUID: expected a UUID")
	}
	return nil
}

// MarshalText returns the original text.
func (u UUID) MarshalText() ([]byte, error) { return []byte(u.text), nil }

// UnmarshalText parses a UUID.
func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// URI is a string with format "uri" (an absolute RFC 3986 URI), keeping its
// text.
type URI struct {
	text string
}

// ParseURI checks that s is an absolute URI (it has a scheme).
func ParseURI(s string) (URI, error) {
	u, err := url.Parse(s)
	if err != nil {
		return URI{}, &ValidationError{Message: fmt.Sprintf("%q is not a URI", quote.Truncate(s)), Err: err}
	}
	if u.Scheme == "" {
		return URI{}, errorf("%q is not an absolute URI (no scheme)", quote.Truncate(s))
	}
	return URI{text: s}, nil
}

// URL parses the URI.
func (u URI) URL() (*url.URL, error) { return url.Parse(u.text) }

// String returns the original text.
func (u URI) String() string { return u.text }

// IsZero reports whether u is the zero URI.
func (u URI) IsZero() bool { return u.text == "" }

// Validate reports an error for the zero URI, which holds no URI; a
// URI from a constructor or a parser is always valid.
func (u URI) Validate() error {
	if u.text == "" {
		return errorf("empty URI: expected a URI")
	}
	return nil
}

// MarshalText returns the original text.
func (u URI) MarshalText() ([]byte, error) { return []byte(u.text), nil }

// UnmarshalText parses an absolute URI.
func (u *URI) UnmarshalText(b []byte) error {
	v, err := ParseURI(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// Bytes is a string with format "byte": base64-encoded data (standard or
// URL alphabet, padded or not). It keeps the text and the decoded bytes.
type Bytes struct {
	text string
	b    []byte
}

// NewBytes returns Bytes holding b, encoded with standard padded base64.
func NewBytes(b []byte) Bytes {
	return Bytes{text: base64.StdEncoding.EncodeToString(b), b: b}
}

// ParseBytes decodes base64 text in any of the four common alphabets.
func ParseBytes(s string) (Bytes, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return Bytes{text: s, b: b}, nil
		}
	}
	return Bytes{}, errorf("%q is not base64", quote.Truncate(s))
}

// Data returns the decoded bytes. The caller must not modify them.
func (b Bytes) Data() []byte { return b.b }

// String returns the original text.
func (b Bytes) String() string { return b.text }

// IsZero reports whether b is empty.
func (b Bytes) IsZero() bool { return b.text == "" }

// Validate always succeeds: the empty text is valid base64 for empty data.
func (b Bytes) Validate() error { return nil }

// MarshalText returns the original text.
func (b Bytes) MarshalText() ([]byte, error) { return []byte(b.text), nil }

// UnmarshalText decodes base64 text.
func (b *Bytes) UnmarshalText(t []byte) error {
	v, err := ParseBytes(string(t))
	if err != nil {
		return err
	}
	*b = v
	return nil
}
