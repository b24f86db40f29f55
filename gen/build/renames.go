package build

import (
	"fmt"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// warnAt records a warning at a place.
func (b *builder) warnAt(l ir.Loc, msg string) {
	b.warns = append(b.warns, &load.Error{File: l.File, Pos: load.Pos{Line: l.Line, Col: l.Col}, Pointer: l.Pointer, Msg: msg})
}

// warnFieldRename reports a struct field that could not take its natural
// name because another property (or a generated method) holds it.
func (b *builder) warnFieldRename(d *load.Doc, ptr, jsonName, natural, got string, scope *naming.Scope) {
	holder, _ := scope.Owner(natural)
	if holder == "" {
		holder = "a method of the generated type"
	}
	b.warnAt(b.loc(d, ptr), fmt.Sprintf("property %q is the field %s: %s is taken by %s; set x-go-name to choose",
		jsonName, got, natural, holder))
}

// warnTypeRename reports a type that could not take its natural name.
func (b *builder) warnTypeRename(n *ir.Named, natural, holder string) {
	b.warnAt(n.Loc, fmt.Sprintf("type named %s: %s is taken by %s; set x-go-name to choose",
		n.Name, natural, holder))
}
