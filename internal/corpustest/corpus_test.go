package corpustest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/internal/testenv"
)

var failuresFile = flag.String("corpus.failures", filepath.Join(os.TempDir(), "parsec-gen-corpus-failures.txt"),
	"file that receives the corpus failure list")

// floor is what the generator achieves on the corpus today. It only ever
// goes up: raise it when the generator improves, so a regression fails.
var floor = Report{
	Generated:     116,
	Compiled:      116,
	Decoded:       407,
	ValidateOK:    407,
	Stable:        407,
	Lossless:      407,
	Valid:         407,
	LosslessValid: 407,
	Agree:         2940,
	// Every instance of the corpus is one its schema accepts.
	AcceptedRoundTrip: 407,
}

func pct(n, of int) string {
	if of == 0 {
		return "  -  "
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(n)/float64(of))
}

// summary formats the figures of r, one per line.
func summary(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "schemas generated  %4d / %4d  %s\n", r.Generated, r.Schemas, pct(r.Generated, r.Schemas))
	fmt.Fprintf(&b, "packages compiled  %4d / %4d  %s\n", r.Compiled, r.Schemas, pct(r.Compiled, r.Schemas))
	fmt.Fprintf(&b, "instances decoded  %4d / %4d  %s\n", r.Decoded, r.Instances, pct(r.Decoded, r.Instances))
	fmt.Fprintf(&b, "Validate() accepts %4d / %4d  %s\n", r.ValidateOK, r.Instances, pct(r.ValidateOK, r.Instances))
	fmt.Fprintf(&b, "stable re-encode   %4d / %4d  %s\n", r.Stable, r.Instances, pct(r.Stable, r.Instances))
	fmt.Fprintf(&b, "lossless           %4d / %4d  %s\n", r.Lossless, r.Instances, pct(r.Lossless, r.Instances))
	fmt.Fprintf(&b, "still valid        %4d / %4d  %s\n", r.Valid, r.Instances, pct(r.Valid, r.Instances))
	fmt.Fprintf(&b, "lossless and valid %4d / %4d  %s\n", r.LosslessValid, r.Instances, pct(r.LosslessValid, r.Instances))
	fmt.Fprintf(&b, "instances their own schema accepts %4d; of them decoded, lossless, stable and still valid %4d  %s\n",
		r.SchemaAccepts, r.AcceptedRoundTrip, pct(r.AcceptedRoundTrip, r.SchemaAccepts))
	fmt.Fprintf(&b, "instances their own schema rejects %4d; of them rejected on decode %4d  %s\n",
		r.SchemaRejects, r.RejectedOnDecode, pct(r.RejectedOnDecode, r.SchemaRejects))
	fmt.Fprintf(&b, "mutants: decoder agrees with the runtime validator %d / %d  %s\n", r.Agree, r.Mutants, pct(r.Agree, r.Mutants))
	if r.Unvalidatable > 0 {
		fmt.Fprintf(&b, "(%d instances not validated: the reference validator cannot compile their schema)\n", r.Unvalidatable)
	}
	if r.Lenient > 0 {
		fmt.Fprintf(&b, "(%d instances validated against the lenient reading of a schema that does not compile as written)\n", r.Lenient)
	}
	fmt.Fprintf(&b, "time: generate %v, compile %v, check %v\n", r.GenerateTime.Round(1e6), r.CompileTime.Round(1e6), r.CheckTime.Round(1e6))
	return b.String()
}

func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpus run builds a module of generated packages; skipped in -short mode")
	}
	repo, err := FindRepo(".")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(Options{Corpus: testenv.Corpus(t), Repo: repo, Work: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	for _, f := range r.Failures {
		list.WriteString(f.String())
		list.WriteByte('\n')
	}
	if err := os.WriteFile(*failuresFile, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("corpus figures:\n%sfailure list (%d): %s", summary(r), len(r.Failures), *failuresFile)
	checks := []struct {
		name      string
		got, want int
	}{
		{"generated", r.Generated, floor.Generated},
		{"compiled", r.Compiled, floor.Compiled},
		{"decoded", r.Decoded, floor.Decoded},
		{"Validate() accepts", r.ValidateOK, floor.ValidateOK},
		{"stable re-encode", r.Stable, floor.Stable},
		{"lossless", r.Lossless, floor.Lossless},
		{"valid", r.Valid, floor.Valid},
		{"lossless and valid", r.LosslessValid, floor.LosslessValid},
		{"mutants agreeing", r.Agree, floor.Agree},
		{"schema-accepted instances round-tripping", r.AcceptedRoundTrip, floor.AcceptedRoundTrip},
	}
	for _, c := range checks {
		if c.got < c.want {
			t.Errorf("corpus regression: %s %d, floor %d (see %s)", c.name, c.got, c.want, *failuresFile)
		}
	}
	if r.RejectedOnDecode < r.SchemaRejects {
		t.Errorf("%d of %d instances their schema rejects decode (see %s)", r.SchemaRejects-r.RejectedOnDecode, r.SchemaRejects, *failuresFile)
	}
	if r.Compiled > r.Generated || r.Decoded > r.Instances || r.Lossless > r.Decoded || r.LosslessValid > r.Valid {
		t.Errorf("inconsistent figures: %+v", r)
	}
}

// BenchmarkGenerateCorpus generates every corpus schema, one package per
// schema as the corpus run does; one iteration is the whole corpus.
func BenchmarkGenerateCorpus(b *testing.B) {
	dir := testenv.Corpus(b)
	cases, err := listCorpus(dir)
	if err != nil {
		b.Fatal(err)
	}
	fsys := os.DirFS(filepath.Join(dir, "schemas"))
	failed := 0
	cpu0 := cpuTime(b)
	for b.Loop() {
		failed = 0
		for _, c := range cases {
			if _, err := gen.Generate(gen.Config{FS: fsys, Schemas: []string{c.file}, Package: c.pkg}); err != nil {
				failed++
			}
		}
	}
	// CPU time is reported beside wall time: on a shared machine the wall
	// time measures the neighbours as much as the generator.
	b.ReportMetric((cpuTime(b)-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(len(cases)), "schemas/op")
	b.ReportMetric(float64(failed), "failed/op")
}

// cpuTime is the user plus system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
