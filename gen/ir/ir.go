// Package ir is the generator's model of the Go code to emit: a Package of
// Files, each declaring Named types whose shapes form a closed sum (Type).
//
// The build stage makes every decision (names, order, optionality, pointer or
// value, union strategy) and records it here; the emitter renders what it is
// given and decides nothing. Collections are slices in declaration order. The
// package imports neither the code generation library nor the schema library.
package ir

import (
	"fmt"
	"strconv"
)

// Package is everything generated into one Go package.
type Package struct {
	// Name is the Go package name of the output.
	Name string
	// Files holds one entry per input schema, sorted by Name.
	Files []*File
	// Channels are the channel patterns the package declares, most specific
	// first, ties by pattern string (the order in which a channel is
	// resolved to its pattern).
	Channels []*ChannelPattern
	// AssertFormats says every known format is an assertion in every
	// draft: the package's validators are made with
	// schema.WithFormatAssertion.
	AssertFormats bool
}

// ChannelPattern is a channel pattern with the aspects published on its
// channels and the Go names of its typed API.
type ChannelPattern struct {
	// Pattern is the pattern as written, e.g. "sessions:{id}".
	Pattern string
	// Version is the pattern's registry version (1 for a schema directory
	// unless declared).
	Version int64
	// Doc is the pattern's description, one line per element; may be empty.
	Doc []string
	// Description is the description as the registry holds it.
	Description string
	// Segments are the pattern's segments in order.
	Segments []PatternSegment
	// Aspects are the pattern's aspects in declaration order.
	Aspects []*PatternAspect
	// Loc is where the pattern is declared.
	Loc Loc
	// Source names the file declaring the pattern as generated code shows
	// it (the "// source:" line).
	Source string

	// Go names: the pattern constant ("SessionsPattern"), its version
	// constant, the channel builder ("SessionsChannel"), the matcher
	// ("MatchSessionsChannel"), the bindings struct, the topic type (a
	// channel of the pattern to publish on), the Client method returning a
	// topic, the typed subscription and the pattern's exhaustive handler.
	Const, VersionConst, Builder, Matcher, Bindings, Topic, TopicMethod, Subscription, Handler string
}

// SegmentKind is what a pattern segment matches.
type SegmentKind int

// The segment kinds.
const (
	SegLiteral    SegmentKind = iota + 1 // text that matches itself
	SegVar                               // {name}
	SegStar                              // *
	SegDoubleStar                        // ** (last only)
)

// PatternSegment is one segment of a pattern.
type PatternSegment struct {
	Kind SegmentKind
	// Sep is the separator before the segment ("." or ":"), "" for the first.
	Sep string
	// Text is a literal's text or a variable's name.
	Text string
	// Param is the builder's parameter for a non-literal segment.
	Param string
	// Field is the Bindings field of a variable.
	Field string
}

// PatternAspect is one aspect of a pattern.
type PatternAspect struct {
	// Aspect is the aspect name envelopes carry.
	Aspect string
	// Doc is the aspect's description on this pattern; may be empty.
	Doc []string
	// Description is the description as the registry holds it.
	Description string
	// Required means every handler of the pattern must handle the aspect:
	// it is a method of the pattern's Handler interface. Other aspects are
	// handled when the handler has the method.
	Required bool
	// File is the aspect's schema; nil when the pattern has no schema for it
	// and payloads are raw JSON.
	File *File
	// SchemaRef is the ref envelopes of this aspect on this pattern carry.
	SchemaRef string
	// Const is the constant holding the aspect name when File is nil
	// (with a schema the file's aspect constant is used).
	Const string
	// Method is the name part of the typed methods: "Publish"+Method,
	// "On"+Method, "Handle"+Method, "PublishDerived"+Method.
	Method string
}

// File is the output of one schema file, which describes one aspect.
type File struct {
	// Name is the base name of the generated Go file, e.g. "order_placed.parsec.go".
	Name string
	// Path is the slash-separated path of the schema in the input file system.
	Path string
	// Source is the path as shown in the "// source:" header line and in
	// generated doc comments.
	Source string
	// Display is the path as shown in error messages; it is also the File
	// of the Locs of this file's schemas. "" means Source.
	Display string
	// Aspect is the aspect name: x-parsec-aspect, else the file name without
	// its extensions.
	Aspect string
	// SchemaRef is the schema's $id, else its path relative to the input
	// directory; set for files reached only through $ref too.
	SchemaRef string
	// Schema is the raw bytes of the schema file, embedded in the output.
	Schema []byte
	// Root is the Go type of the schema's root; it is declared in Types.
	Root *Named
	// Types are the named types declared in this file, in output order.
	Types []*Named
}

