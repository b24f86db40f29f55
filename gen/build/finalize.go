package build

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/gen/naming"
)

// owner is who holds a package-level name.
type owner struct {
	file  *ir.File
	place string
}

// pkgScope is the package-level names being claimed while names are fixed.
type pkgScope struct {
	b     *builder
	taken map[string]owner
	// phantom holds per file the names of its top-level definitions: every
	// one holds its name in that file even when nothing refers to it, so
	// which definitions other schemas happen to reach never changes the
	// names of a file's types.
	phantom map[*ir.File]map[string]string
}

// available reports whether candidate c is free for a declaration of file f
// (id is the Named's ID, "" for other identifiers; prio its naming priority).
func (ps *pkgScope) available(f *ir.File, id string, prio int, c string) bool {
	_, held := ps.taken[c]
	ph := ps.phantom[f][c]
	return !held && (ph == "" || ph == id || prio < prioDefinition)
}

// claim takes the first free candidate for a declaration of file f (id is
// the Named's ID, "" for other identifiers; prio its naming priority: roots
// and x-go-name win over definitions). A candidate held by another file is
// an error naming both places, never a reason to pick another name: names
// must not depend on the other schemas.
func (ps *pkgScope) claim(f *ir.File, id string, prio int, place string, loc ir.Loc, candidates ...string) string {
	b := ps.b
	for i, c := range candidates {
		prev, ok := ps.taken[c]
		if ok && prev.file != nil && prev.file != f {
			b.errs = append(b.errs, locErr(loc, fmt.Sprintf("Go name %q is also declared for %s; set x-go-name on one of them", c, prev.place)))
			return c
		}
		if ph := ps.phantom[f][c]; !ok && (ph == "" || ph == id || prio < prioDefinition) {
			ps.taken[c] = owner{file: f, place: place}
			return c
		}
		if ok && prev.file == nil && i == len(candidates)-1 {
			b.errs = append(b.errs, locErr(loc, fmt.Sprintf("Go name %q is reserved for %s; set x-go-name", c, prev.place)))
			return c
		}
	}
	last := candidates[len(candidates)-1]
	b.errs = append(b.errs, locErr(loc, fmt.Sprintf("no free Go name among %q for %s; set x-go-name", candidates, place)))
	return last
}

// finalize fixes names (resolving collisions deterministically), fills
// references, writes doc comments, marks fields that need a pointer to
// break a cycle and orders each file's declarations.
func (b *builder) finalize() {
	b.flattenUnions()
	b.nameByTag()
	ps := &pkgScope{b: b, taken: map[string]owner{}, phantom: map[*ir.File]map[string]string{}}
	for _, r := range naming.ReservedTypeNames() {
		ps.taken[r] = owner{place: "generated code"}
	}
	files := slices.Clone(b.fileList)
	slices.SortFunc(files, func(a, c *ir.File) int { return strings.Compare(a.Path, c.Path) })
	byFile := map[*ir.File][]*ir.Named{}
	for _, n := range b.order {
		m := b.meta[n]
		byFile[m.file] = append(byFile[m.file], n)
	}
	for d, f := range b.files {
		ps.phantom[f] = b.definitionNames(d)
	}
	for _, f := range files {
		ns := byFile[f]
		b.nameTypes(ps, f, ns)
		b.nameMembers(ps, f, ns)
	}
	b.claimClientNames(ps, files)
	b.checkRuntimeMethods(files)
	for _, r := range b.refs {
		r.Name = r.Target.Name
	}
	b.writeDocs()
	b.markIndirect()
	b.orderDecls()
}

