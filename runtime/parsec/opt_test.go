package parsec

import (
	"encoding/json"
	"errors"
	"testing"
)

type presence struct {
	A Opt[string]         `json:"a,omitzero"`
	B Nullable[int64]     `json:"b"`
	C OptNullable[string] `json:"c,omitzero"`
}

func TestPresenceRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want presence
	}{
		{`{"b":1}`, presence{B: NewNullable[int64](1)}},
		{`{"a":"x","b":null}`, presence{A: NewOpt("x"), B: Null[int64]()}},
		{`{"b":0,"c":null}`, presence{B: NewNullable[int64](0), C: OptNull[string]()}},
		{`{"b":2,"c":""}`, presence{B: NewNullable[int64](2), C: NewOptNullable("")}},
	}
	for _, tt := range tests {
		var got presence
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Fatalf("Unmarshal(%s): %v", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("Unmarshal(%s) = %+v, want %+v", tt.in, got, tt.want)
		}
		out, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tt.in {
			t.Errorf("Marshal = %s, want %s", out, tt.in)
		}
	}
}

func TestOptRejectsNull(t *testing.T) {
	var p presence
	err := json.Unmarshal([]byte(`{"a":null,"b":1}`), &p)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
}

func TestAccessors(t *testing.T) {
	var o Opt[int]
	if v, ok := o.Get(); ok || v != 0 || o.Or(7) != 7 || !o.IsZero() {
		t.Errorf("absent Opt: Get=(%v,%v) Or=%v IsZero=%v", v, ok, o.Or(7), o.IsZero())
	}
	o.SetTo(3)
	if v, ok := o.Get(); !ok || v != 3 || o.Or(7) != 3 || o.IsZero() {
		t.Errorf("present Opt: Get=(%v,%v) Or=%v", v, ok, o.Or(7))
	}
	o.Reset()
	if !o.IsZero() {
		t.Error("Reset did not make the Opt absent")
	}

	n := Null[string]()
	if _, ok := n.Get(); ok || n.Or("d") != "d" {
		t.Error("null Nullable reports a value")
	}
	n.SetTo("v")
	if v, ok := n.Get(); !ok || v != "v" {
		t.Error("SetTo did not make the Nullable non-null")
	}

	var on OptNullable[int]
	if on.IsNull() || !on.IsZero() {
		t.Error("zero OptNullable is not absent")
	}
	on.SetNull()
	if !on.IsNull() || on.IsZero() || on.Or(5) != 5 {
		t.Error("SetNull did not make the OptNullable present and null")
	}
	on.SetTo(4)
	if v, ok := on.Get(); !ok || v != 4 || on.IsNull() {
		t.Error("SetTo did not make the OptNullable hold a value")
	}
	on.Reset()
	if !on.IsZero() {
		t.Error("Reset did not make the OptNullable absent")
	}
}
