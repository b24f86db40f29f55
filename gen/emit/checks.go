package emit

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// patternVar returns the package-level variable holding a compiled pattern,
// declaring it on first use. Names are derived from the owning named type
// (pattern<i><Type>), so they cannot collide across types or files.
func (g *typeGen) patternVar(p *ir.Pattern) string {
	for _, d := range g.patterns {
		if d.src == p.Source {
			return d.name
		}
	}
	name := "pattern" + strconv.Itoa(len(g.patterns)) + g.named.Name
	g.patterns = append(g.patterns, patternDecl{name: name, src: p.Source})
	return name
}

type patternDecl struct{ name, src string }

func isIntKind(k ir.Kind) bool {
	return k == ir.KindInt64 || k == ir.KindInt32 || k == ir.KindUint64
}

func isNumKind(k ir.Kind) bool {
	return isIntKind(k) || k == ir.KindFloat64 || k == ir.KindFloat32
}

func isStringKind(k ir.Kind) bool {
	switch k {
	case ir.KindString, ir.KindDateTime, ir.KindDate, ir.KindUUID, ir.KindURI, ir.KindBytes:
		return true
	}
	return false
}

// numLit renders a schema number (exact decimal text) for comparison with a
// value of kind k. It returns the value expression to compare (converted to
// float64 when the bound does not fit the kind) and the bound literal.
func numLit(k ir.Kind, text string, x jen.Code) (jen.Code, jen.Code) {
	if !isJSONNumber(text) {
		panic(broken("bound %q is not a number in float64's range", text))
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		panic(broken("bound %q is not a number", text))
	}
	lit := jen.Op(text)
	if r.Sign() < 0 {
		lit = jen.Parens(jen.Op(text))
	}
	if isIntKind(k) {
		fits := r.IsInt()
		if fits {
			n := r.Num()
			switch k {
			case ir.KindInt64:
				fits = n.IsInt64()
			case ir.KindInt32:
				fits = n.IsInt64() && n.Int64() >= -1<<31 && n.Int64() < 1<<31
			case ir.KindUint64:
				fits = n.IsUint64()
			}
		}
		if !fits {
			return jen.Float64().Call(x), lit
		}
	}
	return x, lit
}

// scalarChecks returns the check calls (each an error expression) for a
// scalar value x of kind k.
func (g *typeGen) scalarChecks(k ir.Kind, c ir.Constraints, x expr) []jen.Code {
	var out []jen.Code
	if isStringKind(k) {
		s := x
		if k != ir.KindString {
			s = func() *jen.Statement { return x().Dot("String").Call() }
		}
		if c.MinLength >= 0 {
			out = append(out, qp("CheckMinLength").Call(s(), jen.Lit(c.MinLength)))
		}
		if c.MaxLength >= 0 {
			out = append(out, qp("CheckMaxLength").Call(s(), jen.Lit(c.MaxLength)))
		}
		if c.Pattern != nil {
			out = append(out, jen.Id(g.patternVar(c.Pattern)).Dot("Check").Call(s()))
		}
	}
	if isNumKind(k) {
		for _, b := range []struct{ text, fn string }{
			{c.Minimum, "CheckMinimum"}, {c.Maximum, "CheckMaximum"},
			{c.ExclusiveMinimum, "CheckExclusiveMinimum"}, {c.ExclusiveMaximum, "CheckExclusiveMaximum"},
		} {
			if b.text == "" {
				continue
			}
			v, lit := numLit(k, b.text, x())
			out = append(out, qp(b.fn).Call(v, lit))
		}
		if c.MultipleOf != "" {
			if !isJSONNumber(c.MultipleOf) {
				panic(broken("multipleOf %q is not a number in float64's range", c.MultipleOf))
			}
			r, ok := new(big.Rat).SetString(c.MultipleOf)
			if !ok || r.Sign() <= 0 {
				panic(broken("multipleOf %q is not a positive number", c.MultipleOf))
			}
			v, lit := numLit(k, c.MultipleOf, x())
			if isIntKind(k) && r.IsInt() {
				out = append(out, qp("CheckMultipleOfInt").Call(v, lit))
			} else {
				out = append(out, qp("CheckMultipleOf").Call(x(), lit))
			}
		}
	}
	return out
}