// nameTypes names the declarations ns of file f: by priority, then ID, each
// takes its raw name, else that name plus "Type", else a numbered one.
func (b *builder) nameTypes(ps *pkgScope, f *ir.File, ns []*ir.Named) {
	slices.SortStableFunc(ns, func(a, c *ir.Named) int {
		ma, mc := b.meta[a], b.meta[c]
		if ma.priority != mc.priority {
			return ma.priority - mc.priority
		}
		return strings.Compare(a.ID, c.ID)
	})
	for _, n := range ns {
		m := b.meta[n]
		cands := []string{m.rawName}
		if m.priority != prioExplicit {
			cands = append(cands, m.rawName+"Type")
			// Numbered names only when both are held (built lazily:
			// most names are free).
			if !ps.available(f, n.ID, m.priority, cands[0]) && !ps.available(f, n.ID, m.priority, cands[1]) {
				for i := 2; i <= 99; i++ {
					if c := m.rawName + strconv.Itoa(i); ps.available(f, n.ID, m.priority, c) || i == 99 {
						cands = append(cands, c)
						break
					}
				}
			}
		}
		holder := ""
		if prev, ok := ps.taken[cands[0]]; ok {
			holder = prev.place
		} else if ph := ps.phantom[f][cands[0]]; ph != "" && ph != n.ID {
			holder = "the definition " + ph
		}
		n.Name = ps.claim(f, n.ID, m.priority, n.Loc.String(), n.Loc, cands...)
		if n.Name != cands[0] && holder != "" {
			b.warnTypeRename(n, cands[0], holder)
		}
	}
}

// nameMembers names what is declared with the types ns of file f: a
// union's Match helper and variant types, an enum's constants.
func (b *builder) nameMembers(ps *pkgScope, f *ir.File, ns []*ir.Named) {
	for _, n := range ns {
		switch t := n.Type.(type) {
		case *ir.Union:
			ps.claim(f, "", prioDerived, "the matching helper of "+n.Name, n.Loc, unionHelpers(n.Name).match)
			for _, v := range t.Variants {
				if target := implementer(v.Type); target != nil {
					v.Name = target.Name
					continue
				}
				base := n.Name + v.Name
				v.Name = ps.claim(f, "", prioDerived, v.Loc.String(), v.Loc, base, base+"Variant", base+"Variant2")
				v.Doc = docLines(fmt.Sprintf("%s is a variant of %s.", v.Name, n.Name), "", strings.Join(v.Doc, "\n"), false)
			}
		case *ir.Enum:
			for i := range t.Values {
				ev := &t.Values[i]
				base := n.Name + b.cfg.Namer.Value(ev.JSON)
				ev.Name = ps.claim(f, "", prioDerived, fmt.Sprintf("value %s of %s", ev.JSON, n.Name), n.Loc,
					base, base+"Value", n.Name+"Value"+strconv.Itoa(i))
				ev.Doc = sanitize(fmt.Sprintf("%s is the value %s.", ev.Name, ev.JSON))
			}
		}
	}
}

// claimClientNames claims the names the typed client declares per aspect
// and refuses a method two roots would both get (Publish+DerivedFoo and
// PublishDerived+Foo).
func (b *builder) claimClientNames(ps *pkgScope, files []*ir.File) {
	methods := map[string]*ir.File{}
	for _, f := range files {
		if f.Root == nil {
			continue
		}
		for _, n := range naming.AspectNames(f.Root.Name) {
			ps.claim(f, "", prioRoot, "the aspect constants of "+f.Display, ir.Loc{File: f.Display}, n)
		}
		for _, prefix := range naming.AspectMethodPrefixes() {
			m := prefix + f.Root.Name
			if other, ok := methods[m]; ok && other != f {
				b.errs = append(b.errs, locErr(ir.Loc{File: f.Display}, fmt.Sprintf(
					"client method %q would be generated for both this aspect (root type %s) and %s (root type %s); set x-go-name on one root",
					m, f.Root.Name, other.Display, other.Root.Name)))
			}
			methods[m] = f
		}
	}
}

// writeDocs writes each declaration's doc comment and refuses a union left
// without variants.
func (b *builder) writeDocs() {
	for _, n := range b.order {
		m := b.meta[n]
		// The declaration is in the file generated from m.file, whose
		// "// source:" header names the schema file: the pointer suffices.
		what := "the schema at #" + m.ptr
		if m.ptr == "" {
			what = "the root of " + m.file.Source
		}
		n.Doc = docLines(fmt.Sprintf("%s corresponds to %s.", n.Name, what), m.title, m.desc, m.deprec)
		if u, ok := n.Type.(*ir.Union); ok && len(u.Variants) == 0 {
			b.errs = append(b.errs, locErr(n.Loc, "union has no variant besides null"))
		}
	}
}

