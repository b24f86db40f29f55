package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/server"
)

// centrifugoBinary finds the Centrifugo the Makefile installs (make tools),
// or the one PARSEC_CENTRIFUGO names. Without one the test skips, and fails
// under CI=true, where make test-example installs it first.
func centrifugoBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("PARSEC_CENTRIFUGO")
	if bin == "" {
		bin = filepath.Join("..", "bin", "centrifugo")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Centrifugo binary (%v): CI=true requires it (make test-example installs it)", err)
		}
		t.Skipf("no Centrifugo binary (%v): run make tools", err)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestExampleCentrifugo runs the example against a real Centrifugo on
// loopback, configured as the README describes, through -server, -token
// and -prefix.
func TestExampleCentrifugo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Centrifugo")
	}
	bin := centrifugoBinary(t)
	secret := "example-test-secret-0123456789abcdef"
	port := freePort(t)
	cfg := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": port},
		"log":         map[string]any{"level": "error"},
		"health":      map[string]any{"enabled": true},
		"client":      map[string]any{"token": map[string]any{"hmac_secret_key": secret}, "allowed_origins": []string{"http://localhost"}},
		"channel": map[string]any{"namespaces": []map[string]any{{
			"name": "parsec", "history_size": 1000, "history_ttl": "10m",
			"force_recovery": true, "force_positioning": true, "presence": true,
			"allow_subscribe_for_client": true, "allow_publish_for_client": true,
			"allow_history_for_client": true, "allow_presence_for_client": true,
		}}},
	}
	dir := t.TempDir()
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config", "config.json")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cmd.Process.Kill(); err != nil {
			t.Errorf("stopping Centrifugo: %v", err)
		}
		// Wait reports the kill itself; only the reaping matters here.
		_ = cmd.Wait()
	})
	health := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Centrifugo not healthy at %s: %v\n%s", health, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	token, err := server.SignToken([]byte(secret), "example", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"-server", fmt.Sprintf("ws://127.0.0.1:%d/connection/websocket", port), "-token", token, "-prefix", "parsec:", "-timeout", "30s"}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\ncentrifugo:\n%s", code, stdout.String(), stderr.String(), logs.String())
	}
	for _, want := range []string{
		"external server ws://127.0.0.1:",
		"audit         customer_notified   parsec:customers #1 from fulfilment, caused by parsec:orders #2 from fulfilment",
		"audit         GAP on parsec:stores: 2 envelope(s) missing",
		"audit         REJECTED order_placed parsec:stores #1 from legacy-import",
		"done          audit received 9 envelopes, 1 gap(s) (2 missing), 1 rejected payload(s)",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, stdout.String())
		}
	}
}
