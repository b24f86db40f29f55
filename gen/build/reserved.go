package build

import (
	"fmt"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// checkRuntimeMethods refuses an aspect whose typed Client or Subscription
// method would hide a method of the embedded runtime type (an aspect "error"
// would make Subscription.OnError a typed registration, hiding the runtime's
// OnError(func(error))). Renaming silently would give the aspect a method
// name nobody can guess, so the error names both methods and asks for
// x-go-name on the root, which names the aspect's type and so its methods.
func (b *builder) checkRuntimeMethods(files []*ir.File) {
	for _, f := range files {
		if f.Root == nil || f.Aspect == "" {
			continue
		}
		for _, h := range naming.HiddenRuntimeMethods(f.Root.Name) {
			loc := f.Root.Loc
			if loc.File == "" {
				loc = ir.Loc{File: f.Display}
			}
			b.errs = append(b.errs, locErr(loc, fmt.Sprintf(
				"aspect %q: the typed method %s would hide the runtime's %s; set x-go-name on the schema's root to rename its type %s (e.g. %q)",
				f.Aspect, h.Generated, h.Runtime, f.Root.Name, f.Root.Name+"Event")))
		}
	}
}
