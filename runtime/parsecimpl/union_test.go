package parsecimpl

import (
	"encoding/json"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// numOrText is a union written the way the generator writes one.
type numOrText interface{ isNumOrText() }
type num float64
type text string

func (num) isNumOrText()  {}
func (text) isNumOrText() {}

var numOrTextFuncs = &UnionFuncs[numOrText]{
	Decode: func(d *Decoder) (numOrText, error) {
		if d.Next() == 0 {
			return nil, Errorf("empty")
		}
		if f, err := DecodeFloat64(d); err == nil {
			return num(f), nil
		}
		return nil, Errorf("not a number")
	},
	Append: func(b []byte, u numOrText) []byte {
		switch x := u.(type) {
		case num:
			return AppendFloat(b, float64(x), 64)
		case text:
			return AppendString(b, string(x))
		}
		Fail(Errorf("holds no variant"))
		return b
	},
	Validate: func(u numOrText) error {
		if u == nil {
			return Errorf("holds no variant")
		}
		return nil
	},
}

func TestUnionHolder(t *testing.T) {
	h := parsec.NewUnion(numOrTextFuncs)
	if err := json.Unmarshal([]byte(`2.5`), h); err != nil {
		t.Fatal(err)
	}
	if h.Value != num(2.5) || h.Validate() != nil {
		t.Errorf("Value = %v", h.Value)
	}
	out, err := json.Marshal(h)
	if err != nil || string(out) != "2.5" {
		t.Errorf("Marshal = %s, %v", out, err)
	}
	h.Value = text("x")
	if out, err := json.Marshal(h); err != nil || string(out) != `"x"` {
		t.Errorf("Marshal = %s, %v", out, err)
	}
	empty := parsec.NewUnion(numOrTextFuncs)
	if _, err := json.Marshal(empty); err == nil || empty.Validate() == nil {
		t.Error("empty holder encodes or validates")
	}
	if err := json.Unmarshal([]byte(`"x"`), empty); err == nil {
		t.Error("decode error lost")
	}
}
