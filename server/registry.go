package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/channel"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

// Registry is the schema registry an embedded server serves, with Parsec's
// routes and answers (see package runtime/registry): the snapshot, a
// channel's most specific entry with its bindings, one pattern's entry and
// its history. Every change is published on registry.ChangeChannel when the
// registry belongs to a running Server. Its methods are safe for concurrent
// use.
type Registry struct {
	now     func() time.Time
	publish func(registry.Change) error // nil until a Server owns the registry

	mu       sync.Mutex
	patterns map[string]*registered
}

// registered is one pattern's current entry and every version before it.
type registered struct {
	pattern *channel.Pattern
	history []registry.Entry // oldest first; the last is current
	gone    bool             // deregistered: history stays queryable
}

// NewRegistry returns a registry holding entries. Each entry is checked as
// Register checks it; a pattern listed twice is an error.
func NewRegistry(entries ...registry.Entry) (*Registry, error) {
	r := &Registry{now: time.Now, patterns: map[string]*registered{}}
	for _, e := range entries {
		if _, ok := r.patterns[e.Pattern]; ok {
			return nil, fmt.Errorf("server: registry: pattern %q listed twice", e.Pattern)
		}
		if _, err := r.register(e, registry.Registered); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register registers e, or updates the pattern's entry when it is already
// registered, and publishes the change. A zero Version means the next
// version (1 for a new pattern); an explicit one must be above the current.
func (r *Registry) Register(e registry.Entry) (registry.Change, error) {
	ch, err := r.register(e, "")
	if err != nil {
		return registry.Change{}, err
	}
	return ch, r.announce(ch)
}

func (r *Registry) register(e registry.Entry, kind registry.ChangeKind) (registry.Change, error) {
	p, err := channel.Parse(e.Pattern)
	if err != nil {
		return registry.Change{}, fmt.Errorf("server: registry: %w", err)
	}
	for _, a := range e.Aspects {
		if a.Name == "" {
			return registry.Change{}, fmt.Errorf("server: registry: pattern %q: an aspect without a name", e.Pattern)
		}
		if len(a.PayloadSchema) > 0 && !json.Valid(a.PayloadSchema) {
			return registry.Change{}, fmt.Errorf("server: registry: pattern %q: aspect %q: payload_schema is not JSON", e.Pattern, a.Name)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	reg := r.patterns[e.Pattern]
	var current int64
	if reg != nil {
		current = reg.history[len(reg.history)-1].Version
	}
	switch {
	case e.Version == 0:
		e.Version = current + 1
	case e.Version <= current:
		return registry.Change{}, fmt.Errorf("server: registry: pattern %q: version %d: want above the current %d", e.Pattern, e.Version, current)
	}
	if kind == "" {
		kind = registry.Registered
		if reg != nil && !reg.gone {
			kind = registry.Updated
		}
	}
	e = cloneEntry(e)
	if reg == nil {
		reg = &registered{pattern: p}
		r.patterns[e.Pattern] = reg
	}
	reg.history = append(reg.history, e)
	reg.gone = false
	return registry.Change{Kind: kind, Pattern: e.Pattern, Schema: cloneEntry(e), At: r.now().UTC()}, nil
}

// Deregister removes pattern and publishes the change, whose Schema is the
// entry as it was. Its history stays queryable.
func (r *Registry) Deregister(pattern string) (registry.Change, error) {
	r.mu.Lock()
	reg := r.patterns[pattern]
	if reg == nil || reg.gone {
		r.mu.Unlock()
		return registry.Change{}, fmt.Errorf("server: registry: pattern %q is not registered", pattern)
	}
	reg.gone = true
	ch := registry.Change{Kind: registry.Deregistered, Pattern: pattern, Schema: cloneEntry(reg.history[len(reg.history)-1]), At: r.now().UTC()}
	r.mu.Unlock()
	return ch, r.announce(ch)
}

func (r *Registry) announce(ch registry.Change) error {
	r.mu.Lock()
	publish := r.publish
	r.mu.Unlock()
	if publish == nil {
		return nil
	}
	return publish(ch)
}

// Snapshot returns every registered entry, sorted by pattern.
func (r *Registry) Snapshot() registry.Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := registry.Snapshot{Patterns: []registry.Entry{}, At: r.now().UTC()}
	for _, reg := range r.patterns {
		if !reg.gone {
			s.Patterns = append(s.Patterns, cloneEntry(reg.history[len(reg.history)-1]))
		}
	}
	slices.SortFunc(s.Patterns, func(a, b registry.Entry) int { return strings.Compare(a.Pattern, b.Pattern) })
	return s
}

// Entry returns pattern's current entry.
func (r *Registry) Entry(pattern string) (registry.Entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	reg := r.patterns[pattern]
	if reg == nil || reg.gone {
		return registry.Entry{}, false
	}
	return cloneEntry(reg.history[len(reg.history)-1]), true
}

// History returns every version of pattern, oldest first, including those
// of a deregistered pattern.
func (r *Registry) History(pattern string) ([]registry.Entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	reg := r.patterns[pattern]
	if reg == nil {
		return nil, false
	}
	out := make([]registry.Entry, len(reg.history))
	for i, e := range reg.history {
		out[i] = cloneEntry(e)
	}
	return out, true
}

// Match returns the most specific registered entry matching channel and
// its bindings.
func (r *Registry) Match(channelName string) (registry.ChannelMatch, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ps []*channel.Pattern
	var regs []*registered
	for _, reg := range r.patterns {
		if !reg.gone {
			ps = append(ps, reg.pattern)
			regs = append(regs, reg)
		}
	}
	i, b := channel.Best(ps, channelName)
	if i < 0 {
		return registry.ChannelMatch{}, false
	}
	return registry.ChannelMatch{Pattern: cloneEntry(regs[i].history[len(regs[i].history)-1]), Bindings: b}, true
}

// ServeHTTP answers GET <prefix>, ?channel=, ?pattern= and
// ?pattern=&history=true; errors are {"error":...} with 404 when nothing is
// found and 501 for a method or query it does not implement.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		writeRegistryError(w, http.StatusNotImplemented, fmt.Sprintf("method %s is not implemented; the registry is read with GET", req.Method))
		return
	}
	q := req.URL.Query()
	for k := range q {
		if k != "channel" && k != "pattern" && k != "history" {
			writeRegistryError(w, http.StatusNotImplemented, fmt.Sprintf("query parameter %q is not implemented", k))
			return
		}
	}
	history := q.Get("history")
	switch {
	case history != "" && history != "true" && history != "false":
		writeRegistryError(w, http.StatusNotImplemented, fmt.Sprintf("history=%q is not implemented; want true or false", history))
	case q.Has("channel") && (q.Has("pattern") || history == "true"):
		writeRegistryError(w, http.StatusNotImplemented, "channel= combined with pattern= or history= is not implemented")
	case q.Has("channel"):
		m, ok := r.Match(q.Get("channel"))
		if !ok {
			writeRegistryError(w, http.StatusNotFound, fmt.Sprintf("no pattern matches channel %q", q.Get("channel")))
			return
		}
		writeRegistryJSON(w, m)
	case q.Has("pattern") && history == "true":
		h, ok := r.History(q.Get("pattern"))
		if !ok {
			writeRegistryError(w, http.StatusNotFound, fmt.Sprintf("pattern %q was never registered", q.Get("pattern")))
			return
		}
		writeRegistryJSON(w, registry.History{Pattern: q.Get("pattern"), History: h})
	case q.Has("pattern"):
		e, ok := r.Entry(q.Get("pattern"))
		if !ok {
			writeRegistryError(w, http.StatusNotFound, fmt.Sprintf("pattern %q is not registered", q.Get("pattern")))
			return
		}
		writeRegistryJSON(w, e)
	case history == "true":
		writeRegistryError(w, http.StatusNotImplemented, "history=true without pattern= is not implemented")
	default:
		writeRegistryJSON(w, r.Snapshot())
	}
}

func writeRegistryJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		writeRegistryError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	// A failed write means the client went away; there is no one to tell.
	_, _ = w.Write(data)
}

