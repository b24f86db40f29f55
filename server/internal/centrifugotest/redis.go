package centrifugotest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RedisBinary returns the redis-server binary, see Require.
func RedisBinary(t testing.TB) string {
	t.Helper()
	return Require(t, "redis-server", "PARSEC_REDIS_SERVER", "redis-server", "`make redis`")
}

// Redis is one redis-server process without persistence, listening on a free
// loopback port, with its own temporary directory.
type Redis struct {
	// Addr is the host:port to connect to.
	Addr string

	cmd    *exec.Cmd
	exited chan struct{}
	log    *syncBuffer
}

// StartRedis starts redis-server and waits until it answers PING. It is
// stopped when the test ends.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin := RedisBinary(t)
	port := FreePort(t)
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), log: &syncBuffer{}}
	dir := t.TempDir()
	r.cmd = exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--protected-mode", "no", "--loglevel", "warning")
	r.cmd.Stdout = r.log
	r.cmd.Stderr = r.log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	r.exited = make(chan struct{})
	go func() {
		// A stopped server exits non-zero; the log says why if it matters.
		_ = r.cmd.Wait() // see above
		close(r.exited)
	}()
	t.Cleanup(func() {
		if err := stopProcess(r.cmd, r.exited, syscall.SIGTERM); err != nil {
			t.Errorf("stop redis-server: %v", err)
		}
		if t.Failed() {
			t.Logf("redis-server %s log:\n%s", r.Addr, r.log.String())
		}
	})
	deadline := time.Now().Add(startTimeout)
	for {
		err := r.ping()
		if err == nil {
			return r
		}
		select {
		case <-r.exited:
			t.Fatalf("redis-server exited before answering PING: %v\nlog:\n%s", err, r.log.String())
		case <-time.After(pollEvery):
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer PING within %v: %v\nlog:\n%s", startTimeout, err, r.log.String())
		}
	}
}

// ping sends one inline PING command and expects +PONG.
func (r *Redis) ping() error {
	c, err := net.DialTimeout("tcp", r.Addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Ping reports whether the server answers.
func (r *Redis) Ping() error {
	if err := r.ping(); err != nil {
		return errors.Join(fmt.Errorf("redis %s", r.Addr), err)
	}
	return nil
}
