package envelope

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/go-faster/jx"
)

// DefaultMaxSize is the size limit, in bytes, of an encoded envelope when a
// Codec does not set one.
const DefaultMaxSize = 65536

// SizeError reports an encoded envelope larger than the limit. It matches
// ErrTooLarge with errors.Is.
type SizeError struct {
	Size int // encoded size in bytes
	Max  int // the limit in bytes
}

// Error formats the error with both sizes.
func (e *SizeError) Error() string {
	return "envelope: encoded size " + strconv.Itoa(e.Size) + " bytes exceeds the limit of " + strconv.Itoa(e.Max) + " bytes"
}

// Is reports whether target is ErrTooLarge.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// Codec encodes and decodes envelopes with a size limit. The zero value uses
// DefaultMaxSize. Codec is a small value, safe for concurrent use.
type Codec struct {
	// MaxSize is the largest encoded envelope, in bytes, that Encode produces
	// and Decode accepts. Zero means DefaultMaxSize; a negative value means
	// no limit.
	MaxSize int
}

func (c Codec) limit() int {
	if c.MaxSize == 0 {
		return DefaultMaxSize
	}
	return c.MaxSize
}

// Encode validates e and returns its wire form, using DefaultMaxSize.
func Encode(e *Envelope) ([]byte, error) { return Codec{}.AppendEncode(nil, e) }

// AppendEncode validates e and appends its wire form to dst, using
// DefaultMaxSize. On error it returns dst unchanged.
func AppendEncode(dst []byte, e *Envelope) ([]byte, error) { return Codec{}.AppendEncode(dst, e) }

// Decode parses and validates one envelope, using DefaultMaxSize.
func Decode(data []byte) (*Envelope, error) { return Codec{}.Decode(data) }

// DecodeInto is Decode into an existing envelope, using DefaultMaxSize.
func DecodeInto(data []byte, e *Envelope) error { return Codec{}.DecodeInto(data, e) }

// Encode validates e and returns its wire form. The error is a *FieldError
// from Validate or a *SizeError.
func (c Codec) Encode(e *Envelope) ([]byte, error) { return c.AppendEncode(nil, e) }

// AppendEncode validates e and appends its wire form to dst. On error it
// returns dst unchanged (its spare capacity may have been written to).
func (c Codec) AppendEncode(dst []byte, e *Envelope) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return dst, err
	}
	start := len(dst)
	if need := encodedSizeHint(e); cap(dst)-len(dst) < need {
		dst = append(make([]byte, 0, len(dst)+need), dst...)
	}
	// A pooled writer: a local one would escape to the heap through its
	// pointer-receiver methods.
	w := jx.GetWriter()
	defer func() {
		w.Buf = nil // never keep the caller's buffer in the pool
		jx.PutWriter(w)
	}()
	w.Buf = dst
	w.RawStr(`{"channel":`)
	w.Str(e.Channel)
	w.RawStr(`,"sequence":`)
	w.Int64(e.Sequence)
	w.RawStr(`,"produced_at":`)
	w.Buf = appendTime(w.Buf, e.ProducedAt)
	w.RawStr(`,"producer":{"id":`)
	w.Str(e.Producer.ID)
	w.RawStr(`,"kind":`)
	w.Str(string(e.Producer.Kind))
	w.RawStr(`},"aspect":`)
	w.Str(e.Aspect)
	if e.SchemaRef != "" {
		w.RawStr(`,"schema_ref":`)
		w.Str(e.SchemaRef)
	}
	if c := e.Causation; c != nil {
		w.RawStr(`,"causation":{"parent_channel":`)
		w.Str(c.ParentChannel)
		w.RawStr(`,"parent_sequence":`)
		w.Int64(c.ParentSequence)
		if c.ParentProducer != "" {
			w.RawStr(`,"parent_producer":`)
			w.Str(c.ParentProducer)
		}
		w.Buf = append(w.Buf, '}')
	}
	if len(e.Payload) > 0 {
		w.RawStr(`,"payload":`)
		w.Buf = append(w.Buf, e.Payload...)
	}
	if len(e.Extra) > 0 {
		w.Buf = appendMembers(w.Buf, e.Extra)
	}
	w.Buf = append(w.Buf, '}')
	if max := c.limit(); max > 0 && len(w.Buf)-start > max {
		return dst, &SizeError{Size: len(w.Buf) - start, Max: max}
	}
	return w.Buf, nil
}