// orderDecls orders each file's declarations by where their schemas are
// written.
func (b *builder) orderDecls() {
	for _, f := range b.fileList {
		slices.SortStableFunc(f.Types, func(a, c *ir.Named) int {
			if a.Loc.Line != c.Loc.Line {
				return a.Loc.Line - c.Loc.Line
			}
			if a.Loc.Col != c.Loc.Col {
				return a.Loc.Col - c.Loc.Col
			}
			return strings.Compare(a.ID, c.ID)
		})
	}
}

func locErr(l ir.Loc, msg string) *load.Error {
	return &load.Error{File: l.File, Pos: load.Pos{Line: l.Line, Col: l.Col}, Pointer: l.Pointer, Msg: msg}
}

// markIndirect puts a field behind a pointer when its type contains the
// struct that declares it by value (directly or through other structs).
func (b *builder) markIndirect() {
	// Tarjan's strongly connected components over by-value containment.
	index := map[*ir.Named]int{}
	low := map[*ir.Named]int{}
	onStack := map[*ir.Named]bool{}
	comp := map[*ir.Named]int{}
	var stack []*ir.Named
	next, ncomp := 0, 0
	var strong func(n *ir.Named)
	strong = func(n *ir.Named) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		onStack[n] = true
		for _, m := range valueEdges(n) {
			if _, seen := index[m]; !seen {
				strong(m)
				low[n] = min(low[n], low[m])
			} else if onStack[m] {
				low[n] = min(low[n], index[m])
			}
		}
		if low[n] == index[n] {
			for {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[top] = false
				comp[top] = ncomp
				if top == n {
					break
				}
			}
			ncomp++
		}
	}
	for _, n := range b.order {
		if _, seen := index[n]; !seen {
			strong(n)
		}
	}
	for _, n := range b.order {
		var fields []*ir.Field
		switch t := n.Type.(type) {
		case *ir.Struct:
			fields = t.Fields
		case *ir.Tuple:
			fields = t.Items
		case *ir.Ref:
			if comp[t.Target] == comp[n] {
				b.errs = append(b.errs, locErr(n.Loc, fmt.Sprintf("type %s is defined as itself through $ref: unrepresentable cycle", n.Name)))
			}
		}
		for _, f := range fields {
			if r, ok := f.Type.(*ir.Ref); ok && comp[r.Target] == comp[n] {
				f.Indirect = true
			}
		}
	}
}

// valueEdges lists the Named types n holds by value.
func valueEdges(n *ir.Named) []*ir.Named {
	var out []*ir.Named
	var fields []*ir.Field
	switch t := n.Type.(type) {
	case *ir.Struct:
		fields = t.Fields
	case *ir.Tuple:
		fields = t.Items
	case *ir.Ref:
		out = append(out, t.Target)
	}
	for _, f := range fields {
		if r, ok := f.Type.(*ir.Ref); ok {
			out = append(out, r.Target)
		}
	}
	return out
}

