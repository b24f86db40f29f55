// Package gen turns JSON Schema files describing Parsec aspects into Go
// source files. Generate is pure: it reads only through Config.FS and returns
// the files to write; the command line tool writes them.
package gen

import (
	"errors"
	"io/fs"
)

// Config is the input of Generate.
type Config struct {
	// FS is the only place schemas and the files they $ref are read from.
	FS fs.FS
	// Schemas are the schema files to generate, as slash-separated FS paths.
	// Their order does not change the output.
	Schemas []string
	// Package is the Go package name of the output.
	Package string
	// Display maps an FS path to the text shown in errors and in the
	// "// source:" header line; nil means the FS path itself.
	Display func(fsPath string) string
	// Initialisms are words spelled in upper case in Go names (golint's
	// list, e.g. "ID", "URL"). Nil means the default list; an empty non-nil
	// slice means none.
	Initialisms []string
}

// File is one generated Go source file.
type File struct {
	// Name is the base file name in the output directory.
	Name string
	// Content is the gofmt-formatted source.
	Content []byte
}

// Files are generated files, sorted by Name.
type Files []File

// Generate loads the schemas, builds the model and renders it.
func Generate(cfg Config) (Files, error) {
	return nil, errors.New("generate: not implemented yet")
}