// appendMembers appends the members of obj, a valid JSON object, each after
// a comma.
func appendMembers(b, obj []byte) []byte {
	obj = bytes.TrimSpace(obj)
	inner := bytes.TrimSpace(obj[1 : len(obj)-1])
	if len(inner) == 0 {
		return b
	}
	return append(append(b, ','), inner...)
}

// encodedSizeHint returns the encoded size of e when no string needs
// escaping: enough to encode in one allocation in the common case.
func encodedSizeHint(e *Envelope) int {
	const fixed = len(`{"channel":"","sequence":,"produced_at":"2026-05-27T14:22:09.331Z","producer":{"id":"","kind":"service"},"aspect":""`) +
		len(`,"schema_ref":""`) + len(`,"causation":{"parent_channel":"","parent_sequence":,"parent_producer":""}`) +
		len(`,"payload":}`) + 2*20
	n := fixed + len(e.Channel) + len(e.Producer.ID) + len(e.Aspect) + len(e.SchemaRef) + len(e.Payload) + len(e.Extra)
	if c := e.Causation; c != nil {
		n += len(c.ParentChannel) + len(c.ParentProducer)
	}
	return n
}

// appendTime appends t as a JSON string in UTC with exactly three fractional
// digits: "2026-05-27T14:22:09.331Z". The year is in 0000-9999 (Validate).
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(b, '"')
	b = append4(b, year)
	b = append(b, '-')
	b = append2(b, int(month))
	b = append(b, '-')
	b = append2(b, day)
	b = append(b, 'T')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, min)
	b = append(b, ':')
	b = append2(b, sec)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	return b
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// Decode parses and validates one envelope. The payload is copied, so the
// caller may reuse data afterwards. Errors are a *SizeError or a *FieldError
// naming the field.
func (c Codec) Decode(data []byte) (*Envelope, error) {
	e := new(Envelope)
	if err := c.DecodeInto(data, e); err != nil {
		return nil, err
	}
	return e, nil
}

// Bits of the keys seen while decoding, to reject duplicates.
const (
	seenChannel = 1 << iota
	seenSequence
	seenProducedAt
	seenProducer
	seenAspect
	seenSchemaRef
	seenCausation
	seenPayload
	seenProducerID
	seenProducerKind
	seenParentChannel
	seenParentSequence
	seenParentProducer
)

// DecodeInto parses and validates one envelope into e, overwriting all of
// its fields. On error e is left unchanged.
func (c Codec) DecodeInto(data []byte, e *Envelope) error {
	if max := c.limit(); max > 0 && len(data) > max {
		return &SizeError{Size: len(data), Max: max}
	}
	d := jx.GetDecoder()
	defer jx.PutDecoder(d)
	d.ResetBytes(data)

	var out Envelope
	// The strings and the payload take at most len(data) bytes together
	// (unescaping only shortens): one allocation that never grows.
	a := strArena{buf: make([]byte, 0, len(data))}
	if t := d.Next(); t != jx.Object {
		return notEnvelope(data, t)
	}
	seen, err := decodeEnvelope(d, &out, &a)
	if err != nil {
		return err
	}
	a.fill(&out)
	if err := d.Skip(); err != io.EOF {
		return fieldErr(ErrMalformed, "", "unexpected data after the envelope object")
	}
	if seen&envelopeKeys == 0 {
		return notEnvelope(data, jx.Object)
	}
	if err := out.validateFields(); err != nil {
		return err
	}
	*e = out
	return nil
}

// envelopeKeys are the top-level keys every envelope has: an object with
// none of them is not an envelope that lost a field but something else.
const envelopeKeys = seenChannel | seenSequence | seenProducedAt | seenProducer | seenAspect

