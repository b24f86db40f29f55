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

// buildType builds the code of one named type. It is where rendering a type
// starts, so a broken model met on the way (a panic with an internalError)
// becomes the type's error here.
func buildType(n *ir.Named, refs map[string]string) (out builtType) {
	defer recoverInternal(&out.err, "")
	g := &typeGen{named: n, refs: refs}
	out.code, out.hasMethods = g.named_()
	out.patterns = g.patterns
	return out
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
				out[i] = buildType(types[i], refs)
			}
		}()
	}
	wg.Wait()
	return out
}
