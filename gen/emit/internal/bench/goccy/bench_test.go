package goccy

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/parsec-gen/parsec-gen/gen/emit/internal/bench"
	"github.com/parsec-gen/parsec-gen/gen/emit/internal/bench/emitted"
)

func event(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("../testdata/order_placed.json")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestGoccyDecodesTheEvent checks that the reference decodes the same value
// encoding/json does, so that the benchmark compares like with like.
func TestGoccyDecodesTheEvent(t *testing.T) {
	in := event(t)
	var want, got bench.PlainOrderPlaced
	if err := json.Unmarshal(in, &want); err != nil {
		t.Fatal(err)
	}
	if err := gojson.Unmarshal(in, &got); err != nil {
		t.Fatal(err)
	}
	a, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("goccy decoded\n%s\nencoding/json decoded\n%s", b, a)
	}
}

func BenchmarkDecode(b *testing.B) {
	in := event(b)
	b.Run("goccy_plain", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			var v bench.PlainOrderPlaced
			if err := gojson.Unmarshal(in, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("emitted_validating", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			var v emitted.OrderPlaced
			if err := v.UnmarshalJSON(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInterleaved alternates the generated decoder (which validates)
// and goccy's (which does not) and reports the ratio of their total times,
// the figure the decode target is stated in: at most 1.
func BenchmarkInterleaved(b *testing.B) {
	in := event(b)
	b.Run("decode", func(b *testing.B) {
		var ours, theirs time.Duration
		for b.Loop() {
			t0 := time.Now()
			var p bench.PlainOrderPlaced
			if err := gojson.Unmarshal(in, &p); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			var v emitted.OrderPlaced
			if err := v.UnmarshalJSON(in); err != nil {
				b.Fatal(err)
			}
			ours += time.Since(t1)
			theirs += t1.Sub(t0)
		}
		b.ReportMetric(float64(ours)/float64(theirs), "x_goccy")
	})
}
