// Package parsec is the support package imported by code that parsec-gen
// generates. It holds the small value types generated structs are made of and
// the helpers generated decoders, encoders and validators call:
//
//   - presence: [Opt] (optional), [Nullable] (required, may be null) and
//     [OptNullable] (optional, may be null) keep absent, null and a value
//     apart through decode and encode; each has IsZero so `omitzero` works;
//   - [Map], an insertion-ordered map for additionalProperties and
//     patternProperties, and [RawProperties] for unknown properties kept as raw
//     JSON, so a decoded object re-encodes with its keys in the original order;
//   - [ValidationError] and [ValidationErrors], carrying RFC 6901 JSON pointers
//     to the offending values;
//   - checks for the keywords the Go type system cannot express (lengths in
//     code points, bounds, multipleOf, patterns compiled once with ECMAScript
//     semantics);
//   - format types that keep the original text: [DateTime], [Date], [UUID],
//     [URI] and [Bytes].
//
// Generated code references [SupportPackageIsVersion1]; a generator and a
// runtime that disagree on the contract between them fail to compile instead
// of misbehaving at run time.
package parsec

// SupportPackageIsVersion1 is referenced by generated code as
//
//	const _ = parsec.SupportPackageIsVersion1
//
// If that line fails to compile with "undefined: parsec.SupportPackageIsVersion1",
// the generated code and this package come from incompatible releases:
// regenerate the code with the parsec-gen matching the runtime in go.mod
// (go tool parsec-gen generate ...), or align the two module versions.
const SupportPackageIsVersion1 = true