// decodeEnvelope decodes the top-level object into e and reports the known
// keys it saw.
func decodeEnvelope(d *jx.Decoder, e *Envelope, a *strArena) (uint32, error) {
	if t := d.Next(); t != jx.Object {
		return 0, fieldErr(ErrNotEnvelope, "", "expected a JSON object, got %s", typeName(t))
	}
	var seen uint32
	err := structural("", d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		var bit uint32
		var err error
		switch string(key) {
		case "channel":
			bit = seenChannel
			err = a.str(d, "channel", strChannel)
		case "sequence":
			bit = seenSequence
			e.Sequence, err = decodeInt(d, "sequence")
		case "produced_at":
			bit = seenProducedAt
			e.ProducedAt, err = decodeTime(d, "produced_at")
		case "producer":
			bit = seenProducer
			err = decodeProducer(d, &e.Producer, a)
		case "aspect":
			bit = seenAspect
			err = a.str(d, "aspect", strAspect)
		case "schema_ref":
			bit = seenSchemaRef
			err = a.optStr(d, "schema_ref", strSchemaRef)
		case "causation":
			bit = seenCausation
			e.Causation, err = decodeCausation(d, a)
		case "payload":
			bit = seenPayload
			err = a.payloadRaw(d)
		default:
			return a.extraMember(d, key)
		}
		if seen&bit != 0 {
			return fieldErr(ErrMalformed, string(key), "duplicate key")
		}
		seen |= bit
		return err
	}))
	return seen, err
}

// notEnvelope describes data, which is not a Parsec envelope, by its type and
// its top-level keys or its first bytes. It runs on the error path only.
func notEnvelope(data []byte, t jx.Type) error {
	if t != jx.Object {
		if len(bytes.TrimSpace(data)) == 0 {
			return fieldErr(ErrNotEnvelope, "", "not a Parsec envelope: expected a JSON object, got no data")
		}
		return fieldErr(ErrNotEnvelope, "", "not a Parsec envelope: expected a JSON object, got %s starting %s",
			typeName(t), firstBytes(data))
	}
	const maxKeys = 8
	var keys []string
	n := 0
	d := jx.DecodeBytes(data)
	err := d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		if n++; n <= maxKeys {
			keys = append(keys, strconv.Quote(string(key)))
		}
		return d.Skip()
	})
	switch {
	case err != nil: // cannot happen: the object decoded once already
		return fieldErr(ErrNotEnvelope, "", "not a Parsec envelope: a JSON object starting %s", firstBytes(data))
	case n == 0:
		return fieldErr(ErrNotEnvelope, "", "not a Parsec envelope: an empty JSON object")
	}
	list := strings.Join(keys, ", ")
	if n > maxKeys {
		list += ", ... (" + strconv.Itoa(n) + " keys)"
	}
	return fieldErr(ErrNotEnvelope, "", "not a Parsec envelope: a JSON object with keys %s "+
		"and none of channel, sequence, produced_at, producer, aspect", list)
}

// firstBytes shows the start of data for an error message: as is between
// backquotes when it is printable ASCII, Go-quoted otherwise.
func firstBytes(data []byte) string {
	const max = 40
	data = bytes.TrimSpace(data)
	more := ""
	if len(data) > max {
		data, more = data[:max], "..."
	}
	for _, c := range data {
		if c < 0x20 || c > 0x7e || c == '`' {
			return strconv.Quote(string(data)) + more
		}
	}
	return "`" + string(data) + more + "`"
}

// structural turns an error jx reports about the JSON structure of object
// (not one of ours about a field value) into a *FieldError.
func structural(object string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe // drop the wrapping jx adds around callback errors
	}
	return fieldErr(ErrMalformed, object, "invalid JSON: %v", err)
}

func decodeProducer(d *jx.Decoder, p *Producer, a *strArena) error {
	if t := d.Next(); t != jx.Object {
		return fieldErr(ErrMalformed, "producer", "expected object, got %s", typeName(t))
	}
	var seen uint32
	return structural("producer", d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		var bit uint32
		var err error
		switch string(key) {
		case "id":
			bit = seenProducerID
			err = a.str(d, "producer.id", strProducerID)
		case "kind":
			bit = seenProducerKind
			p.Kind, err = decodeKind(d)
		default:
			if err := d.Skip(); err != nil {
				return fieldErr(ErrMalformed, "producer."+string(key), "%v", err)
			}
			return nil
		}
		if seen&bit != 0 {
			return fieldErr(ErrMalformed, "producer."+string(key), "duplicate key")
		}
		seen |= bit
		return err
	}))
}

