// Package notes is the typed Parsec client the interop tests use, generated
// from ../schemas. Everything in a *.parsec.go file is generated: edit the
// schemas and run make generate (from the repository root, as
// `parsec-gen generate -p notes -o server/interop/notes server/interop/schemas`).
package notes
