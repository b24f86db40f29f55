package emit_test

import (
	"github.com/parsec-gen/parsec-gen/gen/ir"
)

// kitchen is a model that uses every IR type, representation, union strategy
// and holder of undeclared properties at least once. Its output is committed
// in internal/kitchen, compiled and exercised there.
func kitchen() *ir.Package {
	nc := ir.NoConstraints
	const file = "kitchen.json"
	loc := func(ptr string) ir.Loc { return ir.Loc{File: file, Pointer: ptr} }
	prim := func(k ir.Kind) *ir.Primitive { return &ir.Primitive{Kind: k, Constraints: nc()} }
	f := func(name, json string, repr ir.Repr, t ir.Type) *ir.Field {
		return &ir.Field{Name: name, JSONName: json, Required: repr == ir.ReprPlain || repr == ir.ReprNullable, Repr: repr, Type: t,
			Doc: []string{name + ` corresponds to the JSON property "` + json + `".`}}
	}
	named := func(name string, t ir.Type) *ir.Named {
		return &ir.Named{Name: name, ID: file + "#/$defs/" + name, Loc: loc("/$defs/" + name), Type: t,
			Doc: []string{name + " is a test type; its doc has */ and a\u2028line separator and \x00 in it."}}
	}
	ref := func(n *ir.Named) *ir.Ref { return &ir.Ref{Name: n.Name, Target: n} }
	pat := func(src string) *ir.Pattern { return &ir.Pattern{Source: src, Loc: loc("/pattern")} }

	card := named("Card", &ir.Struct{Unknown: ir.UnknownReject, Constraints: nc(), Fields: []*ir.Field{
		f("Type", "type", ir.ReprPlain, &ir.Const{Kind: ir.KindString, JSON: `"card"`}),
		f("Number", "number", ir.ReprPlain, &ir.Primitive{Kind: ir.KindString, Constraints: func() ir.Constraints {
			c := nc()
			c.Pattern = pat(`^[0-9]{4}(-[0-9]{4}){3}$`)
			return c
		}()}),
	}})
	cash := named("Cash", &ir.Struct{Unknown: ir.UnknownReject, Constraints: nc(), Fields: []*ir.Field{
		f("Type", "type", ir.ReprPlain, &ir.Const{Kind: ir.KindString, JSON: `"cash"`}),
	}})
	payment := named("Payment", &ir.Union{OneOf: true, Strategy: ir.ByDiscriminator, Discriminator: "type", Variants: []*ir.Variant{
		{Name: "Card", Type: ref(card), Tag: `"card"`, Doc: []string{"Card pays by card."}},
		{Name: "Cash", Type: ref(cash), Tag: `"cash"`, Doc: []string{"Cash pays in cash."}},
	}})
	scalar := named("Scalar", &ir.Union{OneOf: true, Strategy: ir.ByKind, Variants: []*ir.Variant{
		{Name: "ScalarString", Type: prim(ir.KindString), Kinds: ir.JSONString, Doc: []string{"ScalarString is a string."}},
		{Name: "ScalarNumber", Type: prim(ir.KindFloat64), Kinds: ir.JSONNumber, Doc: []string{"ScalarNumber is a number."}},
		{Name: "ScalarList", Type: &ir.Array{Elem: prim(ir.KindString), Constraints: nc()}, Kinds: ir.JSONArray, Doc: []string{"ScalarList is a list."}},
	}})
	circle := named("Circle", &ir.Struct{Unknown: ir.UnknownReject, Constraints: nc(), Fields: []*ir.Field{
		f("Radius", "radius", ir.ReprPlain, prim(ir.KindFloat64)),
	}})
	square := named("Square", &ir.Struct{Unknown: ir.UnknownReject, Constraints: nc(), Fields: []*ir.Field{
		f("Side", "side", ir.ReprPlain, prim(ir.KindFloat64)),
	}})
	shape := named("Shape", &ir.Union{OneOf: true, Strategy: ir.TryEach, Variants: []*ir.Variant{
		{Name: "Circle", Type: ref(circle)}, {Name: "Square", Type: ref(square)},
	}})
	anyShape := named("AnyShape", &ir.Union{OneOf: false, Strategy: ir.ByRequired, Variants: []*ir.Variant{
		{Name: "AnyShapeCircle", Type: ref(circle), Marker: "radius"}, {Name: "AnyShapeSquare", Type: ref(square), Marker: "side"},
	}})
	mixed := named("Mixed", &ir.Enum{Kind: ir.KindAny, Values: []ir.EnumValue{
		{Name: "MixedA", JSON: `"a"`, Doc: []string{`MixedA is "a".`}},
		{Name: "MixedOne", JSON: `1`, Doc: []string{"MixedOne is 1."}},
		{Name: "MixedNull", JSON: `null`, Doc: []string{"MixedNull is null."}},
	}})
	color := named("Color", &ir.Enum{Kind: ir.KindString, Open: true, Values: []ir.EnumValue{
		{Name: "ColorRed", JSON: `"red"`}, {Name: "ColorSlash", JSON: `"a\/b\u00e9"`},
	}})
	level := named("Level", &ir.Enum{Kind: ir.KindInt64, Values: []ir.EnumValue{{Name: "LevelLow", JSON: "1"}, {Name: "LevelHigh", JSON: "3"}}})
	flag := named("Flag", &ir.Enum{Kind: ir.KindBool, Values: []ir.EnumValue{{Name: "FlagOn", JSON: "true"}}})
	version := named("Version", &ir.Const{Kind: ir.KindInt64, JSON: "2"})
	card.Residual = []ir.Residual{{Keyword: "not", Loc: loc("/$defs/Card/not")}}
	shape.Residual = []ir.Residual{{Keyword: "not", Loc: loc("/$defs/Shape/not")}}
	label := named("Label", &ir.Primitive{Kind: ir.KindString, Constraints: nc()})
	label.Residual = []ir.Residual{{Keyword: "not", Loc: loc("/$defs/Label/not")}}
	point := named("Point", &ir.Tuple{Constraints: nc(), Items: []*ir.Field{
		f("X", "0", ir.ReprPlain, prim(ir.KindFloat64)),
		f("Y", "1", ir.ReprPlain, prim(ir.KindFloat64)),
		f("Name", "2", ir.ReprOptNullable, prim(ir.KindString)),
	}})
	row := named("Row", &ir.Tuple{Constraints: func() ir.Constraints { c := nc(); c.MaxItems = 4; return c }(),
		Items: []*ir.Field{f("Head", "0", ir.ReprPlain, prim(ir.KindString))}, Rest: prim(ir.KindInt64), RestField: "Rest"})
	names := named("Names", &ir.Array{Elem: prim(ir.KindString), Constraints: func() ir.Constraints { c := nc(); c.UniqueItems = true; return c }()})
	scores := named("Scores", &ir.Map{Value: prim(ir.KindInt64), KeyPattern: pat("^[a-z]+$"), Constraints: nc()})
	maybe := named("Maybe", &ir.Nullable{Elem: prim(ir.KindBool)})
	nothing := named("Nothing", &ir.Never{})
	opaque := named("Opaque", &ir.Raw{Constraints: nc()})
	number := named("Number", &ir.External{Path: "encoding/json", Name: "Number"})
	alias := named("Alias", ref(card))
	strict := named("Strict", &ir.Struct{Unknown: ir.UnknownReject, AdditionalField: "Extra", Constraints: nc(),
		Patterns: []ir.PatternProperty{{Pattern: *pat("^x-"), Type: prim(ir.KindString)}}})
	typed := named("Typed", &ir.Struct{Unknown: ir.UnknownTyped, Additional: prim(ir.KindInt64), AdditionalField: "Extra", Constraints: nc()})
	loose := named("Loose", &ir.Struct{Unknown: ir.UnknownKeep, AdditionalField: "Extra", Constraints: nc(),
		Patterns: []ir.PatternProperty{{Pattern: *pat("^n-"), Type: prim(ir.KindInt64)}}})
	mixedHolder := named("MixedHolder", &ir.Struct{Unknown: ir.UnknownTyped, Additional: prim(ir.KindBool), AdditionalField: "Extra", Constraints: nc(),
		Patterns: []ir.PatternProperty{{Pattern: *pat("^n-"), Type: prim(ir.KindInt64)}}})

	nested := named("Nested", &ir.Union{OneOf: true, Strategy: ir.ByKind, Variants: []*ir.Variant{
		{Name: "NestedScalar", Type: ref(scalar), Kinds: ir.JSONString | ir.JSONNumber | ir.JSONArray},
		{Name: "NestedCircle", Type: ref(circle), Kinds: ir.JSONObject},
	}})
	nulls := named("Nulls", &ir.Map{Value: prim(ir.KindNull), Constraints: nc()})
	nevers := named("Nevers", &ir.Map{Value: &ir.Never{}, Constraints: nc()})
	fixed := named("Fixed", &ir.Struct{Unknown: ir.UnknownTyped, Additional: &ir.Const{Kind: ir.KindString, JSON: `"fixed"`},
		AdditionalField: "Extra", Constraints: nc()})
	event := &ir.Named{Name: "Event", ID: file + "#", Loc: loc(""), Doc: []string{"Event exercises every field shape."}}
	cnt := nc()
	cnt.Minimum, cnt.ExclusiveMaximum, cnt.MultipleOf = "-5", "100", "5"
	ratio := nc()
	ratio.ExclusiveMinimum, ratio.MultipleOf, ratio.Maximum = "0", "0.5", "1e3"
	big := nc()
	big.Minimum, big.Maximum = "-1", "1.5"
	idc := nc()
	idc.Pattern, idc.MinLength, idc.MaxLength = pat(`^ev-\d+$`), 4, 12
	tags := nc()
	tags.UniqueItems, tags.MinItems = true, 1
	meta := nc()
	meta.MaxProperties = 3
	anyc := nc()
	anyc.MinLength = 2
	props := nc()
	props.MinProperties = 3
	deprecated := f("Old", "old", ir.ReprOpt, prim(ir.KindString))
	deprecated.Deprecated = true
	event.Type = &ir.Struct{Unknown: ir.UnknownKeep, AdditionalField: "Unknown", Constraints: props,
		DependentRequired: []ir.Dependency{{If: "day", Then: []string{"uid", "count"}}},
		Fields: []*ir.Field{
			f("ID", "id", ir.ReprPlain, &ir.Primitive{Kind: ir.KindString, Constraints: idc}),
			f("Kind", "kind", ir.ReprPlain, &ir.Const{Kind: ir.KindString, JSON: `"event"`}),
			f("Note", "note", ir.ReprNullable, prim(ir.KindString)),
			f("Count", "count", ir.ReprOpt, &ir.Primitive{Kind: ir.KindInt32, Constraints: cnt}),
			f("Ratio", "ratio", ir.ReprOpt, &ir.Primitive{Kind: ir.KindFloat64, Constraints: ratio}),
			f("Big", "big", ir.ReprOpt, &ir.Primitive{Kind: ir.KindUint64, Constraints: big}),
			f("Small", "small", ir.ReprOpt, prim(ir.KindFloat32)),
			f("Day", "day", ir.ReprOpt, prim(ir.KindDate)),
			f("At", "at", ir.ReprOptNullable, prim(ir.KindDateTime)),
			f("Link", "link", ir.ReprOpt, prim(ir.KindURI)),
			f("Blob", "blob", ir.ReprOpt, prim(ir.KindBytes)),
			f("UID", "uid", ir.ReprOpt, prim(ir.KindUUID)),
			f("Level", "level", ir.ReprOpt, &ir.Enum{Kind: ir.KindInt64, Values: []ir.EnumValue{{Name: "x", JSON: "1"}, {Name: "y", JSON: "2"}}}),
			f("Letter", "letter", ir.ReprOpt, &ir.Enum{Kind: ir.KindString, Values: []ir.EnumValue{{Name: "x", JSON: `"a"`}, {Name: "y", JSON: `"b"`}}}),
			f("Odd", "odd", ir.ReprOpt, &ir.Enum{Kind: ir.KindAny, Values: []ir.EnumValue{{Name: "x", JSON: `[1]`}, {Name: "y", JSON: `{"a":true}`}}}),
			f("Mixed", "mixed", ir.ReprOpt, ref(mixed)),
			f("Color", "color", ir.ReprOpt, ref(color)),
			f("Lvl", "lvl", ir.ReprOpt, ref(level)),
			f("Flag", "flag", ir.ReprOpt, ref(flag)),
			f("Version", "version", ir.ReprOpt, ref(version)),
			f("Tags", "tags", ir.ReprOpt, &ir.Array{Elem: prim(ir.KindString), Constraints: tags}),
			f("Matrix", "matrix", ir.ReprOpt, &ir.Array{Elem: &ir.Array{Elem: &ir.Nullable{Elem: prim(ir.KindFloat64)}, Constraints: nc()}, Constraints: nc()}),
			f("Meta", "meta", ir.ReprOpt, &ir.Map{Value: &ir.Nullable{Elem: prim(ir.KindString)}, KeyPattern: pat("^[a-z]+$"), Constraints: meta}),
			f("Any", "any", ir.ReprOpt, &ir.Raw{Constraints: anyc}),
			f("Payment", "payment", ir.ReprOpt, ref(payment)),
			f("Value", "value", ir.ReprOptNullable, ref(scalar)),
			f("Shape", "shape", ir.ReprOpt, ref(shape)),
			f("AnyShape", "any_shape", ir.ReprOpt, ref(anyShape)),
			f("Shapes", "shapes", ir.ReprOpt, &ir.Array{Elem: ref(shape), Constraints: nc()}),
			f("Point", "point", ir.ReprOpt, ref(point)),
			f("Row", "row", ir.ReprOpt, ref(row)),
			f("Parent", "parent", ir.ReprOpt, ref(event)),
			f("Children", "children", ir.ReprOpt, &ir.Array{Elem: ref(event), Constraints: nc()}),
			f("Never", "never", ir.ReprOpt, &ir.Never{}),
			f("Number", "number", ir.ReprOpt, &ir.External{Path: "encoding/json", Name: "Number"}),
			f("Num2", "num2", ir.ReprOpt, ref(number)),
			f("Label", "label", ir.ReprOpt, ref(label)),
			f("Names", "names", ir.ReprOpt, ref(names)),
			f("Scores", "scores", ir.ReprOpt, ref(scores)),
			f("Maybe", "maybe", ir.ReprOpt, ref(maybe)),
			f("Nothing", "nothing", ir.ReprOpt, ref(nothing)),
			f("Opaque", "opaque", ir.ReprOpt, ref(opaque)),
			f("Alias", "alias", ir.ReprOpt, ref(alias)),
			f("Strict", "strict", ir.ReprOpt, ref(strict)),
			f("Typed", "typed", ir.ReprOpt, ref(typed)),
			f("Loose", "loose", ir.ReprOpt, ref(loose)),
			f("MixedHolder", "mixed_holder", ir.ReprOpt, ref(mixedHolder)),
			f("Err", "err", ir.ReprOpt, prim(ir.KindNull)),
			f("Nulls", "nulls", ir.ReprOpt, ref(nulls)),
			f("Nevers", "nevers", ir.ReprOpt, ref(nevers)),
			f("Fixed", "fixed", ir.ReprOpt, ref(fixed)),
			f("Nested", "nested", ir.ReprOpt, &ir.Array{Elem: ref(nested), Constraints: nc()}),
			deprecated,
		}}
	event.Type.(*ir.Struct).Fields[31].Indirect = true // parent
	shapeRoot := &ir.Named{Name: "ShapeRoot", ID: "shape_root.json#", Loc: ir.Loc{File: "shape_root.json"}, Type: ref(shape),
		Doc: []string{"ShapeRoot is an aspect whose root is a union."}}
	schemaDoc := []byte(`{"$defs": {
  "Label": {"type": "string", "not": {"const": "forbidden"}},
  "Card": {"not": {"properties": {"number": {"const": "9999-9999-9999-9999"}}}},
  "Shape": {"not": {"properties": {"side": {"const": 13}}, "required": ["side"]}}
}}`)
	p := &ir.Package{Name: "kitchen", Files: []*ir.File{
		{Name: "kitchen.parsec.go", Path: file, Source: file, Aspect: "kitchen", SchemaRef: file, Schema: schemaDoc, Root: event,
			Types: []*ir.Named{event, card, cash, payment, scalar, circle, square, shape, anyShape, mixed, color, level, flag, version,
				label, point, row, names, scores, maybe, nothing, opaque, number, alias, strict, typed, loose, mixedHolder,
				nulls, nevers, fixed, nested}},
		{Name: "shape_root.parsec.go", Path: "shape_root.json", Source: "shape_root.json", Aspect: "shape_root",
			SchemaRef: "shape_root.json", Schema: []byte(`{"$ref": "kitchen.json#/$defs/Shape"}`), Root: shapeRoot,
			Types: []*ir.Named{shapeRoot}},
	}}
	return complete(p)
}
