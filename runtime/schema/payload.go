package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/go-faster/jx"
)

// parsePayload turns JSON into the value model the schema library validates:
// map[string]any, []any, string, json.Number, bool and nil. It reads numbers
// as json.Number so no precision is lost, rejects trailing data, and is a
// single pass over the bytes (faster than encoding/json with UseNumber).
func parsePayload(data []byte) (any, error) {
	d := jx.GetDecoder()
	defer jx.PutDecoder(d)
	d.ResetBytes(data)
	v, err := parseValue(d)
	if err != nil {
		return nil, err
	}
	if err := d.Skip(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func parseValue(d *jx.Decoder) (any, error) {
	switch t := d.Next(); t {
	case jx.Object:
		m := make(map[string]any)
		err := d.Obj(func(d *jx.Decoder, key string) error {
			if _, dup := m[key]; dup {
				return fmt.Errorf("duplicate key %q", key)
			}
			v, err := parseValue(d)
			if err != nil {
				return err
			}
			m[key] = v
			return nil
		})
		return m, err
	case jx.Array:
		a := make([]any, 0, 4)
		err := d.Arr(func(d *jx.Decoder) error {
			v, err := parseValue(d)
			if err != nil {
				return err
			}
			a = append(a, v)
			return nil
		})
		return a, err
	case jx.String:
		return d.Str()
	case jx.Number:
		n, err := d.Num()
		if err != nil {
			return nil, err
		}
		return json.Number(n), nil
	case jx.Bool:
		return d.Bool()
	case jx.Null:
		return nil, d.Null()
	default:
		// Skip reports the syntax error at the right offset.
		if err := d.Skip(); err != nil {
			return nil, err
		}
		return nil, errors.New("invalid JSON value")
	}
}
