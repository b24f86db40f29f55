package parsecimpl

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// TestAppendStringMatchesEncodingJSON compares with encoding/json (HTML
// escaping off) on tricky and seeded random strings.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	in := []string{"", "plain", `q"b\s`, "\n\r\t\x00\x1f\x7f", "é😀", "\u2028\u2029", "bad\xffutf8\xc3", "<&>"}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("a\"\\\n\x01é😀\u2028<")
	for range 500 {
		rs := make([]rune, rng.IntN(12))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		in = append(in, string(rs))
	}
	for _, s := range in {
		got := string(AppendString(nil, s))
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("AppendString(%q) = %s: invalid JSON: %v", s, got, err)
		}
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var wantBack string
		if err := json.Unmarshal(want, &wantBack); err != nil {
			t.Fatal(err)
		}
		if back != wantBack {
			t.Errorf("AppendString(%q) decodes to %q, encoding/json's to %q", s, back, wantBack)
		}
	}
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	vals := []float64{0, 1, -1, 0.1, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, -2.5e-10, math.MaxFloat64, math.SmallestNonzeroFloat64}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		vals = append(vals, math.Float64frombits(rng.Uint64()))
	}
	for _, f := range vals {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendFloat(nil, f, 64)); got != string(want) {
			t.Errorf("AppendFloat(%v) = %s, encoding/json %s", f, got, want)
		}
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) {
			continue
		}
		want32, err := json.Marshal(f32)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendFloat(nil, float64(f32), 32)); got != string(want32) {
			t.Errorf("AppendFloat(float32 %v) = %s, encoding/json %s", f32, got, want32)
		}
	}
}

func TestFailAndRecover(t *testing.T) {
	encode := func(f float64) (out []byte, err error) {
		defer Recover(&err)
		return AppendFloat(nil, f, 64), nil
	}
	if out, err := encode(math.NaN()); err == nil || out != nil {
		t.Errorf("NaN: out %s, err %v", out, err)
	}
	if out, err := encode(1.5); err != nil || string(out) != "1.5" {
		t.Errorf("1.5: out %s, err %v", out, err)
	}
	defer func() {
		if r := recover(); r != "other" {
			t.Errorf("foreign panic not passed on: %v", r)
		}
	}()
	func() (err error) {
		defer Recover(&err)
		panic("other")
	}()
}

func TestAppendHelpers(t *testing.T) {
	b := CloseObject(nil, 0)
	b = append(b, ' ')
	m := len(b)
	b = append(b, ',')
	b = AppendInt(b, int64(-3))
	b = append(b, ',')
	b = AppendUint(b, uint64(7))
	b = append(b, ',')
	b = AppendBool(b, true)
	b = append(b, ',')
	b = AppendNull(b)
	b = append(b, ',')
	b = AppendRaw(b, nil)
	b = append(b, ',')
	b = AppendJSON(b, map[string]int{"a": 1})
	b = CloseArray(b, m)
	b = append(b, ' ')
	m = len(b)
	var props parsec.RawProperties
	props.Set("k", []byte(`[1]`))
	b = AppendRawProperties(b, &props)
	b = CloseObject(b, m)
	if got, want := string(b), `{} [-3,7,true,null,null,{"a":1}] {"k":[1]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