// comparable reports whether values of t can be compared with == for
// uniqueItems (and mean the same JSON value when equal).
func comparable(t ir.Type) bool {
	switch t := t.(type) {
	case *ir.Primitive:
		switch t.Kind {
		case ir.KindString, ir.KindBool, ir.KindInt64, ir.KindInt32, ir.KindUint64,
			ir.KindFloat64, ir.KindFloat32, ir.KindUUID, ir.KindURI, ir.KindDate:
			return true
		}
	case *ir.Enum:
		return t.Kind != ir.KindAny
	case *ir.Ref:
		n := t.Target.Final()
		if n == nil {
			return false
		}
		switch n.Type.(type) {
		case *ir.Primitive, *ir.Enum:
			return comparable(n.Type)
		}
	}
	return false
}

// countChecks returns the check calls for array and object sizes.
func countChecks(c ir.Constraints, n jen.Code, items bool) []jen.Code {
	var out []jen.Code
	lo, hi, fmin, fmax := c.MinProperties, c.MaxProperties, "CheckMinProperties", "CheckMaxProperties"
	if items {
		lo, hi, fmin, fmax = c.MinItems, c.MaxItems, "CheckMinItems", "CheckMaxItems"
	}
	if lo >= 0 {
		out = append(out, qp(fmin).Call(n, jen.Lit(lo)))
	}
	if hi >= 0 {
		out = append(out, qp(fmax).Call(n, jen.Lit(hi)))
	}
	return out
}

// jsonString decodes a JSON string literal (from an enum or const) into the
// Go string it denotes.
func jsonString(text string) string {
	var s string
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		panic(broken("%s is not a JSON string: %v", text, err))
	}
	return s
}

// scalarLit renders a JSON scalar (enum value, const) as a Go constant of
// kind k: strings are re-quoted for Go, numbers and booleans are valid Go
// as written.
func scalarLit(k ir.Kind, text string) jen.Code {
	switch {
	case k == ir.KindString:
		s := jsonString(text)
		return jen.Lit(s)
	case k == ir.KindBool:
		if text != "true" && text != "false" {
			panic(broken("%s is not a boolean", text))
		}
		return jen.Id(text)
	case isNumKind(k):
		if !isJSONNumber(text) {
			panic(broken("%s is not a number", text))
		}
		return jen.Op(text)
	}
	// Mixed kinds are held as compact JSON text.
	return jen.Lit(text)
}

// jsonLits returns the JSON texts of enum values as Go string literals, for
// error messages.
func jsonLits(vals []ir.EnumValue) []jen.Code {
	out := make([]jen.Code, len(vals))
	for i, v := range vals {
		out[i] = jen.Lit(v.JSON)
	}
	return out
}

// isJSONNumber reports whether text is a JSON number (RFC 8259), which is
// also a valid Go literal: numbers from the schema are written into the
// output as they are, so nothing else may pass.
func isJSONNumber(text string) bool {
	i := 0
	if i < len(text) && text[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && text[start] == '0') {
		return false
	}
	if i < len(text) && text[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		i++
		if i < len(text) && (text[i] == '+' || text[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	if i != len(text) {
		return false
	}
	// Exact arithmetic on the number must stay cheap, and the Go constant
	// it becomes must be representable: the exponent stays within float64's.
	if e := strings.IndexAny(text, "eE"); e >= 0 {
		n, err := strconv.Atoi(strings.TrimPrefix(text[e+1:], "+"))
		if err != nil || n > 308 || n < -324 {
			return false
		}
	}
	return true
}
