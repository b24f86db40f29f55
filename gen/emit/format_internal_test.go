package emit

import (
	"bytes"
	"go/format"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestFormatPiecesMatchesFormatSource formats every generated file of the
// golden cases, with its indentation and alignment removed the way jennifer
// writes source, both in one piece and cut into 2 to 6 pieces: the bytes must
// be the same.
func TestFormatPiecesMatchesFormatSource(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if !strings.HasSuffix(f.Name, ".go") {
				continue
			}
			src := unformat(f.Data)
			want, err := format.Source(src)
			if err != nil {
				t.Fatalf("%s %s: %v", p, f.Name, err)
			}
			for n := 2; n <= 6; n++ {
				if len(declCuts(src, n)) > 0 {
					cut++
				}
				got, err := formatPieces(src, n)
				if err != nil {
					t.Fatalf("%s %s in %d pieces: %v", p, f.Name, n, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s %s in %d pieces differs from format.Source:\n%s", p, f.Name, n, got)
				}
			}
		}
	}
	if cut < 100 {
		t.Fatalf("only %d files were cut into pieces; the test exercises too little", cut)
	}
}

// TestDeclCutsSkipsLiterals checks that nothing inside a comment, string,
// rune, raw string or block is taken for a declaration boundary.
func TestDeclCutsSkipsLiterals(t *testing.T) {
	src := []byte("package p\n\nimport \"fmt\"\n\n" +
		"/*\n\nfunc a() {}\n*/\n\n" +
		"var s = `\n\nfunc b() {}\n`\n\n" +
		"var r, q = '\"', \"\\\"`\"\n\n" +
		"func c() {\n\nfmt.Println()\n}\n\n" +
		"// D is the boundary.\nfunc D() {}\n")
	if cuts := declCuts(src, 2); len(cuts) != 1 {
		t.Fatalf("cuts = %v, want one", cuts)
	}
	for n := 2; n <= 8; n++ {
		for _, c := range declCuts(src, n) {
			rest := string(src[c:])
			for _, bad := range []string{"func a", "func b", "fmt.Println", "import", "*/"} {
				if strings.HasPrefix(rest, bad) {
					t.Errorf("%d pieces: cut at %q", n, rest)
				}
			}
		}
		want, err := format.Source(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := formatPieces(src, n)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%d pieces: got %q, %v; want %q", n, got, err, want)
		}
	}
}

// TestFormatPiecesReportsErrors checks that source which does not parse is
// reported as format.Source reports it.
func TestFormatPiecesReportsErrors(t *testing.T) {
	src := []byte("package p\n\nfunc a() {}\n\nfunc b() {\n\nfunc c() {}\n")
	_, want := format.Source(src)
	if want == nil {
		t.Fatal("format.Source accepted invalid source")
	}
	_, err := formatPieces(src, 3)
	if err == nil || err.Error() != want.Error() {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// unformat removes the indentation and the alignment gofmt adds, leaving
// source shaped like jennifer's output.
func unformat(src []byte) []byte {
	lines := bytes.Split(src, []byte("\n"))
	for i, l := range lines {
		l = bytes.TrimLeft(l, "\t")
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("//")) {
			for bytes.Contains(l, []byte("  ")) && !bytes.ContainsAny(l, "\"`'") {
				l = bytes.ReplaceAll(l, []byte("  "), []byte(" "))
			}
		}
		lines[i] = l
	}
	return bytes.Join(lines, []byte("\n"))
}

// BenchmarkFormat compares formatting a large generated file in one piece
// (format.Source) with formatSource, which cuts it at declarations and
// formats the pieces in parallel. The file is the largest golden output,
// its declarations repeated until it is about 2 MB, the size of the largest
// corpus outputs.
func BenchmarkFormat(b *testing.B) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "*.txtar"))
	if err != nil {
		b.Fatal(err)
	}
	var file []byte
	for _, p := range paths {
		a, err := txtar.ParseFile(p)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range a.Files {
			if strings.HasSuffix(f.Name, ".go") && len(f.Data) > len(file) {
				file = f.Data
			}
		}
	}
	src := unformat(file)
	head, body, ok := bytes.Cut(src, []byte("\n)\n")) // after the import block
	if !ok {
		b.Fatal("no import block in the golden file")
	}
	big := append(append([]byte{}, head...), "\n)\n"...)
	for len(big) < 2<<20 {
		big = append(big, body...)
		big = append(big, '\n')
	}
	want, err := format.Source(big)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		fn   func([]byte) ([]byte, error)
	}{{"format.Source", format.Source}, {"formatSource", formatSource}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(big)))
			for b.Loop() {
				got, err := bc.fn(big)
				if err != nil || !bytes.Equal(got, want) {
					b.Fatalf("output differs from format.Source (err %v)", err)
				}
			}
		})
	}
}
