package parsecimpl

import (
	"strings"
	"testing"
	"time"

	"github.com/go-faster/jx"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
)

func TestDecodeKinds(t *testing.T) {
	tests := []struct {
		in, want string
		dec      func(d *Decoder) error
	}{
		{`"x"`, "", func(d *Decoder) error { _, err := DecodeString(d); return err }},
		{`null`, "expected a string, found null", func(d *Decoder) error { _, err := DecodeString(d); return err }},
		{`1.0`, "", func(d *Decoder) error { v, err := DecodeInt64(d); return check(v == 1, err) }},
		{`1e2`, "", func(d *Decoder) error { v, err := DecodeInt64(d); return check(v == 100, err) }},
		{`1.5`, "expected an integer, found 1.5", func(d *Decoder) error { _, err := DecodeInt64(d); return err }},
		{`"1"`, "expected an integer, found a string", func(d *Decoder) error { _, err := DecodeInt64(d); return err }},
		{`1e30`, "does not fit int64", func(d *Decoder) error { _, err := DecodeInt64(d); return err }},
		{`3000000000`, "does not fit int32", func(d *Decoder) error { _, err := DecodeInt32(d); return err }},
		{`-1`, "does not fit uint64", func(d *Decoder) error { _, err := DecodeUint64(d); return err }},
		{`18446744073709551615`, "", func(d *Decoder) error { v, err := DecodeUint64(d); return check(v == 1<<64-1, err) }},
		{`true`, "", func(d *Decoder) error { v, err := DecodeBool(d); return check(v, err) }},
		{`[]`, "expected a boolean, found an array", func(d *Decoder) error { _, err := DecodeBool(d); return err }},
		{`1e300`, "does not fit float32", func(d *Decoder) error { _, err := DecodeFloat32(d); return err }},
		{`{}`, "expected a number, found an object", func(d *Decoder) error { _, err := DecodeFloat64(d); return err }},
		{`null`, "", DecodeNull},
		{`"2026-01-02"`, "", func(d *Decoder) error { _, err := DecodeDate(d); return err }},
		{`"nope"`, "not an RFC 3339 date-time", func(d *Decoder) error { _, err := DecodeDateTime(d); return err }},
		{`{"a": [1, 2]}`, "", func(d *Decoder) error {
			raw, err := DecodeRaw(d)
			return check(string(raw) == `{"a": [1, 2]}`, err)
		}},
		{`"abc`, "invalid JSON", func(d *Decoder) error { _, err := DecodeString(d); return err }},
		{` [1, "x"]`, "", func(d *Decoder) error {
			raw, ok, err := DecodeNonObject(d)
			return check(ok && string(raw) == `[1, "x"]`, err)
		}},
		{`{"a": 1}`, "", func(d *Decoder) error {
			raw, ok, err := DecodeNonObject(d)
			if err := check(!ok && raw == nil, err); err != nil {
				return err
			}
			_, err = DecodeRaw(d) // the object is still there to read
			return err
		}},
		{`[1,`, "invalid JSON", func(d *Decoder) error { _, _, err := DecodeNonObject(d); return err }},
	}
	for _, tt := range tests {
		err := Unmarshal([]byte(tt.in), tt.dec)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func check(ok bool, err error) error {
	if err != nil {
		return err
	}
	if !ok {
		return Errorf("wrong value")
	}
	return nil
}

func TestUnmarshalTrailingData(t *testing.T) {
	dec := func(d *Decoder) error { _, err := DecodeString(d); return err }
	if err := Unmarshal([]byte(" \"a\" \n"), dec); err != nil {
		t.Errorf("trailing white space rejected: %v", err)
	}
	if err := Unmarshal([]byte(`"a" "b"`), dec); err == nil {
		t.Error("trailing value accepted")
	}
	if err := Unmarshal([]byte(`"a" }`), dec); err == nil {
		t.Error("trailing garbage accepted")
	}
}

// TestArenaStringsSurvive decodes many documents through the pooled decoder,
// concurrently, keeping every string, and checks that none was overwritten by
// a later decode.
func TestArenaStringsSurvive(t *testing.T) {
	const workers, docs = 4, 200
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			var kept, want []string
			for i := range docs {
				s := strings.Repeat(string(rune('a'+(w+i)%26)), 1+(i*7)%300)
				err := Unmarshal([]byte(`"`+s+`"`), func(d *Decoder) error {
					v, err := DecodeString(d)
					kept = append(kept, v)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				want = append(want, s)
			}
			for i := range kept {
				if kept[i] != want[i] {
					errs <- Errorf("string %d of worker %d changed to %q", i, w, kept[i])
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := testenv.Recv(t, errs, time.Minute, "a worker"); err != nil {
			t.Error(err)
		}
	}
}

func TestKeepBytesCapacity(t *testing.T) {
	d := NewDecoder(nil)
	a := d.keepBytes([]byte("abc"))
	b := d.keepBytes([]byte("def"))
	a = append(a, 'X')
	if string(b) != "def" || string(a) != "abcX" {
		t.Errorf("append to one kept slice changed another: a=%q b=%q", a, b)
	}
}

func TestMember(t *testing.T) {
	raw := []byte(`{"a": 1, "type" : "card" , "b": {"x": [1, 2]}}`)
	if v, ok := Member(raw, "type"); !ok || v != `"card"` {
		t.Errorf("Member(type) = %q, %v", v, ok)
	}
	if v, ok := Member(raw, "b"); !ok || v != `{"x":[1,2]}` {
		t.Errorf("Member(b) = %q, %v", v, ok)
	}
	if _, ok := Member(raw, "c"); ok {
		t.Error("Member found a missing key")
	}
	if _, ok := Member([]byte(`[1]`), "a"); ok {
		t.Error("Member found a key in an array")
	}
	if _, ok := Member([]byte(`{"a":`), "a"); ok {
		t.Error("Member found a key in malformed JSON")
	}
	if got := CompactJSON([]byte(` [ 1 , "a b" ] `)); got != `[1,"a b"]` {
		t.Errorf("CompactJSON = %q", got)
	}
}

func TestSubDecoderSharesArena(t *testing.T) {
	err := Unmarshal([]byte(`["outer", {"k": "inner"}, "after"]`), func(d *Decoder) error {
		it, err := ArrIter(d)
		if err != nil {
			return err
		}
		var got []string
		for it.Next() {
			if d.Next() == jx.Object {
				raw, err := Capture(d)
				if err != nil {
					return err
				}
				sub := d.Sub(raw)
				oit, err := ObjIter(sub)
				if err != nil {
					return err
				}
				for oit.Next() {
					s, err := DecodeString(sub)
					if err != nil {
						return err
					}
					got = append(got, s)
				}
				d.End(sub)
				continue
			}
			s, err := DecodeString(d)
			if err != nil {
				return err
			}
			got = append(got, s)
		}
		if strings.Join(got, ",") != "outer,inner,after" {
			return Errorf("got %v", got)
		}
		return IterErr(it.Err())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDecodeJSON(t *testing.T) {
	var v struct{ A int }
	if err := Unmarshal([]byte(`{"A": 3}`), func(d *Decoder) error { return DecodeJSON(d, &v) }); err != nil || v.A != 3 {
		t.Errorf("DecodeJSON: %v, %+v", err, v)
	}
	if err := Unmarshal([]byte(`{"A": "x"}`), func(d *Decoder) error { return DecodeJSON(d, &v) }); err == nil {
		t.Error("type mismatch accepted")
	}
}

func TestParseSmallInt(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "-7": -7, "123456789012345678": 123456789012345678, "-99": -99} {
		if v, ok := parseSmallInt([]byte(in)); !ok || v != want {
			t.Errorf("parseSmallInt(%q) = %d, %v", in, v, ok)
		}
	}
	for _, in := range []string{"", "-", "1.0", "1e3", "1234567890123456789", "+1"} {
		if _, ok := parseSmallInt([]byte(in)); ok {
			t.Errorf("parseSmallInt(%q) accepted", in)
		}
	}
}
