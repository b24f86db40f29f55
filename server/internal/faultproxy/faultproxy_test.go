package faultproxy

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// echoServer echoes every connection until the listener closes.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ln.Close(); err != nil {
			t.Error(err)
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				// The copy ends when either side closes; its error is the
				// test's signal, not the echo server's concern.
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, msg string, wait time.Duration) error {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	if err := c.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		t.Fatalf("echo %q, want %q", buf, msg)
	}
	return nil
}

func TestForwardBlackholeHeal(t *testing.T) {
	p, err := Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := roundTrip(t, c, "hello", 5*time.Second); err != nil {
		t.Fatalf("forwarding: %v", err)
	}

	p.Blackhole()
	err = roundTrip(t, c, "lost?", 300*time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("through a blackhole: err = %v, want a read timeout", err)
	}
	p.Heal()
	// The held bytes are delivered after healing, as TCP would retransmit them.
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "lost?" {
		t.Fatalf("after heal: %q, %v", buf, err)
	}
}

func TestLatencyDelaysEachDirection(t *testing.T) {
	p, err := Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const d = 100 * time.Millisecond
	p.Latency(d)
	start := time.Now()
	if err := roundTrip(t, c, "slow", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// A lower bound only: a loaded machine can be slower, never faster.
	if rtt := time.Since(start); rtt < 2*d {
		t.Fatalf("round trip %s, want at least %s", rtt, 2*d)
	}
}

func TestResetSendsRST(t *testing.T) {
	p, err := Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := roundTrip(t, c, "ping", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.Reset()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after reset: %v, want ECONNRESET", err)
	}
	// The proxy keeps accepting.
	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := roundTrip(t, c2, "again", 5*time.Second); err != nil {
		t.Fatalf("after reset: %v", err)
	}
	if p.Accepted() != 2 {
		t.Fatalf("accepted %d connections, want 2", p.Accepted())
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	target := echoServer(t)
	before := runtime.NumGoroutine()
	p, err := Start(target)
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if err := roundTrip(t, c, "x", 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	p.Blackhole() // goroutines parked on the gate must end too
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		c.Close()
	}
	// The echo server's per-connection goroutines end once their peers close.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after Close, %d before", n, before)
	}
}
