// JSON kinds: which kinds of JSON value a schema admits, as the build
// stage infers them from type, enum, const, variants and keywords.

package build

import (
	"fmt"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// kset is a set of JSON kinds; integer and number are kept apart.
type kset uint8

const (
	kNull kset = 1 << iota
	kBool
	kInt
	kNum
	kStr
	kArr
	kObj
	kAll = kNull | kBool | kInt | kNum | kStr | kArr | kObj
)

func ksetOf(types []string) kset {
	var k kset
	for _, t := range types {
		switch t {
		case "null":
			k |= kNull
		case "boolean":
			k |= kBool
		case "integer":
			k |= kInt
		case "number":
			k |= kNum | kInt
		case "string":
			k |= kStr
		case "array":
			k |= kArr
		case "object":
			k |= kObj
		}
	}
	return k
}

func kindOfValue(v any) kset {
	switch v := v.(type) {
	case nil:
		return kNull
	case bool:
		return kBool
	case string:
		return kStr
	case []any:
		return kArr
	case map[string]any:
		return kObj
	default:
		if isIntegerText(fmt.Sprint(v)) {
			return kInt
		}
		return kNum
	}
}

func isIntegerText(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// kinds returns the JSON kinds a schema admits, from "type", enum, const,
// $ref, allOf or the keywords that imply an object or array; kAll when
// nothing restricts it.
func (b *builder) kinds(s *jsonschema.Schema, depth int) kset {
	k, _ := b.kindsX(s, depth)
	return k
}

// kindInfo is a memoized kind set and whether a keyword asserts it.
type kindInfo struct {
	k        kset
	explicit bool
}

// kindsX returns the kinds and whether they are asserted ("type", enum,
// const, or asserted by every variant) rather than guessed from object or
// array keywords. A guess yields to any asserted kinds: {"$ref": X, "type":
// ["boolean", "object"]} with X only holding "properties" admits booleans.
func (b *builder) kindsX(s *jsonschema.Schema, depth int) (kset, bool) {
	if ki, ok := b.kindMem[s]; ok {
		return ki.k, ki.explicit
	}
	b.kindMem[s] = kindInfo{k: kAll} // a schema reached again through itself adds no restriction
	k, explicit := b.kindsOnce(s, depth)
	b.kindMem[s] = kindInfo{k: k, explicit: explicit}
	return k, explicit
}

func (b *builder) kindsOnce(s *jsonschema.Schema, depth int) (kset, bool) {
	if depth > 64 {
		return kAll, false
	}
	if s.Bool != nil {
		if *s.Bool {
			return kAll, true
		}
		return 0, true
	}
	k, explicit := kAll, false
	guess, guessed := kAll, false
	assert := func(a kset) {
		k &= a
		explicit = true
	}
	if s.Types != nil {
		assert(ksetOf(s.Types.ToStrings()))
	}
	if s.Enum != nil {
		var e kset
		for _, v := range s.Enum.Values {
			e |= kindOfValue(v)
		}
		assert(e | widenInt(e))
	}
	if s.Const != nil {
		c := kindOfValue(*s.Const)
		assert(c | widenInt(c))
	}
	sub := func(x *jsonschema.Schema) {
		xk, xe := b.kindsX(x, depth+1)
		if xe {
			assert(xk)
		} else if xk != kAll {
			guess &= xk
			guessed = true
		}
	}
	if hasRef(s) {
		sub(refTarget(s))
	}
	for _, a := range s.AllOf {
		sub(a)
	}
	if vs := typedVariants(s); len(vs) > 0 {
		var u kset
		all := true
		for _, v := range vs {
			vk, ve := b.kindsX(v, depth+1)
			u |= vk
			all = all && ve
		}
		if all {
			assert(u)
		} else if u != kAll {
			guess &= u
			guessed = true
		}
	}
	// Declared properties make a schema read as an object. Keywords that
	// only constrain members (additionalProperties, items) make no guess:
	// without a type such a value may be of any kind (see residualOf).
	if len(s.Properties) > 0 {
		guess &= kObj
		guessed = true
	}
	if explicit {
		return k, true
	}
	if guessed && guess != 0 {
		return guess, false
	}
	return kAll, false
}

// widenInt makes an integer enum value acceptable to a number type.
func widenInt(k kset) kset {
	if k&kInt != 0 {
		return kNum
	}
	return 0
}

// nonNull returns the kinds without null, with integer folded into number
// when both are present.
func nonNull(k kset) kset {
	k &^= kNull
	if k&kNum != 0 {
		k &^= kInt
	}
	return k
}

func countKinds(k kset) int {
	n := 0
	for k != 0 {
		n += int(k & 1)
		k >>= 1
	}
	return n
}

func kindSuffix(k kset) string {
	switch k {
	case kBool:
		return "Bool"
	case kInt:
		return "Int"
	case kNum:
		return "Number"
	case kStr:
		return "String"
	case kArr:
		return "Array"
	case kObj:
		return "Object"
	case kNull:
		return "Null"
	}
	return "Value"
}

func jsonKinds(k kset) ir.JSONKind {
	var j ir.JSONKind
	if k&kNull != 0 {
		j |= ir.JSONNull
	}
	if k&kBool != 0 {
		j |= ir.JSONBool
	}
	if k&(kInt|kNum) != 0 {
		j |= ir.JSONNumber
	}
	if k&kStr != 0 {
		j |= ir.JSONString
	}
	if k&kArr != 0 {
		j |= ir.JSONArray
	}
	if k&kObj != 0 {
		j |= ir.JSONObject
	}
	return j
}
