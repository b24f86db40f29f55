// Package orders holds the Go types and the typed Parsec client generated
// from the order-lifecycle aspect schemas in ../../schemas. Everything in a
// *.parsec.go file is generated: edit the schemas and run go generate.
package orders

//go:generate go tool parsec-gen generate -o . ../../schemas
