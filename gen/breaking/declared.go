package breaking

import (
	"sort"
	"strconv"

	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/internal/ecmaregex"
)

// match reports whether the ECMAScript pattern matches s; a pattern that
// does not compile matches nothing. Compiled patterns are kept per version.
func (v *Version) match(pattern, s string) bool {
	re, ok := v.patterns[pattern]
	if !ok {
		if r, err := ecmaregex.Compile(pattern); err == nil {
			re = r
		}
		v.patterns[pattern] = re
	}
	return re != nil && re.MatchString(s)
}

// undeclared returns the instance pointer of the first property of inst
// that the schemas ns do not declare, or "" and false when there is none.
//
// A property is declared when some schema that applies in place (through
// $ref, allOf, anyOf, oneOf, if/then/else) lists it in properties or
// matches it with patternProperties, or sets additionalProperties or
// unevaluatedProperties explicitly to anything but false. An object whose
// schemas declare no property at all ({"type": "object"}, {}) is free-form:
// all its content counts as declared.
func undeclared(v *Version, ns []node, inst any, ptr string) (string, bool) {
	all := flat(v, ns)
	switch x := inst.(type) {
	case map[string]any:
		explicit, _ := openness(all)
		freeForm := true
		for _, n := range all {
			m := n.obj()
			if _, ok := m["properties"]; ok {
				freeForm = false
			}
			if _, ok := m["patternProperties"]; ok {
				freeForm = false
			}
			if _, ok := m["additionalProperties"]; ok {
				freeForm = false
			}
			if _, ok := m["unevaluatedProperties"]; ok {
				freeForm = false
			}
		}
		if freeForm {
			return "", false
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, declared := propSchemas(all, k)
			p := ptr + "/" + load.EscapePointerToken(k)
			if !declared && !explicit {
				return p, true
			}
			if at, ok := undeclared(v, sub, x[k], p); ok {
				return at, true
			}
		}
	case []any:
		for i, e := range x {
			sub := itemSchemas(all, i)
			if at, ok := undeclared(v, sub, e, ptr+"/"+strconv.Itoa(i)); ok {
				return at, true
			}
		}
	}
	return "", false
}