func decodeCausation(d *jx.Decoder, a *strArena) (*Causation, error) {
	switch t := d.Next(); t {
	case jx.Null:
		if err := d.Null(); err != nil {
			return nil, fieldErr(ErrMalformed, "causation", "%v", err)
		}
		return nil, nil
	case jx.Object:
	default:
		return nil, fieldErr(ErrMalformed, "causation", "expected object or null, got %s", typeName(t))
	}
	c := new(Causation)
	var seen uint32
	err := structural("causation", d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		var bit uint32
		var err error
		switch string(key) {
		case "parent_channel":
			bit = seenParentChannel
			err = a.str(d, "causation.parent_channel", strParentChannel)
		case "parent_sequence":
			bit = seenParentSequence
			c.ParentSequence, err = decodeInt(d, "causation.parent_sequence")
		case "parent_producer":
			bit = seenParentProducer
			err = a.optStr(d, "causation.parent_producer", strParentProducer)
		default:
			if err := d.Skip(); err != nil {
				return fieldErr(ErrMalformed, "causation."+string(key), "%v", err)
			}
			return nil
		}
		if seen&bit != 0 {
			return fieldErr(ErrMalformed, "causation."+string(key), "duplicate key")
		}
		seen |= bit
		return err
	}))
	if err != nil {
		return nil, err
	}
	return c, nil
}

// The string fields of an envelope, indexes into strArena.spans.
const (
	strChannel = iota
	strAspect
	strSchemaRef
	strProducerID
	strParentChannel
	strParentProducer
	numStrs
)

// strArena collects the bytes of every string field and of the payload
// while decoding, so that one allocation holds all of them instead of one
// per field. The strings are views of the arena's bytes: fill hands out
// the payload capped at its own end, so writes through it (or appends to
// it) never reach the bytes behind a string, and the arena itself is
// dropped after fill.
type strArena struct {
	buf []byte
	// extra collects the unknown top-level members as one JSON object
	// (without its closing brace); nil until the first one. It is apart from
	// buf because the members arrive between the other fields.
	extra []byte
	spans [numStrs]struct{ start, end int }
	pay   struct {
		start, end int
		set        bool
	}
}

func (a *strArena) str(d *jx.Decoder, field string, i int) error {
	if t := d.Next(); t != jx.String {
		return fieldErr(ErrMalformed, field, "expected string, got %s", typeName(t))
	}
	b, err := d.StrBytes()
	if err != nil {
		return fieldErr(ErrMalformed, field, "%v", err)
	}
	a.spans[i].start = len(a.buf)
	a.buf = append(a.buf, b...)
	a.spans[i].end = len(a.buf)
	return nil
}

// optStr reads a string that may also be null (read as empty).
func (a *strArena) optStr(d *jx.Decoder, field string, i int) error {
	if d.Next() == jx.Null {
		if err := d.Null(); err != nil {
			return fieldErr(ErrMalformed, field, "%v", err)
		}
		a.spans[i].start, a.spans[i].end = 0, 0
		return nil
	}
	return a.str(d, field, i)
}

// extraMember keeps an unknown top-level member for Envelope.Extra: its key
// re-quoted, its value byte for byte.
func (a *strArena) extraMember(d *jx.Decoder, key []byte) error {
	raw, err := d.Raw()
	if err != nil {
		return fieldErr(ErrMalformed, string(key), "%v", err)
	}
	if a.extra == nil {
		a.extra = make([]byte, 0, 2+len(key)+3+len(raw)+1)
		a.extra = append(a.extra, '{')
	} else {
		a.extra = append(a.extra, ',')
	}
	w := jx.Writer{Buf: a.extra}
	w.ByteStr(key)
	a.extra = append(append(w.Buf, ':'), raw...)
	return nil
}

// fill sets the string fields and the payload of e from the arena.
func (a *strArena) fill(e *Envelope) {
	// Nothing writes to the string bytes after this point (see strArena),
	// which is what unsafe.String requires.
	all := unsafe.String(unsafe.SliceData(a.buf), len(a.buf))
	get := func(i int) string { return all[a.spans[i].start:a.spans[i].end] }
	if p := a.pay; p.set {
		e.Payload = a.buf[p.start:p.end:p.end]
	}
	if a.extra != nil {
		e.Extra = append(a.extra, '}')
	}
	e.Channel = get(strChannel)
	e.Aspect = get(strAspect)
	e.SchemaRef = get(strSchemaRef)
	e.Producer.ID = get(strProducerID)
	if c := e.Causation; c != nil {
		c.ParentChannel = get(strParentChannel)
		c.ParentProducer = get(strParentProducer)
	}
}

