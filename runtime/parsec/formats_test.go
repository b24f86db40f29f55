package parsec

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestFormatsKeepText(t *testing.T) {
	type doc struct {
		T  DateTime `json:"t"`
		D  Date     `json:"d"`
		U  UUID     `json:"u"`
		R  URI      `json:"r"`
		B  Bytes    `json:"b"`
		T2 DateTime `json:"t2"`
	}
	in := `{"t":"2026-05-27t14:22:09.3310+02:00","d":"2026-05-27","u":"6BA7B810-9DAD-11D1-80B4-00C04FD430C8","r":"https://example.com/a?b#c","b":"aGk","t2":"2026-05-27T12:22:09Z"}`
	var v doc
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("round trip:\n got %s\nwant %s", out, in)
	}
	if !v.T.Time().Equal(time.Date(2026, 5, 27, 12, 22, 9, 331000000, time.UTC)) {
		t.Errorf("Time = %v", v.T.Time())
	}
	if v.D.Time() != time.Date(2026, 5, 27, 0, 0, 0, 0, time.UTC) {
		t.Errorf("Date = %v", v.D.Time())
	}
	if b := v.U.Bytes(); b[0] != 0x6b || b[15] != 0xc8 {
		t.Errorf("UUID bytes = %x", b)
	}
	if u, err := v.R.URL(); err != nil || u.Host != "example.com" {
		t.Errorf("URL = %v, %v", u, err)
	}
	if string(v.B.Data()) != "hi" {
		t.Errorf("Bytes = %q", v.B.Data())
	}
}

func TestFormatsReject(t *testing.T) {
	bad := map[string]func(string) error{
		"2026-13-01T00:00:00Z":                 func(s string) error { _, err := ParseDateTime(s); return err },
		"2026-05-27 00:00:00":                  func(s string) error { _, err := ParseDateTime(s); return err },
		"2026-02-30":                           func(s string) error { _, err := ParseDate(s); return err },
		"6ba7b810-9dad-11d1-80b4-00c04fd430cg": func(s string) error { _, err := ParseUUID(s); return err },
		"/relative/path":                       func(s string) error { _, err := ParseURI(s); return err },
		"%%%":                                  func(s string) error { _, err := ParseBytes(s); return err },
	}
	for in, parse := range bad {
		if parse(in) == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestFormatConstructors(t *testing.T) {
	tm := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := NewDateTime(tm).String(); got != "2026-01-02T03:04:05Z" {
		t.Errorf("NewDateTime = %q", got)
	}
	if got := NewDate(tm).String(); got != "2026-01-02" {
		t.Errorf("NewDate = %q", got)
	}
	if got := NewBytes([]byte("hi")).String(); got != "aGk=" {
		t.Errorf("NewBytes = %q", got)
	}
	if MustParseUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8").IsZero() {
		t.Error("parsed UUID is zero")
	}
}

func TestFormatValidate(t *testing.T) {
	if (DateTime{}).Validate() == nil || (Date{}).Validate() == nil || (UUID{}).Validate() == nil || (URI{}).Validate() == nil {
		t.Error("zero format value validates")
	}
	if NewDateTime(time.Now()).Validate() != nil || (Bytes{}).Validate() != nil {
		t.Error("valid format value rejected")
	}
}

// TestParseFullDateAgreesWithTime checks the hand-written full-date parser
// against time.Parse(time.DateOnly) on every day of four years around a
// leap-year century rule and on malformed text.
func TestParseFullDateAgreesWithTime(t *testing.T) {
	var inputs []string
	for _, y := range []string{"1900", "2000", "2024", "2026"} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				inputs = append(inputs, fmt.Sprintf("%s-%02d-%02d", y, m, d))
			}
		}
	}
	inputs = append(inputs, "", "2026-1-01", "2026/01/01", "2026-01-0a", "+026-01-01", "2026-01-011", "0000-01-01", "9999-12-31")
	for _, s := range inputs {
		want, werr := time.Parse(time.DateOnly, s)
		y, m, d, ok := parseFullDate(s)
		if ok != (werr == nil) {
			t.Errorf("parseFullDate(%q) ok = %v, time.Parse error = %v", s, ok, werr)
			continue
		}
		if ok && !time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Equal(want) {
			t.Errorf("parseFullDate(%q) = %d-%d-%d, want %v", s, y, m, d, want)
		}
	}
}

// BenchmarkFullDate compares the date parser behind ParseDateTime and
// ParseDate with the time.Parse call it replaced, in one run.
func BenchmarkFullDate(b *testing.B) {
	const s = "2026-05-27"
	b.Run("time.Parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parseFullDate", func(b *testing.B) {
		for b.Loop() {
			if _, _, _, ok := parseFullDate(s); !ok {
				b.Fatal("rejected")
			}
		}
	})
	b.Run("ParseDateTime", func(b *testing.B) {
		for b.Loop() {
			if _, err := ParseDateTime("2026-05-27T14:22:09.331Z"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
