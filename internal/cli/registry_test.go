package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const testSnapshot = `{"patterns":[{"pattern":"sessions:{id}","description":"A session.","version":2,` +
	`"aspects":{"data":{"name":"data","description":"","payload_schema":{"type":"object","properties":{"user":{"type":"string"}}},"required":true},` +
	`"cursor":{"name":"cursor","description":"","payload_schema":null,"required":false}},` +
	`"acl":{"publish_roles":[],"subscribe_roles":[],"notes":""}}],"at":"2026-12-03T18:00:00Z"}`

// registryServer serves testSnapshot at /parsec/schemas and counts requests.
func registryServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/parsec/schemas" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"no such route"}`))
			return
		}
		w.Write([]byte(testSnapshot))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestGenerateFromRegistry: --registry and --registry-file produce the same
// package (but for the source lines), --check agrees with what was written,
// and a registry that cannot be reached fails with exit 1.
func TestGenerateFromRegistry(t *testing.T) {
	dir := t.TempDir()
	srv, hits := registryServer(t)
	url := srv.URL + "/parsec/schemas"
	if r := mainIn(t, dir, "registry", "pull", url, "-o", "snap.json"); r.code != 0 || !strings.Contains(r.stdout, "snap.json: 1 patterns") {
		t.Fatalf("registry pull: %+v", r)
	}
	pulled, err := os.ReadFile(filepath.Join(dir, "snap.json"))
	if err != nil || string(pulled) != testSnapshot+"\n" {
		t.Fatalf("pulled %q, %v; want the snapshot as served", pulled, err)
	}
	if r := mainIn(t, dir, "generate", "-o", "fromfile", "-p", "events", "--registry-file", "snap.json"); r.code != 0 {
		t.Fatalf("--registry-file: %+v", r)
	}
	before := hits.Load()
	if r := mainIn(t, dir, "generate", "-o", "fromurl", "-p", "events", "--registry", url); r.code != 0 {
		t.Fatalf("--registry: %+v", r)
	}
	if hits.Load() != before+1 {
		t.Errorf("--registry fetched %d times, want once", hits.Load()-before)
	}
	fromFile, fromURL := readTree(t, filepath.Join(dir, "fromfile")), readTree(t, filepath.Join(dir, "fromurl"))
	for _, name := range []string{"sessions_data.parsec.go", "parsec_channels.parsec.go", "parsec_client.parsec.go", "parsec_aspects.parsec.go"} {
		a, b := fromFile[name], fromURL[name]
		if a == "" || b == "" {
			t.Fatalf("%s not generated (file %d bytes, url %d bytes)", name, len(a), len(b))
		}
		if strings.ReplaceAll(a, "../snap.json", url) != b {
			t.Errorf("%s differs between --registry-file and --registry beyond the source name", name)
		}
	}
	if !strings.Contains(fromFile["parsec_channels.parsec.go"], "func SessionsChannel(id string) string") {
		t.Error("no SessionsChannel builder")
	}
	if r := mainIn(t, dir, "generate", "--check", "-o", "fromfile", "-p", "events", "--registry-file", "snap.json"); r.code != 0 {
		t.Fatalf("--check after generate: %+v", r)
	}
	changed := strings.Replace(testSnapshot, `"version":2`, `"version":3`, 1)
	if err := os.WriteFile(filepath.Join(dir, "snap.json"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := mainIn(t, dir, "generate", "--check", "-o", "fromfile", "-p", "events", "--registry-file", "snap.json"); r.code != 1 || !strings.Contains(r.stdout, "parsec_channels.parsec.go: would change") {
		t.Fatalf("--check after a version bump: %+v, want exit 1 naming the channels file", r)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"generate", "-o", "x", "--registry", srv.URL + "/nope"}, 1, `404 Not Found: no such route`},
		{[]string{"generate", "-o", "x", "--registry", "http://127.0.0.1:1/parsec/schemas", "--registry-timeout", "2s"}, 1, "connect"},
		{[]string{"generate", "-o", "x", "--registry-file", "missing.json"}, 1, "missing.json"},
		{[]string{"generate", "-o", "x", "--registry-file", "snap.json", "--registry", url}, 2, "alternatives"},
		{[]string{"generate", "-o", "x", "--registry-file", "snap.json", "schemas"}, 2, "alternatives"},
		{[]string{"generate", "-o", "x", "--registry", url, "--registry-timeout", "0s"}, 2, "positive duration"},
		{[]string{"registry", "pull", "-o", "s.json"}, 2, "want one URL"},
		{[]string{"registry", "pull", srv.URL + "/nope", "-o", "s.json"}, 1, "404"},
		{[]string{"registry"}, 2, "want one of pull"},
	} {
		r := mainIn(t, dir, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "s.json")); !os.IsNotExist(err) {
		t.Errorf("a failed pull wrote its file: %v", err)
	}
}