func decodeKind(d *jx.Decoder) (ProducerKind, error) {
	if t := d.Next(); t != jx.String {
		return "", fieldErr(ErrMalformed, "producer.kind", "expected string, got %s", typeName(t))
	}
	b, err := d.StrBytes()
	if err != nil {
		return "", fieldErr(ErrMalformed, "producer.kind", "%v", err)
	}
	// The switch maps to the constants without allocating a string.
	switch string(b) {
	case string(ProducerUser):
		return ProducerUser, nil
	case string(ProducerAgent):
		return ProducerAgent, nil
	case string(ProducerService):
		return ProducerService, nil
	}
	return "", fieldErr(ErrProducerKind, "producer.kind", "must be one of \"user\", \"agent\", \"service\", got %q", b)
}

func decodeInt(d *jx.Decoder, field string) (int64, error) {
	if t := d.Next(); t != jx.Number {
		return 0, fieldErr(ErrMalformed, field, "expected integer, got %s", typeName(t))
	}
	n, err := d.Num()
	if err != nil {
		return 0, fieldErr(ErrMalformed, field, "%v", err)
	}
	v, ok := parseInt(n)
	if !ok {
		return 0, fieldErr(ErrMalformed, field, "expected integer in int64 range, got %s", n)
	}
	return v, nil
}

// parseInt parses an optionally negative run of decimal digits, reporting
// false for anything else (fraction, exponent, overflow).
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg = true
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

func decodeTime(d *jx.Decoder, field string) (time.Time, error) {
	if t := d.Next(); t != jx.String {
		return time.Time{}, fieldErr(ErrMalformed, field, "expected RFC 3339 time string, got %s", typeName(t))
	}
	b, err := d.StrBytes()
	if err != nil {
		return time.Time{}, fieldErr(ErrMalformed, field, "%v", err)
	}
	if t, ok := parseCanonicalTime(b); ok {
		return t, nil
	}
	// RFC 3339 allows a lower-case "t" and "z"; time.Parse does not.
	str := strings.Map(func(r rune) rune {
		switch r {
		case 't':
			return 'T'
		case 'z':
			return 'Z'
		}
		return r
	}, string(b))
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		return time.Time{}, fieldErr(ErrMalformed, field, "expected RFC 3339 time, got %q", b)
	}
	return t.UTC().Truncate(time.Millisecond), nil
}

// parseCanonicalTime parses the form appendTime writes
// (2026-05-27T14:22:09.331Z) without the generality of time.Parse. It reports
// false for anything else, including out-of-range fields, so that time.Parse
// decides those.
func parseCanonicalTime(b []byte) (time.Time, bool) {
	if len(b) != 24 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' ||
		b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, min, sec, ms := num(11, 2), num(14, 2), num(17, 2), num(20, 3)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
		min < 0 || min > 59 || sec < 0 || sec > 59 || ms < 0 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, ms*int(time.Millisecond), time.UTC)
	if t.Day() != day { // 31 April and the like normalise to another day
		return time.Time{}, false
	}
	return t, true
}

func (a *strArena) payloadRaw(d *jx.Decoder) error {
	raw, err := d.Raw()
	if err != nil {
		return fieldErr(ErrMalformed, "payload", "invalid JSON: %v", err)
	}
	// raw points into the input; copy it so the caller may reuse its buffer.
	a.pay.start = len(a.buf)
	a.buf = append(a.buf, raw...)
	a.pay.end = len(a.buf)
	a.pay.set = true
	return nil
}

func typeName(t jx.Type) string {
	switch t {
	case jx.String:
		return "string"
	case jx.Number:
		return "number"
	case jx.Null:
		return "null"
	case jx.Bool:
		return "boolean"
	case jx.Array:
		return "array"
	case jx.Object:
		return "object"
	}
	return "invalid JSON"
}
