// x-go-type: a Go type named by the schema author instead of a generated one.

package build

import (
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// goType returns the x-go-type override written on s, reporting a malformed one.
func (b *builder) goType(s *jsonschema.Schema) *ir.External {
	if s.Bool != nil {
		return nil
	}
	gt := b.extString(s, "x-go-type")
	if gt == "" {
		return nil
	}
	ext, ok := parseGoType(gt)
	if !ok {
		if d, ptr, found := b.where(s); found {
			b.errorf(d, ptr+"/x-go-type", "x-go-type %q is not a Go type name like \"time.Duration\" or \"example.com/pkg.Type\"", gt)
		}
		return nil
	}
	return ext
}
