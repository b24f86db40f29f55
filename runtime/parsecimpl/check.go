package parsecimpl

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// Number is the set of Go types generated code uses for JSON numbers.
type Number interface {
	~int32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// RuneCount returns the length of s in Unicode code points, the unit of
// minLength and maxLength.
func RuneCount(s string) int { return utf8.RuneCountInString(s) }

// CheckMinLength checks minLength: s has at least min code points.
func CheckMinLength(s string, min int) error {
	if len(s) >= min*utf8.UTFMax {
		return nil // every code point takes at most UTFMax bytes
	}
	if n := utf8.RuneCountInString(s); n < min {
		return Errorf("length %d is less than minLength %d", n, min)
	}
	return nil
}

// CheckMaxLength checks maxLength: s has at most max code points.
func CheckMaxLength(s string, max int) error {
	if len(s) <= max {
		return nil // a code point takes at least one byte
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf("length %d is greater than maxLength %d", n, max)
	}
	return nil
}

// CheckMinimum checks minimum: v >= min.
func CheckMinimum[N Number](v, min N) error {
	if v < min {
		return Errorf("%s is less than minimum %s", formatNum(v), formatNum(min))
	}
	return nil
}

// CheckMaximum checks maximum: v <= max.
func CheckMaximum[N Number](v, max N) error {
	if v > max {
		return Errorf("%s is greater than maximum %s", formatNum(v), formatNum(max))
	}
	return nil
}

// CheckExclusiveMinimum checks exclusiveMinimum: v > min.
func CheckExclusiveMinimum[N Number](v, min N) error {
	if v <= min {
		return Errorf("%s is not greater than exclusiveMinimum %s", formatNum(v), formatNum(min))
	}
	return nil
}

// CheckExclusiveMaximum checks exclusiveMaximum: v < max.
func CheckExclusiveMaximum[N Number](v, max N) error {
	if v >= max {
		return Errorf("%s is not less than exclusiveMaximum %s", formatNum(v), formatNum(max))
	}
	return nil
}

// CheckMultipleOfInt checks multipleOf for an integer divisor m (m > 0).
func CheckMultipleOfInt[N ~int32 | ~int64 | ~uint64](v, m N) error {
	if m != 0 && v%m != 0 {
		return Errorf("%s is not a multiple of %s", formatNum(v), formatNum(m))
	}
	return nil
}

// CheckMultipleOf checks multipleOf for a fractional divisor m (m > 0). The
// quotient must be an integer up to the rounding error of float64 arithmetic,
// so 0.3 is a multiple of 0.1.
func CheckMultipleOf[N Number](v N, m float64) error {
	q := float64(v) / m
	if math.IsInf(q, 0) || math.IsNaN(q) {
		return Errorf("%s is not a multiple of %s", formatNum(v), formatNum(m))
	}
	if d := math.Abs(q - math.Round(q)); d > 1e-9*math.Max(1, math.Abs(q)) {
		return Errorf("%s is not a multiple of %s", formatNum(v), formatNum(m))
	}
	return nil
}

func formatNum[N Number](v N) string {
	switch x := any(v).(type) {
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	f := float64(v)
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	// Integer types too large for exact float64 formatting.
	if v < 0 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatUint(uint64(v), 10)
}

// CheckMinItems checks minItems against an array of n items.
func CheckMinItems(n, min int) error {
	if n < min {
		return Errorf("%d items is less than minItems %d", n, min)
	}
	return nil
}

// CheckMaxItems checks maxItems against an array of n items.
func CheckMaxItems(n, max int) error {
	if n > max {
		return Errorf("%d items is more than maxItems %d", n, max)
	}
	return nil
}

// CheckMinProperties checks minProperties against an object with n properties.
func CheckMinProperties(n, min int) error {
	if n < min {
		return Errorf("%d properties is less than minProperties %d", n, min)
	}
	return nil
}

// CheckMaxProperties checks maxProperties against an object with n properties.
func CheckMaxProperties(n, max int) error {
	if n > max {
		return Errorf("%d properties is more than maxProperties %d", n, max)
	}
	return nil
}

// CheckUnique checks uniqueItems for items of a comparable Go type.
func CheckUnique[T comparable](items []T) error {
	if len(items) < 2 {
		return nil
	}
	if len(items) <= 16 {
		for i := 1; i < len(items); i++ {
			for j := 0; j < i; j++ {
				if items[i] == items[j] {
					return Errorf("items %d and %d are equal; uniqueItems requires distinct items", j, i)
				}
			}
		}
		return nil
	}
	seen := make(map[T]int, len(items))
	for i, it := range items {
		if j, ok := seen[it]; ok {
			return Errorf("items %d and %d are equal; uniqueItems requires distinct items", j, i)
		}
		seen[it] = i
	}
	return nil
}

// CheckUniqueJSON checks uniqueItems for items without Go equality (structs
// holding slices, maps, raw JSON) by comparing their JSON encodings. Generated
// types encode properties in a fixed order, so equal values encode equally;
// raw JSON is compared after compaction, so objects that differ only in key
// order are taken as distinct.
func CheckUniqueJSON[T any](items []T) error {
	if len(items) < 2 {
		return nil
	}
	seen := make(map[string]int, len(items))
	var buf bytes.Buffer
	for i := range items {
		b, err := json.Marshal(items[i])
		if err != nil {
			return WrapIndex(err, i)
		}
		buf.Reset()
		if err := json.Compact(&buf, b); err != nil {
			return WrapIndex(err, i)
		}
		k := buf.String()
		if j, ok := seen[k]; ok {
			return Errorf("items %d and %d are equal; uniqueItems requires distinct items", j, i)
		}
		seen[k] = i
	}
	return nil
}