// Named is a declared Go type: one per canonical schema location.
type Named struct {
	// Name is the exported Go identifier.
	Name string
	// ID is the canonical schema location ("file.json#/json/pointer").
	ID string
	// Doc is the doc comment, one line per element, starting with Name.
	// Lines contain no line terminators.
	Doc []string
	// Loc is where the schema of this type was written. Loc.File is the
	// Source of the ir.File holding that schema, which may differ from the
	// file declaring the type (a oneOf variant merged into an object that
	// brings it in through allOf is declared with the object).
	Loc Loc
	// Type is the shape of the type.
	Type Type
	// Residual lists schema keywords at this location that the Go type does
	// not express and that the generated code must check by validating the
	// value against the schema of the file Loc.File at Loc.Pointer.
	Residual []Residual
}

// Residual is a keyword checked by schema validation instead of by the type.
type Residual struct {
	// Keyword is the JSON Schema keyword, e.g. "if" or "not".
	Keyword string
	// Loc is where the keyword is written.
	Loc Loc
}

// Type is the shape of a Go type. It is a closed sum: *Struct, *Enum, *Const,
// *Primitive, *Array, *Tuple, *Map, *Union, *Nullable, *Ref, *External, *Raw
// and *Never.
type Type interface {
	isType()
}

func (*Struct) isType()    {}
func (*Enum) isType()      {}
func (*Const) isType()     {}
func (*Primitive) isType() {}
func (*Array) isType()     {}
func (*Tuple) isType()     {}
func (*Map) isType()       {}
func (*Union) isType()     {}
func (*Nullable) isType()  {}
func (*Ref) isType()       {}
func (*External) isType()  {}
func (*Raw) isType()       {}
func (*Never) isType()     {}

// Unknown says what decoding does with properties a Struct does not declare.
type Unknown int

const (
	// UnknownKeep keeps undeclared properties, in order, as raw JSON and
	// re-emits them on encode (the schema allows any additional property).
	UnknownKeep Unknown = iota
	// UnknownReject makes an undeclared property a decode error
	// (additionalProperties: false with no pattern match).
	UnknownReject
	// UnknownTyped decodes undeclared properties into Struct.Additional
	// (additionalProperties: <schema>), kept in order.
	UnknownTyped
)

// String returns the policy's name.
func (u Unknown) String() string {
	switch u {
	case UnknownKeep:
		return "keep"
	case UnknownReject:
		return "reject"
	case UnknownTyped:
		return "typed"
	}
	return "Unknown(" + strconv.Itoa(int(u)) + ")"
}

// Struct is a JSON object with declared properties.
type Struct struct {
	// Fields are the declared properties in the order the schema author wrote them.
	Fields []*Field
	// Unknown is the policy for undeclared properties not matched by Patterns.
	Unknown Unknown
	// Additional is the type of undeclared properties when Unknown is UnknownTyped.
	Additional Type
	// AdditionalField is the Go name of the field holding undeclared
	// properties (kept raw or typed); empty when Unknown is UnknownReject and
	// there are no Patterns.
	AdditionalField string
	// Patterns are patternProperties: undeclared properties whose name matches
	// Pattern decode into Type; checked in order, every match must validate.
	Patterns []PatternProperty
	// DependentRequired maps a property to properties required when it is present.
	DependentRequired []Dependency
	// Constraints holds minProperties/maxProperties.
	Constraints Constraints
	// Other is the Go name of the field holding a value that is not a JSON
	// object, kept as its JSON text, when the schema accepts every kind
	// ("properties" without "type"); empty when only objects decode. Such a
	// value is checked against the schema of the Named type.
	Other string
}

// PatternProperty is one patternProperties entry.
type PatternProperty struct {
	Pattern Pattern
	Type    Type
}

// Dependency says: when If is present, every property in Then must be present.
type Dependency struct {
	If   string
	Then []string
	Loc  Loc
}

// Repr is how a field's Go value represents presence and null.
type Repr int

const (
	// ReprPlain is a required, non-nullable property: the value itself.
	ReprPlain Repr = iota
	// ReprOpt is an optional, non-nullable property: parsec.Opt[T].
	ReprOpt
	// ReprNullable is a required, nullable property: parsec.Nullable[T].
	ReprNullable
	// ReprOptNullable is an optional, nullable property: parsec.OptNullable[T].
	ReprOptNullable
)

// String returns the representation's name.
func (r Repr) String() string {
	switch r {
	case ReprPlain:
		return "plain"
	case ReprOpt:
		return "opt"
	case ReprNullable:
		return "nullable"
	case ReprOptNullable:
		return "opt+nullable"
	}
	return "Repr(" + strconv.Itoa(int(r)) + ")"
}

