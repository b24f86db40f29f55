package emit

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/dave/jennifer/jen"

	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// builtType is the code of one named type and what its file needs besides.
type builtType struct {
	code       []jen.Code
	hasMethods bool
	patterns   []patternDecl
	err        error
}

// buildTypes builds the code of every type in parallel: each type's code
// depends only on the model, which is read and never changed; the file adds
// the results in the model's order.
func buildTypes(types []*ir.Named, refs map[string]string) []builtType {
	out := make([]builtType, len(types))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(types)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(types) {
					return
				}
				g := &typeGen{named: types[i], refs: refs}
				code, hasMethods, err := g.named_()
				out[i] = builtType{code: code, hasMethods: hasMethods, patterns: g.patterns, err: err}
			}
		}()
	}
	wg.Wait()
	return out
}
