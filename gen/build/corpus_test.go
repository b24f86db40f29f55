package build

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/parsec-gen/parsec-gen/gen/ir"
	"github.com/parsec-gen/parsec-gen/gen/load"
	"github.com/parsec-gen/parsec-gen/internal/testenv"
)

// TestCorpus loads and builds every corpus schema as its own package and
// counts failures; it fails on any failure or panic.
func TestCorpus(t *testing.T) {
	corpusDir := filepath.Join(testenv.Corpus(t), "schemas")
	names, err := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(corpusDir)
	failed, residual, types, withResidual := 0, 0, 0, 0
	kw := map[string]int{}
	for _, n := range names {
		base := filepath.Base(n)
		p, err := buildOne(fsys, base)
		if err != nil {
			failed++
			t.Errorf("%s: %v", base, err)
			continue
		}
		again, err := buildOne(fsys, base)
		if err != nil {
			t.Errorf("%s: second build: %v", base, err)
			continue
		}
		if a, b := summarize(p), summarize(again); a != b {
			failed++
			t.Errorf("%s: two builds differ:\n%s\n---\n%s", base, a, b)
			continue
		}
		if err := checkInvariants(p); err != nil {
			failed++
			t.Errorf("%s: invariant: %v", base, err)
			continue
		}
		if c := directCycle(p); c != "" {
			failed++
			t.Errorf("%s: methods call each other directly around a cycle: %s", base, c)
			continue
		}
		has := false
		for _, f := range p.Files {
			types += len(f.Types)
			for _, nt := range f.Types {
				if len(nt.Residual) > 0 {
					residual++
					has = true
				}
				for _, r := range nt.Residual {
					kw[r.Keyword]++
				}
			}
		}
		if has {
			withResidual++
		}
	}
	t.Logf("built %d/%d corpus schemas; %d named types, %d with residual keywords in %d schemas; by keyword %v",
		len(names)-failed, len(names), types, residual, withResidual, kw)
}

func buildOne(fsys fs.FS, path string) (p *ir.Package, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	set, err := load.Load(load.Config{FS: fsys}, []string{path})
	if err != nil {
		return nil, err
	}
	return Build(set, Config{Package: "corpus"})
}

// BenchmarkCorpusModel measures loading and building every corpus schema
// (one package per schema, as the corpus check does).
func BenchmarkCorpusModel(b *testing.B) {
	corpusDir := filepath.Join(testenv.Corpus(b), "schemas")
	names, err := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if err != nil {
		b.Fatal(err)
	}
	fsys := os.DirFS(corpusDir)
	b.ResetTimer()
	for range b.N {
		for _, n := range names {
			if _, err := buildOne(fsys, filepath.Base(n)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// summarize lists every declaration with its shape and members, in order.
func summarize(p *ir.Package) string {
	var b strings.Builder
	for _, f := range p.Files {
		fmt.Fprintf(&b, "file %s\n", f.Name)
		for _, n := range f.Types {
			fmt.Fprintf(&b, " %s %s %T %d\n", n.Name, n.ID, n.Type, len(n.Residual))
			switch t := n.Type.(type) {
			case *ir.Struct:
				for _, fl := range t.Fields {
					fmt.Fprintf(&b, "  %s %s %v %v %T\n", fl.Name, fl.JSONName, fl.Repr, fl.Indirect, fl.Type)
				}
			case *ir.Union:
				fmt.Fprintf(&b, "  %v %s\n", t.Strategy, t.Discriminator)
				for _, v := range t.Variants {
					fmt.Fprintf(&b, "  %s %s %s\n", v.Name, v.Tag, v.Marker)
				}
			case *ir.Enum:
				for _, v := range t.Values {
					fmt.Fprintf(&b, "  %s\n", v.Name)
				}
			}
		}
	}
	return b.String()
}
