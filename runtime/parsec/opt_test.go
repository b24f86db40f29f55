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

// presenceAPI is what all three presence types answer alike.
type presenceAPI[T any] interface {
	Get() (T, bool)
	Or(def T) T
	IsSet() bool
	IsNull() bool
	IsZero() bool
}

// presenceSetters is what all three change alike through a pointer.
type presenceSetters[T any] interface {
	SetTo(v T)
	Reset()
}

var (
	_ presenceAPI[int]     = Opt[int]{}
	_ presenceAPI[int]     = Nullable[int]{}
	_ presenceAPI[int]     = OptNullable[int]{}
	_ presenceSetters[int] = (*Opt[int])(nil)
	_ presenceSetters[int] = (*Nullable[int])(nil)
	_ presenceSetters[int] = (*OptNullable[int])(nil)
)

// TestPresenceStates pins IsSet, IsNull and IsZero for every state each
// presence type can be in.
func TestPresenceStates(t *testing.T) {
	tests := []struct {
		name                  string
		p                     presenceAPI[int]
		set, null, zero, some bool
	}{
		{"absent Opt", Opt[int]{}, false, false, true, false},
		{"Opt 0", NewOpt(0), true, false, false, true},
		{"zero Nullable", Nullable[int]{}, true, false, true, true},
		{"Nullable 1", NewNullable(1), true, false, false, true},
		{"null Nullable", Null[int](), true, true, false, false},
		{"absent OptNullable", OptNullable[int]{}, false, false, true, false},
		{"OptNullable 0", NewOptNullable(0), true, false, false, true},
		{"null OptNullable", OptNull[int](), true, true, false, false},
	}
	for _, tt := range tests {
		_, some := tt.p.Get()
		if tt.p.IsSet() != tt.set || tt.p.IsNull() != tt.null || tt.p.IsZero() != tt.zero || some != tt.some {
			t.Errorf("%s: IsSet=%v IsNull=%v IsZero=%v Get ok=%v, want %v %v %v %v", tt.name,
				tt.p.IsSet(), tt.p.IsNull(), tt.p.IsZero(), some, tt.set, tt.null, tt.zero, tt.some)
		}
	}
	n := NewNullable([]int{})
	if n.IsZero() {
		t.Error("a Nullable holding an empty, non-nil slice is zero")
	}
	n.Reset()
	if !n.IsZero() || n.IsNull() {
		t.Error("Reset did not make the Nullable zero")
	}
}
