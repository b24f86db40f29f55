package schema

import (
	"encoding/json"
	"math"
	"math/big"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/runtime/parsec"
)

// The rule for "format", the same in generated decoders and here:
//
//   - The formats generated code gives a Go type (date-time, date, uuid,
//     uri, byte, int32, uint64, float) are assertions in every draft, checked
//     by the parsers of package parsec, so a value the validator accepts
//     always decodes.
//   - Every other format the validator knows (email, hostname, ipv4, ipv6,
//     regex, time, duration, uri-reference, json-pointer, ...) is an
//     assertion in draft-04, -06 and -07 and an annotation in 2019-09 and
//     2020-12, as those drafts say; generated decoders check them through
//     the schema where they are assertions.
//   - WithFormatAssertion (the generator's --assert-formats) makes every
//     known format an assertion in every draft.
//
// Unknown formats are annotations everywhere.

// typedFormats check the formats generated code gives a Go type.
var typedFormats = map[string]func(any) error{
	"date-time": text(func(s string) error { _, err := parsec.ParseDateTime(s); return err }),
	"date":      text(func(s string) error { _, err := parsec.ParseDate(s); return err }),
	"uuid":      text(func(s string) error { _, err := parsec.ParseUUID(s); return err }),
	"uri":       text(func(s string) error { _, err := parsec.ParseURI(s); return err }),
	"byte":      text(func(s string) error { _, err := parsec.ParseBytes(s); return err }),
	"int32":     integer(big.NewInt(math.MinInt32), big.NewInt(math.MaxInt32)),
	"uint64":    integer(big.NewInt(0), new(big.Int).SetUint64(math.MaxUint64)),
	"float": number(func(r *big.Rat) bool {
		f, _ := r.Float64()
		return math.Abs(f) <= math.MaxFloat32
	}, "does not fit float32"),
}

func text(check func(string) error) func(any) error {
	return func(v any) error {
		if s, ok := v.(string); ok {
			return check(s)
		}
		return nil
	}
}

func number(ok func(*big.Rat) bool, msg string) func(any) error {
	return func(v any) error {
		n, isNum := v.(json.Number)
		if !isNum {
			return nil
		}
		r, valid := new(big.Rat).SetString(string(n))
		if !valid || hugeExponent(string(n)) || !ok(r) {
			return &parsec.ValidationError{Message: "number " + string(n) + " " + msg}
		}
		return nil
	}
}

func integer(lo, hi *big.Int) func(any) error {
	return number(func(r *big.Rat) bool {
		return r.IsInt() && r.Num().Cmp(lo) >= 0 && r.Num().Cmp(hi) <= 0
	}, "is not an integer in ["+lo.String()+", "+hi.String()+"]")
}

// hugeExponent reports a number whose exponent big.Rat would expand into
// an enormous integer; such a number fits no fixed-size type.
func hugeExponent(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	e := strings.TrimLeft(s[i+1:], "+-")
	return len(e) > 3
}

// registerFormats makes format an assertion and installs the typed formats'
// checks; stripAnnotationFormats then leaves out the formats that are
// annotations in a document's draft.
func registerFormats(c *jsonschema.Compiler) {
	c.AssertFormat()
	for name, check := range typedFormats {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: check})
	}
}

// stripAnnotationFormats removes, from a document of draft 2019-09 or
// later (or without "$schema", read as 2020-12), every "format" that is an
// annotation there: all but the typed formats.
func stripAnnotationFormats(doc any) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return
	}
	if meta, ok := obj["$schema"].(string); ok && !strings.Contains(meta, "json-schema.org/draft/") {
		return // draft-04 to -07: format asserts
	}
	var walk func(v any, isSchema bool, depth int)
	walk = func(v any, isSchema bool, depth int) {
		if depth > 10000 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				switch {
				case !isSchema:
					walk(c, false, depth+1)
				case k == "format":
					if f, ok := c.(string); ok && typedFormats[f] == nil {
						delete(v, k)
					}
				case dataKeywords[k] || strings.HasPrefix(k, "x-"):
				case schemaMapKeywords[k]:
					if m, ok := c.(map[string]any); ok {
						for _, sub := range m {
							walk(sub, true, depth+1)
						}
					}
				default:
					walk(c, true, depth+1)
				}
			}
		case []any:
			for _, e := range v {
				walk(e, isSchema, depth+1)
			}
		}
	}
	walk(doc, true, 0)
}
