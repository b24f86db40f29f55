package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

// DriftOption configures WithRegistryDrift.
type DriftOption func(*driftConfig)

// WithDriftHTTPClient sets the HTTP client that fetches the registry
// snapshot (default http.DefaultClient).
func WithDriftHTTPClient(h *http.Client) DriftOption {
	return func(d *driftConfig) { d.http = h }
}

// WithDriftTimeout bounds each fetch of the registry snapshot (default 10s).
func WithDriftTimeout(t time.Duration) DriftOption {
	return func(d *driftConfig) { d.timeout = t }
}

type driftConfig struct {
	url      string
	compiled []registry.Entry
	http     *http.Client
	timeout  time.Duration
	started  bool // guarded by Client.mu
}

// WithRegistryDrift makes the client watch Parsec's schema registry for drift
// from the entries it was compiled with (a generated package's
// RegistryEntries()). At every Connect it fetches the snapshot at url (the
// registry's prefix URL) and compares; it then subscribes to
// registry.ChangeChannel and compares every changed entry. Each difference
// (which pattern, which aspect, compiled and live version) goes to the error
// hooks as a *registry.DriftError; a snapshot that cannot be fetched or a
// change that does not decode goes there too. Drift is reported, never acted
// on: the client keeps publishing and delivering. Whether a difference
// breaks this client (it publishes, reads or both) is not judged here.
func WithRegistryDrift(url string, compiled []registry.Entry, opts ...DriftOption) ClientOption {
	d := &driftConfig{url: url, compiled: compiled, timeout: 10 * time.Second}
	for _, o := range opts {
		o(d)
	}
	return func(c *clientConfig) { c.drift = d }
}

// checkDrift runs at Connect: it compares the snapshot and, the first time,
// starts watching the change channel.
func (c *Client) checkDrift(ctx context.Context) {
	d := c.cfg.drift
	if d == nil {
		return
	}
	c.compareSnapshot(ctx)
	c.mu.Lock()
	start := !d.started && !c.closed
	if start {
		d.started = true
		c.inflight.Add(1) // Close waits for the watcher
	}
	c.mu.Unlock()
	if start {
		go c.watchRegistry()
	}
}

func (c *Client) compareSnapshot(ctx context.Context) {
	d := c.cfg.drift
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	snap, _, err := registry.Fetch(ctx, d.http, d.url)
	if err != nil {
		c.report(fmt.Errorf("parsec: registry drift check: %w", err))
		return
	}
	for _, diff := range registry.Diff(d.compiled, snap.Patterns) {
		c.report(&registry.DriftError{Difference: diff})
	}
}

// watchRegistry compares every change published on the change channel
// with the compiled-in entry of its pattern, until Close. When the stream
// ends it subscribes again and compares the whole snapshot, so a change
// missed in between is still reported.
func (c *Client) watchRegistry() {
	defer c.inflight.Done()
	d := c.cfg.drift
	compiled := make(map[string]registry.Entry, len(d.compiled))
	for _, e := range d.compiled {
		compiled[e.Pattern] = e
	}
	for attempt := 0; c.ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			select {
			case <-c.ctx.Done():
				return
			case <-time.After(c.cfg.reconnect.delay(attempt)):
			}
		}
		stream, stop, err := c.tr.Subscribe(c.ctx, registry.ChangeChannel, SubscribeOptions{})
		if err != nil {
			if c.ctx.Err() == nil {
				c.report(fmt.Errorf("parsec: registry drift: subscribe to %s: %w", registry.ChangeChannel, err))
			}
			continue
		}
		if attempt > 0 {
			c.compareSnapshot(c.ctx)
		}
		c.readChanges(stream, compiled)
		stop()
	}
}

func (c *Client) readChanges(stream <-chan []byte, compiled map[string]registry.Entry) {
	for {
		select {
		case <-c.ctx.Done():
			return
		case data, ok := <-stream:
			if !ok {
				return
			}
			var ch registry.Change
			if err := json.Unmarshal(data, &ch); err != nil {
				c.report(fmt.Errorf("parsec: registry drift: change on %s: %w", registry.ChangeChannel, err))
				continue
			}
			e, ok := compiled[ch.Pattern]
			if !ok {
				continue
			}
			var diffs []registry.Difference
			if ch.Kind == registry.Deregistered {
				diffs = registry.Diff([]registry.Entry{e}, nil)
			} else {
				diffs = registry.DiffEntry(e, ch.Schema)
			}
			for _, diff := range diffs {
				c.report(&registry.DriftError{Difference: diff})
			}
		}
	}
}
