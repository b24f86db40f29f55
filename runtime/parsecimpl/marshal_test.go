package parsecimpl

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

func TestAppendIntMatchesStrconv(t *testing.T) {
	vals := []int64{0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 9999, 10000, 10001, 99999, 123456789,
		math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for p := int64(1); p < math.MaxInt64/10; p *= 10 {
		vals = append(vals, p-1, p, p+1)
	}
	for _, v := range vals {
		for _, v := range []int64{v, -v} {
			if got, want := string(AppendInt([]byte("x"), v)), "x"+strconv.FormatInt(v, 10); got != want {
				t.Errorf("AppendInt(%d) = %s, want %s", v, got, want)
			}
			if got, want := string(AppendUint(nil, uint64(v))), strconv.FormatUint(uint64(v), 10); got != want {
				t.Errorf("AppendUint(%d) = %s, want %s", uint64(v), got, want)
			}
		}
	}
	if got := string(AppendInt(nil, int32(math.MinInt32))); got != "-2147483648" {
		t.Errorf("AppendInt(int32 min) = %s", got)
	}
	if got := string(AppendUint(nil, uint64(math.MaxUint64))); got != "18446744073709551615" {
		t.Errorf("AppendUint(max) = %s", got)
	}
}

// TestFormatAppendersNeedNoEscaping checks that the format appenders, which
// do not escape, write what AppendString writes for values from every
// constructor and parser, including the zero values.
func TestFormatAppendersNeedNoEscaping(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 5, 27, 14, 22, 9, 331000000, time.UTC),
		time.Date(-40, 1, 1, 0, 0, 0, 1, time.FixedZone("", -(9*3600+30*60))),
		time.Date(12345, 12, 31, 23, 59, 59, 0, time.FixedZone("odd \"name\"", 3600)),
	}
	check := func(what string, got []byte, text string) {
		t.Helper()
		if want := AppendString(nil, text); !bytes.Equal(got, want) {
			t.Errorf("%s: got %s, AppendString writes %s", what, got, want)
		}
	}
	for _, tm := range times {
		check("NewDateTime", AppendDateTime(nil, parsec.NewDateTime(tm)), parsec.NewDateTime(tm).String())
		check("NewDate", AppendDate(nil, parsec.NewDate(tm)), parsec.NewDate(tm).String())
	}
	for _, s := range []string{"2026-05-27T14:22:09.331Z", "1985-04-12t23:20:50.52z", "1990-12-31T15:59:60-08:00"} {
		d, err := parsec.ParseDateTime(s)
		if err != nil {
			t.Fatal(err)
		}
		check(s, AppendDateTime(nil, d), s)
	}
	day, err := parsec.ParseDate("2024-02-29")
	if err != nil {
		t.Fatal(err)
	}
	check("ParseDate", AppendDate(nil, day), "2024-02-29")
	u := parsec.MustParseUUID("6BA7B810-9dad-11d1-80b4-00c04fd430c8")
	check("ParseUUID", AppendUUID(nil, u), u.String())
	check("zero DateTime", AppendDateTime(nil, parsec.DateTime{}), "")
	check("zero Date", AppendDate(nil, parsec.Date{}), "")
	check("zero UUID", AppendUUID(nil, parsec.UUID{}), "")
}

func TestMarshal(t *testing.T) {
	enc := func(s string) func([]byte) []byte {
		return func(b []byte) []byte { return AppendString(b, s) }
	}
	first, err := Marshal(enc("first"))
	if err != nil || string(first) != `"first"` || cap(first) != len(first) {
		t.Fatalf("Marshal = %q (cap %d), %v; want exactly \"first\"", first, cap(first), err)
	}
	// The scratch buffer is reused: earlier results must not change.
	second, err := Marshal(enc("second, longer"))
	if err != nil || string(second) != `"second, longer"` || string(first) != `"first"` {
		t.Fatalf("second Marshal = %q, %v; first now %q", second, err, first)
	}
	big := strings.Repeat("x", 3*maxScratch)
	out, err := Marshal(enc(big))
	if err != nil || len(out) != len(big)+2 {
		t.Fatalf("large Marshal: %d bytes, %v", len(out), err)
	}

	// Nested: an encoder that marshals another value in the middle (an
	// x-go-type whose MarshalJSON is generated) gets a buffer of its own.
	nested, err := Marshal(func(b []byte) []byte {
		b = append(b, '[')
		inner, err := Marshal(enc("inner"))
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, inner...)
		return append(b, ']')
	})
	if err != nil || string(nested) != `["inner"]` {
		t.Fatalf("nested Marshal = %s, %v", nested, err)
	}

	fail := errors.New("no JSON form")
	out, err = Marshal(func(b []byte) []byte {
		b = append(b, "partial"...)
		Fail(fail)
		return b
	})
	if !errors.Is(err, fail) || out != nil {
		t.Fatalf("Marshal of a Fail = %q, %v; want nil, %v", out, err, fail)
	}
	defer func() {
		if r := recover(); r != "other" {
			t.Errorf("foreign panic not passed on: %v", r)
		}
	}()
	out, err = Marshal(func([]byte) []byte { panic("other") })
	t.Errorf("Marshal returned %q, %v instead of passing the panic on", out, err)
}

func TestMarshalConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				s := strings.Repeat(strconv.Itoa(g), i%50)
				out, err := Marshal(func(b []byte) []byte { return AppendString(b, s) })
				if err != nil || string(out) != strconv.Quote(s) {
					t.Errorf("Marshal(%q) = %s, %v", s, out, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestMarshalAllocatesOnce(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops pooled buffers on purpose")
	}
	s := strings.Repeat("abcdefgh", 128)
	enc := func(b []byte) []byte { return AppendString(b, s) }
	if _, err := Marshal(enc); err != nil { // grows the scratch buffer
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := Marshal(enc); err != nil {
			t.Fatal(err)
		}
	}); n != 1 {
		t.Errorf("Marshal allocates %v times, want 1", n)
	}
}
