// Package registry holds the wire shapes of Parsec's schema registry and a
// client for it.
//
// Parsec's server keeps one entry per channel pattern: a description, a
// version, named aspects (each with a description, a payload schema and a
// required flag) and an ACL note. It serves the entries over HTTP under a
// prefix (DefaultPrefix):
//
//	GET <prefix>                          Snapshot
//	GET <prefix>?channel=X                ChannelMatch: the most specific entry matching X and its bindings
//	GET <prefix>?pattern=P                Entry
//	GET <prefix>?pattern=P&history=true   History: every version of P, oldest first
//
// Errors are {"error":"..."} (ErrorBody) with status 404 (nothing found) or
// 501 (a query the server does not implement). Every change is published on
// ChangeChannel as a Change.
//
// Aspects keep the order in which the registry wrote them, so decoding and
// encoding a snapshot keeps its bytes' meaning and generated code built
// from it is deterministic.
package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DefaultPrefix is the HTTP path Parsec's server serves the registry on.
const DefaultPrefix = "/parsec/schemas"

// ChangeChannel is the channel every registry change is published on.
const ChangeChannel = "public:parsec.registry.schemas"

// Snapshot is the whole registry, GET <prefix>.
type Snapshot struct {
	Patterns []Entry   `json:"patterns"`
	At       time.Time `json:"at"`
}

// Entry is one channel pattern's registration.
type Entry struct {
	Pattern     string `json:"pattern"`
	Description string `json:"description"`
	Version     int64  `json:"version"`
	// Aspects are the aspects of the pattern in registry order; on the wire
	// an object keyed by aspect name.
	Aspects Aspects `json:"aspects"`
	ACL     ACL     `json:"acl"`
}

// Aspect is one aspect of a pattern.
type Aspect struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// PayloadSchema is the aspect's JSON Schema; empty or JSON null when
	// the registry has none (payloads are then raw JSON).
	PayloadSchema json.RawMessage `json:"payload_schema"`
	// Required marks an aspect every subscriber of the pattern must handle.
	Required bool `json:"required"`
}

// HasSchema reports whether the aspect has a payload schema.
func (a Aspect) HasSchema() bool {
	s := bytes.TrimSpace(a.PayloadSchema)
	return len(s) > 0 && !bytes.Equal(s, []byte("null"))
}

// ACL is who may publish and subscribe on a pattern's channels.
type ACL struct {
	PublishRoles   []string `json:"publish_roles"`
	SubscribeRoles []string `json:"subscribe_roles"`
	Notes          string   `json:"notes"`
}

// ChannelMatch is the answer to GET <prefix>?channel=X.
type ChannelMatch struct {
	Pattern  Entry             `json:"pattern"`
	Bindings map[string]string `json:"bindings"`
}

// History is the answer to GET <prefix>?pattern=P&history=true.
type History struct {
	Pattern string  `json:"pattern"`
	History []Entry `json:"history"`
}

// ErrorBody is the body of an error answer.
type ErrorBody struct {
	Error string `json:"error"`
}

// ChangeKind says what a Change did.
type ChangeKind string

// The change kinds.
const (
	Registered   ChangeKind = "registered"
	Updated      ChangeKind = "updated"
	Deregistered ChangeKind = "deregistered"
)

// Change is one registry change as published on ChangeChannel. Schema is
// the entry as registered or updated, or as it was before it was
// deregistered.
type Change struct {
	Kind    ChangeKind `json:"kind"`
	Pattern string     `json:"pattern"`
	Schema  Entry      `json:"schema"`
	At      time.Time  `json:"at"`
}

// UnmarshalJSON decodes a change and checks its kind.
func (c *Change) UnmarshalJSON(data []byte) error {
	type plain Change
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	switch p.Kind {
	case Registered, Updated, Deregistered:
	default:
		return fmt.Errorf("registry change: kind %q: want %q, %q or %q", p.Kind, Registered, Updated, Deregistered)
	}
	*c = Change(p)
	return nil
}

// Aspects are a pattern's aspects in order; on the wire a JSON object keyed
// by aspect name whose values repeat the name.
type Aspects []Aspect

// Lookup returns the aspect named name.
func (as Aspects) Lookup(name string) (Aspect, bool) {
	for _, a := range as {
		if a.Name == name {
			return a, true
		}
	}
	return Aspect{}, false
}

// MarshalJSON writes the aspects as an object in order.
func (as Aspects) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, a := range as {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(a.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of aspects in the order written. A key that
// disagrees with its value's name, or appears twice, is an error; a value
// without a name takes its key.
func (as *Aspects) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*as = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("aspects: want an object keyed by aspect name")
	}
	out := Aspects{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string) // object keys are strings
		var a Aspect
		if err := dec.Decode(&a); err != nil {
			return fmt.Errorf("aspect %q: %w", key, err)
		}
		if a.Name == "" {
			a.Name = key
		}
		if a.Name != key {
			return fmt.Errorf("aspect %q: name %q: want the key it is listed under", key, a.Name)
		}
		if seen[key] {
			return fmt.Errorf("aspect %q: listed twice", key)
		}
		seen[key] = true
		out = append(out, a)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*as = out
	return nil
}
