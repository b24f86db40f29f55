package ws

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDialOptionsReachCentrifugeConfig(t *testing.T) {
	tr, err := New("wss://x/connection/websocket",
		WithHeader(http.Header{"X-Api-Key": {"a"}}),
		WithHeader(http.Header{"X-Api-Key": {"b"}, "X-Route": {"eu"}}),
		WithWriteTimeout(3*time.Second),
		WithHandshakeTimeout(4*time.Second),
		WithLogHandler(LogLevelDebug, func(LogEntry) {}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	want := http.Header{"X-Api-Key": {"a", "b"}, "X-Route": {"eu"}}
	if diff := cmp.Diff(want, tr.ccfg.Header); diff != "" {
		t.Errorf("upgrade headers (-want +got):\n%s", diff)
	}
	if tr.ccfg.WriteTimeout != 3*time.Second || tr.ccfg.HandshakeTimeout != 4*time.Second {
		t.Errorf("write/handshake timeouts %s/%s, want 3s/4s", tr.ccfg.WriteTimeout, tr.ccfg.HandshakeTimeout)
	}
	if tr.ccfg.LogLevel != LogLevelDebug || tr.ccfg.LogHandler == nil {
		t.Errorf("log level %v, handler set %t", tr.ccfg.LogLevel, tr.ccfg.LogHandler != nil)
	}

	def, err := New("ws://x", WithReadTimeout(7*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	if def.ccfg.WriteTimeout != DefaultWriteTimeout || def.ccfg.HandshakeTimeout != 7*time.Second || def.ccfg.LogHandler != nil {
		t.Errorf("defaults: write %s (want %s), handshake %s (want the read timeout 7s), log handler set %t",
			def.ccfg.WriteTimeout, DefaultWriteTimeout, def.ccfg.HandshakeTimeout, def.ccfg.LogHandler != nil)
	}
}

func TestDialOptionsRejected(t *testing.T) {
	for name, tc := range map[string]struct {
		opt  Option
		want string
	}{
		"negative write timeout":     {WithWriteTimeout(-time.Second), "timeouts must not be negative"},
		"negative handshake timeout": {WithHandshakeTimeout(-time.Second), "timeouts must not be negative"},
		"log handler without level":  {WithLogHandler(0, func(LogEntry) {}), "WithLogHandler needs a level"},
	} {
		if _, err := New("ws://x", tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
	}
}
