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
	keys []string
	vals []T
	// index maps a key to its position; built only once the map is large
	// enough for a linear scan to cost more than the hashing.
	index map[string]int
}

// indexAt is the size from which Map keeps a hash index.
const indexAt = 16

// Len returns the number of entries.
func (m *Map[T]) Len() int { return len(m.keys) }

// IsZero reports whether the map is empty.
func (m Map[T]) IsZero() bool { return len(m.keys) == 0 }

func (m *Map[T]) find(key string) int {
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			return i
		}
		return -1
	}
	for i, k := range m.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// Get returns the value stored under key and whether it exists.
func (m *Map[T]) Get(key string) (T, bool) {
	if i := m.find(key); i >= 0 {
		return m.vals[i], true
	}
	var zero T
	return zero, false
}

// Set stores v under key: in place when the key exists, else appended last.
func (m *Map[T]) Set(key string, v T) {
	if i := m.find(key); i >= 0 {
		m.vals[i] = v
		return
	}
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, v)
	switch n := len(m.keys); {
	case m.index != nil:
		m.index[key] = n - 1
	case n >= indexAt:
		m.index = make(map[string]int, n*2)
		for i, k := range m.keys {
			m.index[k] = i
		}
	}
}

// Delete removes key, keeping the order of the other entries.
func (m *Map[T]) Delete(key string) {
	i := m.find(key)
	if i < 0 {
		return
	}
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	if m.index != nil {
		delete(m.index, key)
		for j := i; j < len(m.keys); j++ {
			m.index[m.keys[j]] = j
		}
	}
}

// Keys returns the keys in order.
func (m *Map[T]) Keys() iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, k := range m.keys {
			if !yield(k) {
				return
			}
		}
	}
}

// All returns the entries in order.
func (m *Map[T]) All() iter.Seq2[string, T] {
	return func(yield func(string, T) bool) {
		for i, k := range m.keys {
			if !yield(k, m.vals[i]) {
				return
			}
		}
	}
}

// At returns the i-th entry in order; it panics if i is out of range, like
// indexing a slice.
func (m *Map[T]) At(i int) (string, T) { return m.keys[i], m.vals[i] }

// MarshalJSON encodes the map as a JSON object in insertion order.
func (m Map[T]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(m.vals[i])
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
		return Errorf("expected an object, found %s", describeToken(tok))
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
			return Wrap(err, key)
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