// flattenUnions replaces a variant whose type is another union with that
// union's variants (a oneOf of oneOfs is one choice among all of them), then
// re-derives the strategy: by JSON kind when the kinds are disjoint, else
// trying each variant.
func (b *builder) flattenUnions() {
	done := map[*ir.Named]bool{}
	var flatten func(n *ir.Named, active map[*ir.Named]bool)
	flatten = func(n *ir.Named, active map[*ir.Named]bool) {
		u, ok := n.Type.(*ir.Union)
		if !ok || done[n] {
			return
		}
		active[n] = true
		defer delete(active, n)
		var out []*ir.Variant
		changed, flattened := false, false
		seen := map[*ir.Named]bool{}
		add := func(v *ir.Variant) {
			// A type that implements the union itself can be a variant
			// only once (reached directly and through a nested union).
			if t := implementer(v.Type); t != nil {
				if seen[t] {
					changed = true
					return
				}
				seen[t] = true
			}
			out = append(out, v)
		}
		for _, v := range u.Variants {
			r, ok := v.Type.(*ir.Ref)
			if ok && active[r.Target] {
				// The union (or one enclosing it) as its own variant adds
				// no value it does not already have.
				changed = true
				continue
			}
			if !ok {
				add(v)
				continue
			}
			if _, isUnion := r.Target.Type.(*ir.Union); !isUnion {
				add(v)
				continue
			}
			flatten(r.Target, active)
			inner := r.Target.Type.(*ir.Union)
			for _, iv := range inner.Variants {
				c := *iv
				add(&c)
			}
			changed, flattened = true, true
		}
		done[n] = true
		if !changed {
			return
		}
		u.Variants = out
		if !flattened {
			return // variants only dropped: the strategy still holds
		}
		var kinds ir.JSONKind
		disjoint := true
		for _, v := range out {
			if v.Kinds == 0 || kinds&v.Kinds != 0 {
				disjoint = false
			}
			kinds |= v.Kinds
		}
		u.Strategy, u.Discriminator = ir.TryEach, ""
		if disjoint {
			u.Strategy = ir.ByKind
		}
		for _, v := range out {
			v.Tag, v.Marker = "", ""
		}
	}
	for _, n := range b.order {
		flatten(n, map[*ir.Named]bool{})
	}
}

// nameByTag renames variants that only had a positional name ("Variant2",
// "Object3") after their discriminator value when the union has one:
// {"codec": "json"} becomes <Union>JSON.
func (b *builder) nameByTag() {
	for _, n := range b.order {
		u, ok := n.Type.(*ir.Union)
		if !ok || u.Strategy != ir.ByDiscriminator {
			continue
		}
		owner := b.meta[n]
		names := map[string]bool{}
		next := make([]string, len(u.Variants))
		for i, v := range u.Variants {
			next[i] = v.Name
			if b.weakVariant[v.Loc.File+"#"+v.Loc.Pointer] || positional(v.Name) {
				next[i] = b.cfg.Namer.Value(v.Tag)
			}
			if names[next[i]] || next[i] == "" {
				next = nil
				break
			}
			names[next[i]] = true
		}
		if next == nil {
			continue
		}
		for i, v := range u.Variants {
			if next[i] == v.Name {
				continue
			}
			if r, ok := v.Type.(*ir.Ref); ok {
				if m := b.meta[r.Target]; m.priority == prioDerived && m.rawName == owner.rawName+v.Name {
					m.rawName = owner.rawName + next[i]
				}
			}
			v.Name = next[i]
		}
	}
}

// positional reports a variant name made from its position: "Variant3", or
// a kind followed by its index ("Object2").
func positional(name string) bool {
	stem := strings.TrimRight(name, "0123456789")
	if stem == name {
		return false
	}
	switch stem {
	case "Variant", "Object", "Array", "String", "Number", "Int", "Bool", "Enum", "Const":
		return true
	}
	return false
}

// definitionNames returns the names of a document's top-level definitions
// ("$defs", "definitions"), each mapped to its ID; the first by author order
// holds a name two definitions would share.
func (b *builder) definitionNames(d *load.Doc) map[string]string {
	out := map[string]string{}
	for _, kw := range []string{"$defs", "definitions"} {
		for _, k := range d.Index.Keys("/" + kw) {
			ptr := "/" + kw + "/" + escape(k)
			name := ""
			if obj := valueAt(d, ptr); obj != nil {
				if n, ok := obj["x-go-name"].(string); ok && naming.IsExportedIdent(n) {
					name = n
				}
			}
			if name == "" {
				n, err := b.cfg.Namer.Exported(k)
				if err != nil {
					continue // reported if the definition is ever used
				}
				name = n
			}
			if _, ok := out[name]; !ok {
				out[name] = d.Path + "#" + ptr
			}
		}
	}
	return out
}