// Field is one declared property of a Struct.
type Field struct {
	// Name is the Go field name.
	Name string
	// JSONName is the property name as written in the schema (the struct tag).
	JSONName string
	// Doc is the doc comment, one line per element, starting with Name.
	Doc []string
	// Required reports whether the property must be present.
	Required bool
	// Repr is the presence/null representation.
	Repr Repr
	// Indirect reports that the value is held behind a pointer (*T, inside
	// the Repr wrapper) because the type contains itself by value otherwise.
	Indirect bool
	// Type is the non-null type of the value.
	Type Type
	// Deprecated reports that the schema marks the property deprecated.
	Deprecated bool
	// Loc is where the property's schema is written.
	Loc Loc
}

// Enum is a closed set of JSON values. When it is the Type of a Named, the
// emitter declares a Go type with one constant per value.
type Enum struct {
	// Kind is the Go representation of the values. KindString, KindInt64,
	// KindFloat64 and KindBool enums have values of that kind only; KindAny
	// holds mixed kinds (and null) as raw JSON.
	Kind Kind
	// Values in schema order.
	Values []EnumValue
	// Open reports that any other value of Kind is accepted too (an anyOf
	// of an enum and its plain type: the constants name the known values).
	Open bool
}

// EnumValue is one value of an Enum.
type EnumValue struct {
	// Name is the Go constant name (<Type><Value>).
	Name string
	// Doc is the constant's doc comment, starting with Name.
	Doc []string
	// JSON is the value as compact JSON text, e.g. `"placed"`, `3`, `null`.
	JSON string
}

// Const is a single enforced JSON value. Decoding anything else is an error.
type Const struct {
	// Kind is as for Enum.
	Kind Kind
	// JSON is the value as compact JSON text.
	JSON string
}

// Kind is a Go representation for a scalar JSON value.
type Kind int

const (
	// KindAny is raw JSON.
	KindAny Kind = iota
	// KindString is string.
	KindString
	// KindBool is bool.
	KindBool
	// KindInt64 is int64 (integer without a narrower format).
	KindInt64
	// KindInt32 is int32 (format int32).
	KindInt32
	// KindUint64 is uint64 (format uint64).
	KindUint64
	// KindFloat64 is float64 (number).
	KindFloat64
	// KindFloat32 is float32 (format float).
	KindFloat32
	// KindDateTime is a string with format date-time, keeping its text.
	KindDateTime
	// KindDate is a string with format date, keeping its text.
	KindDate
	// KindUUID is a string with format uuid, keeping its text.
	KindUUID
	// KindURI is a string with format uri, keeping its text.
	KindURI
	// KindBytes is a string with format byte (base64), keeping its text.
	KindBytes
	// KindNull is the JSON null value only.
	KindNull
)

var kindNames = [...]string{"any", "string", "bool", "int64", "int32", "uint64", "float64", "float32",
	"date-time", "date", "uuid", "uri", "bytes", "null"}

// String returns the kind's name.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Primitive is a scalar JSON value.
type Primitive struct {
	Kind Kind
	// Format is the schema's format keyword, for documentation and checks
	// the kind does not imply (e.g. "email"); empty when absent.
	Format string
	// Constraints are the validation keywords for the value.
	Constraints Constraints
}

// Array is a JSON array of one element type.
type Array struct {
	Elem Type
	// Constraints holds minItems, maxItems, uniqueItems.
	Constraints Constraints
}

// Tuple is a JSON array with positional item types (prefixItems or a
// draft-04..2019 items array), rendered as a struct with one field per
// position. Positions at index >= MinItems are optional.
type Tuple struct {
	// Items are the positional fields; Field.JSONName is the index in decimal.
	Items []*Field
	// Rest is the type of items after the positional ones; nil when extra
	// items are rejected.
	Rest Type
	// RestField is the Go name of the field holding the extra items.
	RestField string
	// Constraints holds minItems, maxItems, uniqueItems.
	Constraints Constraints
}

// Map is a JSON object used as a map from property name to Value. Decoding
// keeps the key order and re-encodes in it.
type Map struct {
	// Value is the type of every value.
	Value Type
	// KeyPattern, when set, constrains every key (patternProperties or
	// propertyNames.pattern).
	KeyPattern *Pattern
	// Constraints holds minProperties, maxProperties.
	Constraints Constraints
}

// Strategy is how a Union decides which variant a JSON value is.
type Strategy int

const (
	// ByDiscriminator reads a required property whose value is a different
	// constant in each variant (Union.Discriminator; Variant.Tag).
	ByDiscriminator Strategy = iota
	// ByKind dispatches on the JSON kind of the value (Variant.Kinds are disjoint).
	ByKind
	// ByRequired dispatches on which variant's distinguishing required
	// property (Variant.Marker) is present.
	ByRequired
	// TryEach decodes with each variant in order; for oneOf exactly one must
	// succeed, for anyOf the first success wins.
	TryEach
)

