package transportkit

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestCursorNext(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Cursor
		off  uint64
		dup  bool
		gap  Gap
	}{
		{"unknown position takes anything", Cursor{Offset: 5}, 9, false, Gap{}},
		{"no offset from the server", Cursor{Offset: 5, Known: true}, 0, false, Gap{}},
		{"next in line", Cursor{Offset: 5, Known: true}, 6, false, Gap{}},
		{"replayed again", Cursor{Offset: 5, Known: true}, 5, true, Gap{}},
		{"older", Cursor{Offset: 5, Known: true}, 1, true, Gap{}},
		{"skipped", Cursor{Offset: 5, Known: true}, 9, false, Gap{6, 8}},
		{"from the start", Cursor{Known: true}, 1, false, Gap{}},
		{"from the start, skipped", Cursor{Known: true}, 4, false, Gap{1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dup, gap := tc.c.Next(tc.off)
			if dup != tc.dup || gap != tc.gap {
				t.Fatalf("Next(%d) = %t, %+v; want %t, %+v", tc.off, dup, gap, tc.dup, tc.gap)
			}
		})
	}
	if g := (Gap{6, 8}); g.Missed() != 3 || g.Empty() || g.Error() != "offsets 6..8 are no longer in history" {
		t.Fatalf("Gap{6, 8}: missed %d, empty %t, %q", g.Missed(), g.Empty(), g.Error())
	}
	if g := (Gap{}); g.Missed() != 0 || !g.Empty() {
		t.Fatalf("zero Gap: missed %d, empty %t", g.Missed(), g.Empty())
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: 5 * time.Second}
	for _, tc := range []struct {
		n       int
		ceiling time.Duration
	}{
		{0, 100 * time.Millisecond}, {1, 200 * time.Millisecond}, {3, 800 * time.Millisecond},
		{6, 5 * time.Second}, {100, 5 * time.Second}, {1 << 30, 5 * time.Second},
	} {
		lo := b.Delay(tc.n, func() float64 { return 0 })
		hi := b.Delay(tc.n, func() float64 { return 0.999999999 })
		if lo != tc.ceiling/2 || hi < tc.ceiling-time.Microsecond || hi >= tc.ceiling {
			t.Errorf("Delay(%d) spans [%v, %v], want [%v, %v]", tc.n, lo, hi, tc.ceiling/2, tc.ceiling)
		}
		if d := b.Delay(tc.n, nil); d < tc.ceiling/2 || d >= tc.ceiling {
			t.Errorf("Delay(%d) = %v, want within [%v, %v]", tc.n, d, tc.ceiling/2, tc.ceiling)
		}
	}
	if d := b.Delay(1, func() float64 { return 0.5 }); d != 150*time.Millisecond {
		t.Errorf("Delay(1) at jitter 0.5 = %v, want 150ms (three quarters of the step)", d)
	}
	huge := Backoff{Min: time.Duration(1) << 61, Max: math.MaxInt64}
	if d := huge.Delay(10, func() float64 { return 0 }); d <= 0 {
		t.Fatalf("Delay overflowed: %v", d)
	}
	if d := (Backoff{}).Delay(3, nil); d != 0 {
		t.Fatalf("zero Backoff: %v, want 0", d)
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Sleep on a cancelled context took %v", d)
	}
}
