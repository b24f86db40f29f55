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

// DriftJudge judges whether a changed payload schema breaks a client that
// uses its compiled schema in direction dir: compiled is the schema the
// client was built with, live the registry's. The runtime has none of its
// own; breaking.JudgeDrift (package
// github.com/parsec-gen/parsec-gen/gen/breaking) is the generator's
// breaking-change check in this form.
type DriftJudge func(compiled, live json.RawMessage, dir registry.Direction) (*registry.Verdict, error)

// WithDriftJudge has j judge every payload schema difference the drift
// check finds; its verdict for the client's direction (WithDriftDirection)
// goes in the DriftError's Verdict. A judge that fails is reported to the
// error hooks on its own, and the DriftError goes without a verdict.
func WithDriftJudge(j DriftJudge) DriftOption {
	return func(d *driftConfig) { d.judge = j }
}

// WithDriftDirection says how this client uses the compiled-in schemas:
// registry.Publishes, registry.Reads or registry.PublishesAndReads (the
// default). It matters only with WithDriftJudge.
func WithDriftDirection(dir registry.Direction) DriftOption {
	return func(d *driftConfig) { d.dir = dir }
}

type driftConfig struct {
	url      string
	compiled []registry.Entry
	judge    DriftJudge
	dir      registry.Direction
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
// on: the client keeps publishing and delivering. With WithDriftJudge each
// changed payload schema is also judged breaking or not for this client's
// direction (WithDriftDirection).
func WithRegistryDrift(url string, compiled []registry.Entry, opts ...DriftOption) ClientOption {
	d := &driftConfig{url: url, compiled: compiled, timeout: 10 * time.Second, dir: registry.PublishesAndReads}
	for _, o := range opts {
		o(d)
	}
	return func(c *clientConfig) { c.drift = d }
}

// reportDrift reports each difference between compiled and live entries,
// judged when a judge is set. live holds the live entries by pattern.
func (c *Client) reportDrift(diffs []registry.Difference, compiled map[string]registry.Entry, live map[string]registry.Entry) {
	d := c.cfg.drift
	for _, diff := range diffs {
		de := &registry.DriftError{Difference: diff}
		if d.judge != nil && diff.Kind == registry.SchemaChanged {
			ca, _ := compiled[diff.Pattern].Aspects.Lookup(diff.Aspect)
			la, _ := live[diff.Pattern].Aspects.Lookup(diff.Aspect)
			if ca.HasSchema() && la.HasSchema() {
				v, err := d.judge(ca.PayloadSchema, la.PayloadSchema, d.dir)
				if err != nil {
					c.report(fmt.Errorf("parsec: registry drift: judge pattern %q aspect %q: %w", diff.Pattern, diff.Aspect, err))
				} else {
					de.Verdict = v
				}
			}
		}
		c.report(de)
	}
}

func byPattern(entries []registry.Entry) map[string]registry.Entry {
	m := make(map[string]registry.Entry, len(entries))
	for _, e := range entries {
		m[e.Pattern] = e
	}
	return m
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
	c.reportDrift(registry.Diff(d.compiled, snap.Patterns), byPattern(d.compiled), byPattern(snap.Patterns))
}

// watchRegistry compares every change published on the change channel
// with the compiled-in entry of its pattern, until Close. When the stream
// ends it subscribes again and compares the whole snapshot, so a change
// missed in between is still reported.
func (c *Client) watchRegistry() {
	defer c.inflight.Done()
	d := c.cfg.drift
	compiled := byPattern(d.compiled)
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
			c.reportDrift(diffs, compiled, map[string]registry.Entry{ch.Pattern: ch.Schema})
		}
	}
}