func writeRegistryError(w http.ResponseWriter, status int, msg string) {
	data, err := json.Marshal(registry.ErrorBody{Error: msg})
	if err != nil {
		data = []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// As in writeRegistryJSON: a failed write means the client went away.
	_, _ = w.Write(data)
}

// cloneEntry copies e deeply so callers cannot change the registry's state.
func cloneEntry(e registry.Entry) registry.Entry {
	e.Aspects = slices.Clone(e.Aspects)
	for i := range e.Aspects {
		e.Aspects[i].PayloadSchema = slices.Clone(e.Aspects[i].PayloadSchema)
	}
	e.ACL.PublishRoles = slices.Clone(e.ACL.PublishRoles)
	e.ACL.SubscribeRoles = slices.Clone(e.ACL.SubscribeRoles)
	return e
}

// attachRegistry makes s serve r under prefix and publish its changes.
func (s *Server) attachRegistry(mux *http.ServeMux, r *Registry, prefix string) {
	r.mu.Lock()
	r.publish = func(ch registry.Change) error {
		data, err := json.Marshal(ch)
		if err != nil {
			return fmt.Errorf("server: registry change: %w", err)
		}
		_, _, err = s.Publish(registry.ChangeChannel, data)
		return err
	}
	r.mu.Unlock()
	mux.Handle(prefix, r)
}

// detach stops publishing changes, so the registry can be served again.
func (r *Registry) detach() {
	r.mu.Lock()
	r.publish = nil
	r.mu.Unlock()
}

var errRegistryOwned = errors.New("server: config Registry is already served by another server")
