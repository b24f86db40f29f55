package footprint

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/parsec-gen/parsec-gen/gen"
)

// Schema is one corpus schema and what each generator made of it.
type Schema struct {
	// File is the schema's file name in the corpus directory.
	File string
	// Package is the Go package name both generators were given.
	Package string
	// Parsec is parsec-gen's output; ParsecErr its error.
	Parsec    gen.Files
	ParsecErr error
	// Breakdown is Parsec's bytes and lines per construct.
	Breakdown Breakdown
	// GoJSONSchema is go-jsonschema's single output file; GoJSONSchemaErr
	// its error (the first line of its standard error).
	GoJSONSchema    []byte
	GoJSONSchemaErr error
}

// ParsecBytes is the size of parsec-gen's output.
func (s *Schema) ParsecBytes() int64 {
	var n int64
	for _, f := range s.Parsec {
		n += int64(len(f.Content))
	}
	return n
}

// ParsecLines is the line count of parsec-gen's output.
func (s *Schema) ParsecLines() int64 {
	var n int64
	for _, f := range s.Parsec {
		n += int64(bytes.Count(f.Content, []byte("\n")))
	}
	return n
}

// GoJSONSchemaLines is the line count of go-jsonschema's output.
func (s *Schema) GoJSONSchemaLines() int64 {
	return int64(bytes.Count(s.GoJSONSchema, []byte("\n")))
}

// ListSchemas returns the *.json files of dir, sorted, each with the
// package name pNNN by position.
func ListSchemas(dir string) ([]*Schema, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*Schema
	for _, de := range entries {
		if de.IsDir() || !strings.HasSuffix(de.Name(), ".json") {
			continue
		}
		out = append(out, &Schema{File: de.Name(), Package: fmt.Sprintf("p%03d", len(out))})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no *.json schemas", dir)
	}
	return out, nil
}

// GenerateParsec runs gen.Generate on each schema on its own, as
// `parsec-gen generate -o pkg ../schemas/NAME.json` would (source paths
// shown as ../schemas/NAME.json), and classifies the output.
func GenerateParsec(dir string, schemas []*Schema) error {
	fsys := os.DirFS(dir)
	for _, s := range schemas {
		s.Parsec, s.ParsecErr = gen.Generate(gen.Config{
			FS:      fsys,
			Schemas: []string{s.File},
			Package: s.Package,
			Display: func(p string) string { return "schemas/" + p },
			Source:  func(p string) string { return "../schemas/" + p },
		})
		if s.ParsecErr != nil {
			continue
		}
		s.Breakdown = Breakdown{}
		for _, f := range s.Parsec {
			b, err := Classify(f.Name, f.Content)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", s.File, f.Name, err)
			}
			s.Breakdown.Add(b)
		}
	}
	return nil
}

// GoJSONSchemaTimeout bounds one go-jsonschema run: it does not finish on
// some schemas (it loops on web-types.json).
const GoJSONSchemaTimeout = 60 * time.Second

// GenerateGoJSONSchema runs the go-jsonschema binary at bin on each schema
// (one process each, default flags but the package name, at most
// GoJSONSchemaTimeout) and keeps its output; a failure is recorded on the
// schema, not returned.
func GenerateGoJSONSchema(bin, dir, work string, schemas []*Schema) error {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	for _, s := range schemas {
		out := filepath.Join(work, s.Package+".go")
		ctx, cancel := context.WithTimeout(context.Background(), GoJSONSchemaTimeout)
		cmd := exec.CommandContext(ctx, bin, "-p", s.Package, "-o", out, filepath.Join(dir, s.File))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			s.GoJSONSchemaErr = fmt.Errorf("no output after %s", GoJSONSchemaTimeout)
			continue
		}
		if err != nil {
			msg := failureLine(stderr.String())
			s.GoJSONSchemaErr = fmt.Errorf("%v: %s", err, msg)
			continue
		}
		b, err := os.ReadFile(out)
		if err != nil {
			return err
		}
		s.GoJSONSchema = b
	}
	return nil
}

// Totals are corpus-wide sums.
type Totals struct {
	Schemas                     int
	ParsecOK, GoJSONSchemaOK    int
	Both                        int
	ParsecBytes, ParsecLines    int64 // over every schema parsec-gen generates
	GoJSONBytes, GoJSONLines    int64 // over every schema go-jsonschema generates
	BothParsecBytes, BothGoJSON int64 // over the schemas both generate
	BothParsecLines, BothGoLine int64
	BothSchemaText              int64     // parsec-gen's embedded schema text over the schemas both generate
	Breakdown                   Breakdown // parsec-gen, every generated schema
}

// Sum adds up the figures of schemas.
func Sum(schemas []*Schema) Totals {
	t := Totals{Schemas: len(schemas)}
	for _, s := range schemas {
		pok, gok := s.ParsecErr == nil && s.Parsec != nil, s.GoJSONSchemaErr == nil && s.GoJSONSchema != nil
		if pok {
			t.ParsecOK++
			t.ParsecBytes += s.ParsecBytes()
			t.ParsecLines += s.ParsecLines()
			t.Breakdown.Add(s.Breakdown)
		}
		if gok {
			t.GoJSONSchemaOK++
			t.GoJSONBytes += int64(len(s.GoJSONSchema))
			t.GoJSONLines += s.GoJSONSchemaLines()
		}
		if pok && gok {
			t.Both++
			t.BothParsecBytes += s.ParsecBytes()
			t.BothGoJSON += int64(len(s.GoJSONSchema))
			t.BothParsecLines += s.ParsecLines()
			t.BothSchemaText += s.Breakdown.Bytes[SchemaText]
			t.BothGoLine += s.GoJSONSchemaLines()
		}
	}
	return t
}

// BySize returns the schemas parsec-gen generated, largest output first
// (ties by file name).
func BySize(schemas []*Schema) []*Schema {
	var out []*Schema
	for _, s := range schemas {
		if s.ParsecErr == nil && s.Parsec != nil {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].ParsecBytes(), out[j].ParsecBytes(); a != b {
			return a > b
		}
		return out[i].File < out[j].File
	})
	return out
}

// failureLine picks the line of go-jsonschema's standard error that says
// why it failed: the first containing "Failed", else the last (warnings
// come first).
func failureLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.Contains(l, "Failed") {
			return l
		}
	}
	return lines[len(lines)-1]
}
