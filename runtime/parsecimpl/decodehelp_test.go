package parsecimpl

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

func TestDecodeArray(t *testing.T) {
	got, err := DecodeArray(NewDecoder([]byte(`[ "a", "b" ]`)), DecodeString)
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("DecodeArray = %q, %v; want [a b]", got, err)
	}
	got, err = DecodeArray(NewDecoder([]byte(`[]`)), DecodeString)
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("DecodeArray([]) = %#v, %v; want an empty, non-nil slice", got, err)
	}
	for _, tc := range []struct{ in, pointer, msg string }{
		{`{}`, "", "expected an array, found an object"},
		{`[1, "x", 3]`, "/1", "expected an integer, found a string"},
		{`[1, 2`, "", "invalid JSON"},
	} {
		_, err := DecodeArray(NewDecoder([]byte(tc.in)), DecodeInt64)
		var ve *parsec.ValidationError
		if !errors.As(err, &ve) || ve.Pointer != tc.pointer || !strings.Contains(ve.Message, tc.msg) {
			t.Errorf("DecodeArray(%s) error = %v; want %q at %q", tc.in, err, tc.msg, tc.pointer)
		}
	}
}

func TestDecodeNullable(t *testing.T) {
	var n parsec.Nullable[string]
	if err := DecodeNullable(NewDecoder([]byte(`null`)), &n, DecodeString); err != nil || !n.Null {
		t.Errorf("DecodeNullable(null) = %+v, %v; want Null", n, err)
	}
	n = parsec.Nullable[string]{}
	if err := DecodeNullable(NewDecoder([]byte(`"x"`)), &n, DecodeString); err != nil || n.Null || n.Value != "x" {
		t.Errorf(`DecodeNullable("x") = %+v, %v; want Value "x"`, n, err)
	}
	var o parsec.OptNullable[int64]
	if err := DecodeOptNullable(NewDecoder([]byte(`null`)), &o, DecodeInt64); err != nil || !o.Set || !o.Null {
		t.Errorf("DecodeOptNullable(null) = %+v, %v; want Set and Null", o, err)
	}
	o = parsec.OptNullable[int64]{}
	if err := DecodeOptNullable(NewDecoder([]byte(`7`)), &o, DecodeInt64); err != nil || !o.Set || o.Null || o.Value != 7 {
		t.Errorf("DecodeOptNullable(7) = %+v, %v; want Set, Value 7", o, err)
	}
	for _, in := range []string{`nul`, `"x"`} {
		o = parsec.OptNullable[int64]{}
		if err := DecodeOptNullable(NewDecoder([]byte(in)), &o, DecodeInt64); err == nil {
			t.Errorf("DecodeOptNullable(%s) accepted it: %+v", in, o)
		}
	}
}

func TestDecodeOpt(t *testing.T) {
	var o parsec.Opt[bool]
	if err := DecodeOpt(NewDecoder([]byte(`true`)), &o, DecodeBool); err != nil || !o.Set || !o.Value {
		t.Errorf("DecodeOpt(true) = %+v, %v; want Set, Value true", o, err)
	}
	o = parsec.Opt[bool]{}
	if err := DecodeOpt(NewDecoder([]byte(`1`)), &o, DecodeBool); err == nil || o.Set {
		t.Errorf("DecodeOpt(1) = %+v, %v; want an error and nothing set", o, err)
	}
}
