package gen

import (
	"errors"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// render turns the IR into files. The emitter is not wired yet.
func render(p *ir.Package) (Files, error) {
	return nil, errors.New("generate: the emitter is not available yet")
}
