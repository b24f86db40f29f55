package interop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// waitBound bounds every wait on the JavaScript peer.
const waitBound = 20 * time.Second

// event is one line the peer writes; which fields are set depends on Ev.
type event struct {
	Ev    string `json:"ev"`
	ID    *int   `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`

	Channel string `json:"channel"`
	// Data is the parsed publication data (Ev "publication") or, for "wire"
	// and "sent", a JSON string holding the raw bytes as they crossed the
	// WebSocket.
	Data json.RawMessage `json:"data"`
	// Info is the publication's client info: an object for "publication",
	// the raw bytes in a JSON string for "wire".
	Info      json.RawMessage `json:"info"`
	Recovered bool            `json:"recovered"`
	Offset    *uint64         `json:"offset"`

	Client        string          `json:"client"`
	Code          int             `json:"code"`
	Reason        string          `json:"reason"`
	WasRecovering bool            `json:"wasRecovering"`
	Recoverable   bool            `json:"recoverable"`
	Clients       json.RawMessage `json:"clients"`
	Type          string          `json:"type"`
	Message       string          `json:"message"`
}

// raw returns the raw bytes a "wire" or "sent" event carries.
func (e event) raw(t *testing.T) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(e.Data, &s); err != nil {
		t.Fatalf("event %s: data %s is not a string: %v", e.Ev, e.Data, err)
	}
	return s
}

// peer is one node process running peer.mjs: one centrifuge-js client.
type peer struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *bytes.Buffer
	done   chan struct{}

	mu      sync.Mutex
	events  []event
	changed chan struct{} // closed and replaced on every event
	nextID  int
}

// jsDir is the directory of the JavaScript side.
const jsDir = "js"

// startPeer starts a centrifuge-js peer. node and the npm packages are
// installed by `make interop-deps`; without them the test fails in CI and is
// skipped elsewhere.
func startPeer(t *testing.T) *peer {
	t.Helper()
	node := centrifugotest.Require(t, "node", "PARSEC_NODE", "node", "`make interop-deps`")
	if _, err := os.Stat(filepath.Join(jsDir, "node_modules", "centrifuge", "package.json")); err != nil {
		msg := fmt.Sprintf("centrifuge-js is not installed in %s (%v): run `make interop-deps`", jsDir, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	p := &peer{t: t, stderr: new(bytes.Buffer), done: make(chan struct{}), changed: make(chan struct{})}
	p.cmd = exec.Command(node, "peer.mjs")
	p.cmd.Dir = jsDir
	p.cmd.Stderr = &lockedWriter{mu: &p.mu, w: p.stderr}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	go p.read(stdout)
	t.Cleanup(func() {
		_ = p.stdin.Close() // the peer exits when stdin closes; Wait reports how
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill() // it did not exit: the Wait error below says so
			<-p.done
		}
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("node peer: %v", err)
		}
		if t.Failed() {
			p.mu.Lock()
			t.Logf("node peer stderr:\n%s", p.stderr.String())
			p.mu.Unlock()
		}
	})
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *peer) read(r io.Reader) {
	defer close(p.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			e = event{Ev: "unparsable", Message: fmt.Sprintf("%s: %v", sc.Bytes(), err)}
		}
		p.mu.Lock()
		p.events = append(p.events, e)
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}
}

// call sends a command and waits for its reply.
func (p *peer) call(op string, args map[string]any) event {
	p.t.Helper()
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	p.mu.Unlock()
	cmd := map[string]any{"op": op, "id": id}
	for k, v := range args {
		cmd[k] = v
	}
	line, err := json.Marshal(cmd)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		p.t.Fatalf("peer %s: %v", op, err)
	}
	r := p.waitFor("the reply to "+op, func(e event) bool { return e.Ev == "reply" && e.ID != nil && *e.ID == id })
	if r.Error != "" {
		p.t.Fatalf("peer %s: %s", op, r.Error)
	}
	return r
}

// waitFor returns the first event that satisfies ok, waiting up to waitBound.
func (p *peer) waitFor(what string, ok func(event) bool) event {
	p.t.Helper()
	evs := p.waitN(what, 1, ok)
	return evs[0]
}

// waitN waits up to waitBound until n events satisfy ok and returns them.
func (p *peer) waitN(what string, n int, ok func(event) bool) []event {
	p.t.Helper()
	deadline := time.After(waitBound)
	for {
		p.mu.Lock()
		var got []event
		for _, e := range p.events {
			if ok(e) {
				got = append(got, e)
			}
		}
		changed := p.changed
		p.mu.Unlock()
		if len(got) >= n {
			return got[:n]
		}
		select {
		case <-changed:
		case <-p.done:
			p.t.Fatalf("node peer exited while waiting for %s (have %d of %d)", what, len(got), n)
		case <-deadline:
			p.t.Fatalf("timed out after %s waiting for %s (have %d of %d); events:\n%s", waitBound, what, len(got), n, p.dump())
		}
	}
}

// all returns every event so far that satisfies ok.
func (p *peer) all(ok func(event) bool) []event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var got []event
	for _, e := range p.events {
		if ok(e) {
			got = append(got, e)
		}
	}
	return got
}

func (p *peer) dump() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, e := range p.events {
		line, _ := json.Marshal(e) // a decoded event always re-encodes
		if len(line) > 300 {
			line = append(line[:300], "..."...)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func isEv(ev, channel string) func(event) bool {
	return func(e event) bool { return e.Ev == ev && (channel == "" || e.Channel == channel) }
}
