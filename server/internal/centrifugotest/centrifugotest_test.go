package centrifugotest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestStartPublishRestart(t *testing.T) {
	c := Start(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var pub struct {
		Offset uint64 `json:"offset"`
		Epoch  string `json:"epoch"`
	}
	if err := c.API(ctx, "publish", map[string]any{"channel": "parsec:x", "data": map[string]int{"i": 1}}, &pub); err != nil {
		t.Fatal(err)
	}
	if pub.Offset != 1 || pub.Epoch == "" {
		t.Fatalf("publish result = %+v, want offset 1 and an epoch", pub)
	}
	if err := c.API(ctx, "publish", map[string]any{"channel": "nons:x", "data": 1}, nil); err == nil || !strings.Contains(err.Error(), "unknown channel") {
		t.Fatalf("publish to an unknown namespace: %v, want unknown channel", err)
	}
	addr := c.Addr
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != addr {
		t.Fatalf("restart moved the server from %s to %s", addr, c.Addr)
	}
	var pub2 struct {
		Offset uint64 `json:"offset"`
		Epoch  string `json:"epoch"`
	}
	if err := c.API(ctx, "publish", map[string]any{"channel": "parsec:x", "data": 2}, &pub2); err != nil {
		t.Fatal(err)
	}
	if pub2.Epoch == pub.Epoch || pub2.Offset != 1 {
		t.Fatalf("after a memory-engine restart: %+v, want a new epoch and offset 1 (before: %+v)", pub2, pub)
	}
	if !strings.Contains(c.Log(), "--- start #2 ---") {
		t.Error("log does not show the second start")
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestRedisEngineSharesHistory(t *testing.T) {
	r := StartRedis(t)
	if err := r.Ping(); err != nil {
		t.Fatal(err)
	}
	a := Start(t, Options{RedisAddr: r.Addr})
	b := Start(t, Options{RedisAddr: r.Addr})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.API(ctx, "publish", map[string]any{"channel": "parsec:shared", "data": map[string]int{"i": 7}}, nil); err != nil {
		t.Fatal(err)
	}
	var hist struct {
		Publications []struct {
			Offset uint64 `json:"offset"`
		} `json:"publications"`
	}
	if err := b.API(ctx, "history", map[string]any{"channel": "parsec:shared", "limit": -1}, &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.Publications) != 1 || hist.Publications[0].Offset != 1 {
		t.Fatalf("history on node B = %+v, want the publication made on node A", hist)
	}
}

// recordTB records Fatal and Skip instead of ending the test.
type recordTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordTB) Helper()           {}
func (r *recordTB) Fatal(args ...any) { r.fatal = fmt.Sprint(args...) }
func (r *recordTB) Skip(args ...any)  { r.skip = fmt.Sprint(args...) }

func TestRequireMissingTool(t *testing.T) {
	t.Setenv("PARSEC_NO_SUCH_TOOL", "/nonexistent/tool")
	t.Run("ci fails", func(t *testing.T) {
		t.Setenv("CI", "true")
		r := &recordTB{TB: t}
		Require(r, "tool", "PARSEC_NO_SUCH_TOOL", "parsec-no-such-tool", "`make tool`")
		if !strings.Contains(r.fatal, "run `make tool`") {
			t.Errorf("in CI: fatal %q, want a failure saying how to get the tool", r.fatal)
		}
	})
	t.Run("local skips", func(t *testing.T) {
		t.Setenv("CI", "")
		r := &recordTB{TB: t}
		Require(r, "tool", "PARSEC_NO_SUCH_TOOL", "parsec-no-such-tool", "`make tool`")
		if r.fatal != "" || !strings.Contains(r.skip, "$PARSEC_NO_SUCH_TOOL") {
			t.Errorf("locally: fatal %q, skip %q; want only a skip naming the variable", r.fatal, r.skip)
		}
	})
}