// String returns the strategy's name.
func (s Strategy) String() string {
	switch s {
	case ByDiscriminator:
		return "discriminator"
	case ByKind:
		return "kind"
	case ByRequired:
		return "required"
	case TryEach:
		return "try-each"
	}
	return "Strategy(" + strconv.Itoa(int(s)) + ")"
}

// Union is a sealed sum type from oneOf/anyOf or a list of types: an
// interface implemented by exactly one Go type per variant, with an
// exhaustive matching helper.
type Union struct {
	// OneOf is true for oneOf (exactly one variant must match), false for anyOf.
	OneOf bool
	// Strategy is how a value is matched to a variant.
	Strategy Strategy
	// Discriminator is the JSON property name for ByDiscriminator.
	Discriminator string
	// Variants in schema order.
	Variants []*Variant
}

// JSONKind is a set of JSON value kinds, as bits.
type JSONKind uint8

const (
	// JSONNull is null.
	JSONNull JSONKind = 1 << iota
	// JSONBool is true or false.
	JSONBool
	// JSONNumber is any number (also integers).
	JSONNumber
	// JSONString is a string.
	JSONString
	// JSONArray is an array.
	JSONArray
	// JSONObject is an object.
	JSONObject
)

// Variant is one arm of a Union.
type Variant struct {
	// Name is the Go type name of the variant (declared by the emitter as a
	// wrapper around Type unless Type is a *Ref to a struct-like Named, in
	// which case that type implements the union directly).
	Name string
	// Doc is the variant type's doc comment, starting with Name.
	Doc []string
	// Type is the variant's shape.
	Type Type
	// Kinds is the set of JSON kinds the variant accepts (for ByKind).
	Kinds JSONKind
	// Tag is the discriminator value as compact JSON text (for ByDiscriminator).
	Tag string
	// Marker is the property whose presence selects this variant (for ByRequired).
	Marker string
	// Loc is where the variant's schema is written.
	Loc Loc
}

// Nullable is T or null, used where no Field carries the Repr (array items,
// map values, union variants).
type Nullable struct {
	Elem Type
}

// Ref refers to a Named type of the package.
type Ref struct {
	// Name is the Go name of the target.
	Name string
	// Target is the declaration.
	Target *Named
}

// External is a Go type named by the schema author (x-go-type), e.g.
// {Path: "time", Name: "Duration"}; it must implement json.Marshaler and
// json.Unmarshaler. Path is empty for a predeclared type or one of the
// output package.
type External struct {
	Path string
	Name string
}

// Raw is any JSON value, kept as its raw text (schema true or {}).
type Raw struct {
	// Constraints that still apply to the value, if any.
	Constraints Constraints
}

// Never accepts no value (the boolean schema false).
type Never struct{}

// Constraints are the validation keywords the Go type does not enforce by
// itself. Numbers are exact decimal text (e.g. "0.1", "100"), empty when absent.
type Constraints struct {
	Minimum          string
	Maximum          string
	ExclusiveMinimum string
	ExclusiveMaximum string
	MultipleOf       string

	// MinLength and MaxLength count Unicode code points; -1 when absent.
	MinLength int
	MaxLength int
	// Pattern constrains strings.
	Pattern *Pattern

	// MinItems and MaxItems bound arrays; -1 when absent.
	MinItems    int
	MaxItems    int
	UniqueItems bool

	// MinProperties and MaxProperties bound objects; -1 when absent.
	MinProperties int
	MaxProperties int
}

// NoConstraints returns Constraints with every bound absent.
func NoConstraints() Constraints {
	return Constraints{MinLength: -1, MaxLength: -1, MinItems: -1, MaxItems: -1, MinProperties: -1, MaxProperties: -1}
}

// IsZero reports whether no constraint is set.
func (c Constraints) IsZero() bool {
	return c == NoConstraints()
}

// Pattern is an ECMA-262 regular expression from the schema, compiled once
// by the generated code with internal/ecmaregex semantics.
type Pattern struct {
	// Source is the expression as written.
	Source string
	// Loc is where it is written.
	Loc Loc
}

// Loc is a place in a schema file.
type Loc struct {
	// File is the display path of the schema file.
	File string
	// Line and Col are 1-based; 0 when unknown.
	Line, Col int
	// Pointer is the JSON pointer of the schema value ("" is the root).
	Pointer string
}

// String formats the place as "file:line:col", else "file#/pointer".
func (l Loc) String() string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Col)
	}
	return l.File + "#" + l.Pointer
}
