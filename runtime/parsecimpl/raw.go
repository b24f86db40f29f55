package parsecimpl

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parsec-gen/parsec-gen/runtime/internal/quote"
	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// RawConstraints are the validation keywords that apply to a value whose
// schema names no type (kept as raw JSON): each applies only to values of
// its kind, as in JSON Schema. Numbers are exact decimal text, "" when
// absent; the counts are -1 when absent.
type RawConstraints struct {
	Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum, MultipleOf string
	MinLength, MaxLength                                             int
	Pattern                                                          *Pattern
	MinItems, MaxItems                                               int
	UniqueItems                                                      bool
	MinProperties, MaxProperties                                     int
}

// CheckRaw checks raw against the constraints that apply to its kind.
func CheckRaw(raw json.RawMessage, c *RawConstraints) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return &parsec.ValidationError{Message: "invalid JSON: " + err.Error(), Err: err}
	}
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if c.MinLength >= 0 && n < c.MinLength {
			return Errorf("length %d is less than minLength %d", n, c.MinLength)
		}
		if c.MaxLength >= 0 && n > c.MaxLength {
			return Errorf("length %d is greater than maxLength %d", n, c.MaxLength)
		}
		if c.Pattern != nil {
			return c.Pattern.Check(x)
		}
	case json.Number:
		return checkRawNumber(string(x), c)
	case []any:
		if c.MinItems >= 0 && len(x) < c.MinItems {
			return Errorf("%d items is less than minItems %d", len(x), c.MinItems)
		}
		if c.MaxItems >= 0 && len(x) > c.MaxItems {
			return Errorf("%d items is more than maxItems %d", len(x), c.MaxItems)
		}
		if c.UniqueItems {
			return CheckUniqueJSON(x)
		}
	case map[string]any:
		if c.MinProperties >= 0 && len(x) < c.MinProperties {
			return Errorf("%d properties is less than minProperties %d", len(x), c.MinProperties)
		}
		if c.MaxProperties >= 0 && len(x) > c.MaxProperties {
			return Errorf("%d properties is more than maxProperties %d", len(x), c.MaxProperties)
		}
	}
	return nil
}

func checkRawNumber(text string, c *RawConstraints) error {
	if c.Minimum == "" && c.Maximum == "" && c.ExclusiveMinimum == "" && c.ExclusiveMaximum == "" && c.MultipleOf == "" {
		return nil
	}
	if hugeExponent(text) {
		// Exact arithmetic on 1e999999999 would take forever: compare as
		// float64, where such a value is 0 or an infinity.
		return checkRawFloat(text, c)
	}
	v, ok := new(big.Rat).SetString(text)
	if !ok {
		return Errorf("%s is not a number", text)
	}
	bound := func(b string) *big.Rat {
		if b == "" {
			return nil
		}
		r, ok := new(big.Rat).SetString(b)
		if !ok {
			return nil
		}
		return r
	}
	if b := bound(c.Minimum); b != nil && v.Cmp(b) < 0 {
		return Errorf("%s is less than minimum %s", text, c.Minimum)
	}
	if b := bound(c.Maximum); b != nil && v.Cmp(b) > 0 {
		return Errorf("%s is greater than maximum %s", text, c.Maximum)
	}
	if b := bound(c.ExclusiveMinimum); b != nil && v.Cmp(b) <= 0 {
		return Errorf("%s is not greater than exclusiveMinimum %s", text, c.ExclusiveMinimum)
	}
	if b := bound(c.ExclusiveMaximum); b != nil && v.Cmp(b) >= 0 {
		return Errorf("%s is not less than exclusiveMaximum %s", text, c.ExclusiveMaximum)
	}
	if b := bound(c.MultipleOf); b != nil && b.Sign() > 0 {
		if q := new(big.Rat).Quo(v, b); !q.IsInt() {
			return Errorf("%s is not a multiple of %s", text, c.MultipleOf)
		}
	}
	return nil
}

// hugeExponent reports whether a JSON number's exponent is beyond what exact
// rational arithmetic can handle quickly.
func hugeExponent(text string) bool {
	i := strings.IndexAny(text, "eE")
	if i < 0 {
		return false
	}
	e, err := strconv.Atoi(strings.TrimPrefix(text[i+1:], "+"))
	return err != nil || e > 1000 || e < -1000
}

func checkRawFloat(text string, c *RawConstraints) error {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(v, 0) && v != 0 {
		return Errorf("%s is not a number", quote.Truncate(text))
	}
	bound := func(b string) (float64, bool) {
		if b == "" {
			return 0, false
		}
		f, err := strconv.ParseFloat(b, 64)
		return f, err == nil
	}
	if b, ok := bound(c.Minimum); ok && v < b {
		return Errorf("%s is less than minimum %s", quote.Truncate(text), c.Minimum)
	}
	if b, ok := bound(c.Maximum); ok && v > b {
		return Errorf("%s is greater than maximum %s", quote.Truncate(text), c.Maximum)
	}
	if b, ok := bound(c.ExclusiveMinimum); ok && v <= b {
		return Errorf("%s is not greater than exclusiveMinimum %s", quote.Truncate(text), c.ExclusiveMinimum)
	}
	if b, ok := bound(c.ExclusiveMaximum); ok && v >= b {
		return Errorf("%s is not less than exclusiveMaximum %s", quote.Truncate(text), c.ExclusiveMaximum)
	}
	if b, ok := bound(c.MultipleOf); ok && b > 0 {
		return CheckMultipleOf(v, b)
	}
	return nil
}
