package corpustest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/internal/testenv"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
)

// TestCompactEmbedValidatesAsVerbatim checks, over every corpus schema the
// generator accepts, that the runtime validator gives every instance and
// every mutant of it the same verdict under the compact schema text the
// generated code embeds as under the verbatim text, with and without
// format assertion.
func TestCompactEmbedValidatesAsVerbatim(t *testing.T) {
	corpus := testenv.Corpus(t)
	dir := filepath.Join(corpus, "schemas")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var schemas, docs, instances, mutated, verdicts, rejected int
	var verbatimBytes, compactBytes int
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		cfg := gen.Config{FS: os.DirFS(dir), Schemas: []string{name}, Package: "p"}
		cfg.EmbedSchema = load.EmbedVerbatim
		vp, err := gen.Model(cfg)
		if err != nil {
			continue
		}
		cfg.EmbedSchema = load.EmbedCompact
		cp, err := gen.Model(cfg)
		if err != nil {
			t.Errorf("%s: compact: %v (verbatim generated)", name, err)
			continue
		}
		schemas++
		for _, f := range vp.Files {
			verbatimBytes += len(f.Schema)
		}
		for _, f := range cp.Files {
			compactBytes += len(f.Schema)
		}
		docs += len(cp.Files)
		for _, assert := range []bool{false, true} {
			vset, ref := embeddedSet(vp, assert)
			cset, _ := embeddedSet(cp, assert)
			if ref == "" {
				t.Fatalf("%s: no aspect", name)
			}
			check := func(what string, doc []byte) {
				verr, cerr := vset.Validate(ref, "", doc), cset.Validate(ref, "", doc)
				var ve *schema.ValidationError
				if verr != nil && !errors.As(verr, &ve) {
					t.Errorf("%s: verbatim schema does not compile: %v", name, verr)
					return
				}
				verdicts++
				if verr != nil {
					rejected++
				}
				if (verr == nil) != (cerr == nil) {
					t.Errorf("%s %s (format assertion %v): verbatim says %v, compact says %v", name, what, assert, verr, cerr)
				}
			}
			stem := strings.TrimSuffix(name, ".json")
			ins, err := filepath.Glob(filepath.Join(corpus, "instances", stem, "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(ins)
			for _, in := range ins {
				data, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				if !assert {
					instances++
				}
				check(filepath.Base(in), data)
				for _, m := range mutants(name+"/"+filepath.Base(in), data, 6) {
					if !assert {
						mutated++
					}
					check(filepath.Base(in)+" mutant "+m.what, m.data)
				}
			}
		}
	}
	if schemas < 100 || instances == 0 || mutated == 0 {
		t.Fatalf("checked only %d schemas, %d instances, %d mutants", schemas, instances, mutated)
	}
	if compactBytes >= verbatimBytes {
		t.Errorf("compact schema text %d bytes, verbatim %d", compactBytes, verbatimBytes)
	}
	t.Logf("%d schemas (%d documents), %d instances, %d mutants: %d verdicts agree (%d rejections); embedded text %d -> %d bytes",
		schemas, docs, instances, mutated, verdicts, rejected, verbatimBytes, compactBytes)
}

// embeddedSet is the schema.Set generated code builds from the package's
// Aspects and Resources tables, and the schema ref of its aspect.
func embeddedSet(p *ir.Package, assertFormats bool) (*schema.Set, string) {
	var aspects []schema.Aspect
	var resources []schema.Resource
	var ref string
	for _, f := range p.Files {
		r := f.SchemaRef
		if r == "" {
			r = f.Path
		}
		var docPath string
		if r != f.Path {
			docPath = f.Path
		}
		if f.Root == nil {
			resources = append(resources, schema.Resource{Ref: r, Schema: f.Schema, Path: docPath})
			continue
		}
		aspects = append(aspects, schema.Aspect{Name: f.Aspect, SchemaRef: r, Schema: f.Schema, Path: docPath})
		ref = r
	}
	var opts []schema.Option
	if assertFormats {
		opts = append(opts, schema.WithFormatAssertion())
	}
	return schema.NewSet(aspects, resources, opts...), ref
}
