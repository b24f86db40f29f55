package parsec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
)

// Map is a JSON object with string keys whose values are all T, kept in
// insertion order so that a decoded object re-encodes with its keys in the
// order they arrived. Generated code uses it for additionalProperties and
// patternProperties. The zero value is an empty map ready to use; a Map is not
// safe for concurrent mutation.
type Map[T any] struct {
	entries []entry[T]
	// index maps a key to its position; built only once the map is large
	// enough for a linear scan to cost more than the hashing.
	index map[string]int
}

type entry[T any] struct {
	key string
	val T
}

// indexAt is the size from which Map keeps a hash index.
const indexAt = 16

// Len returns the number of entries.
func (m *Map[T]) Len() int { return len(m.entries) }

// IsZero reports whether the map is empty.
func (m Map[T]) IsZero() bool { return len(m.entries) == 0 }

func (m *Map[T]) find(key string) int {
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range m.entries {
		if m.entries[i].key == key {
			return i
		}
	}
	return -1
}

// Get returns the value stored under key and whether it exists.
func (m *Map[T]) Get(key string) (T, bool) {
	if i := m.find(key); i >= 0 {
		return m.entries[i].val, true
	}
	var zero T
	return zero, false
}

// Has reports whether key exists.
func (m *Map[T]) Has(key string) bool { return m.find(key) >= 0 }

// Set stores v under key: in place when the key exists, else appended last.
func (m *Map[T]) Set(key string, v T) {
	if i := m.find(key); i >= 0 {
		m.entries[i].val = v
		return
	}
	if m.entries == nil {
		m.entries = make([]entry[T], 0, 4)
	}
	m.entries = append(m.entries, entry[T]{key, v})
	switch n := len(m.entries); {
	case m.index != nil:
		m.index[key] = n - 1
	case n >= indexAt:
		m.index = make(map[string]int, n*2)
		for i := range m.entries {
			m.index[m.entries[i].key] = i
		}
	}
}

// Delete removes key, keeping the order of the other entries.
func (m *Map[T]) Delete(key string) {
	i := m.find(key)
	if i < 0 {
		return
	}
	m.entries = append(m.entries[:i], m.entries[i+1:]...)
	if m.index != nil {
		delete(m.index, key)
		for j := i; j < len(m.entries); j++ {
			m.index[m.entries[j].key] = j
		}
	}
}

// Keys returns the keys in order.
func (m *Map[T]) Keys() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range m.entries {
			if !yield(m.entries[i].key) {
				return
			}
		}
	}
}

// All returns the entries in order.
func (m *Map[T]) All() iter.Seq2[string, T] {
	return func(yield func(string, T) bool) {
		for i := range m.entries {
			if !yield(m.entries[i].key, m.entries[i].val) {
				return
			}
		}
	}
}

// At returns the i-th entry in order; it panics if i is out of range, like
// indexing a slice.
func (m *Map[T]) At(i int) (string, T) { return m.entries[i].key, m.entries[i].val }

// MarshalJSON encodes the map as a JSON object in insertion order.
func (m Map[T]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range m.entries {
		k := e.key
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(e.val)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON decodes a JSON object, keeping its key order. The map is
// cleared first. null is rejected.
func (m *Map[T]) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errorf("expected an object, found %s", describeToken(tok))
	}
	*m = Map[T]{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string) // json.Decoder guarantees object keys are strings
		var v T
		if err := dec.Decode(&v); err != nil {
			return prefix(err, "/"+EscapePointer(key))
		}
		m.Set(key, v)
	}
	_, err = dec.Token() // the closing '}', already checked by More
	return err
}

func describeToken(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%v", tok)
}

// RawProperties holds the properties of an object that its schema does not
// name, as raw JSON values in the order they arrived, so that they survive a
// decode/encode round trip.
type RawProperties = Map[json.RawMessage]
