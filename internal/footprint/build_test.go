package footprint

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestSyntheticSchema checks that the synthetic schema is JSON, the same
// every time, and holds the number of objects asked for, plus the root.
func TestSyntheticSchema(t *testing.T) {
	for _, n := range []int{1, 7, 2000} {
		a, b := SyntheticSchema(n), SyntheticSchema(n)
		if !bytes.Equal(a, b) {
			t.Fatalf("%d objects: two calls differ", n)
		}
		if !json.Valid(a) {
			t.Fatalf("%d objects: not JSON:\n%s", n, a)
		}
		if got := strings.Count(string(a), `"type": "object"`) - 1; got != n {
			t.Errorf("%d objects: schema has %d", n, got)
		}
	}
	if n := len(SyntheticSchema(2000)); n < 900_000 || n > 1_100_000 {
		t.Errorf("2000 objects: %d bytes, want about 1 MB", n)
	}
}

func TestMain(m *testing.M) {
	MaybeChild()
	os.Exit(m.Run())
}

// TestMeasure runs a command through the measuring child: its exit status
// comes back, and cancelling kills what the command started too, so the
// call returns instead of waiting for the grandchild.
func TestMeasure(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	r, _, err := Measure(context.Background(), t.TempDir(), os.Environ(), sh, "-c", "exit 0")
	if err != nil || r.Wall <= 0 || r.MaxRSS <= 0 {
		t.Fatalf("Measure(exit 0) = %+v, %v; want a wall time, an RSS and no error", r, err)
	}
	if _, _, err := Measure(context.Background(), t.TempDir(), os.Environ(), sh, "-c", "exit 3"); err == nil {
		t.Fatal("Measure(exit 3): no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = Measure(ctx, t.TempDir(), os.Environ(), sh, "-c", "sleep 30; true")
	if err == nil {
		t.Fatal("Measure(sleep 30) under a 200ms deadline: no error")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("Measure returned after %s: the grandchild outlived the cancellation", d)
	}
}
