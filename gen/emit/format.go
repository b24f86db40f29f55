package emit

import (
	"bytes"
	"go/format"
	"runtime"
	"sync"
)

// piecePrefix starts every piece but the first.
const piecePrefix = "package p\n\n"

// pieceMin is the smallest piece a file is cut into for formatting: below
// it, the cost of starting a parser outweighs the parallelism.
const pieceMin = 256 << 10

// formatSource returns what format.Source returns for the complete Go file
// src. A large file is cut at top-level declaration boundaries and the pieces
// are formatted in parallel. The result is the same bytes: gofmt lays out
// each top-level declaration on its own, and between two declarations that
// the source separates by at least one blank line it writes exactly one.
// Every piece is formatted as a file: the first holds the package clause and
// the imports, the others get a package clause that is removed afterwards.
// If any piece fails, the whole file is formatted in one piece, so errors are
// those of format.Source.
func formatSource(src []byte) ([]byte, error) {
	return formatPieces(src, min(runtime.GOMAXPROCS(0), len(src)/pieceMin))
}

// formatPieces formats src cut into at most n pieces.
func formatPieces(src []byte, n int) ([]byte, error) {
	cuts := declCuts(src, n)
	if len(cuts) == 0 {
		return format.Source(src)
	}
	bounds := append(append([]int{0}, cuts...), len(src))
	outs := make([][]byte, len(bounds)-1)
	errs := make([]error, len(outs))
	var wg sync.WaitGroup
	for i := range outs {
		piece := src[bounds[i]:bounds[i+1]]
		if i > 0 {
			// A later piece is formatted as a file of its own whose
			// package clause stands where the previous declaration
			// stood, a blank line above: every declaration keeps its
			// line and column relations, which layout depends on.
			piece = append(append([]byte(piecePrefix), bytes.TrimRight(piece, " \t\r\n")...), '\n')
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = format.Source(piece)
		}()
	}
	wg.Wait()
	size := 0
	for i, o := range outs {
		if errs[i] != nil || !bytes.HasSuffix(o, []byte("\n")) || i > 0 && !bytes.HasPrefix(o, []byte(piecePrefix)) {
			return format.Source(src)
		}
		if i > 0 {
			outs[i] = o[len(piecePrefix):]
		}
		size += len(outs[i]) + 1
	}
	out := make([]byte, 0, size)
	out = append(out, outs[0]...)
	for _, o := range outs[1:] {
		out = append(out, '\n')
		out = append(out, o...)
	}
	return out, nil
}

// declCuts returns up to n-1 offsets that cut src into about n pieces of
// similar size, each at the start of a line that begins a top-level
// declaration or its comment: outside any brace, bracket, parenthesis,
// string, rune or comment, preceded by a blank line, not indented, and not
// an import declaration (the first piece keeps all imports, which a file has
// sorted and a declaration list does not).
func declCuts(src []byte, n int) []int {
	if n < 2 {
		return nil
	}
	var cuts []int
	next := len(src) / n
	depth := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if depth == 0 && i >= next && i >= 2 && src[i-1] == '\n' && src[i-2] == '\n' && !isSpace(c) &&
			!bytes.HasPrefix(src[i:], []byte("import")) {
			cuts = append(cuts, i)
			if len(cuts) == n-1 {
				return cuts
			}
			next = len(src) * (len(cuts) + 1) / n
		}
		switch c {
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				i = skipTo(src, i+2, "\n") - 1 // the newline itself is seen next
			} else if i+1 < len(src) && src[i+1] == '*' {
				i = skipTo(src, i+2, "*/") + 1
			}
		case '`':
			i = skipTo(src, i+1, "`")
		case '"', '\'':
			i = skipQuoted(src, i+1, c)
		}
	}
	return cuts
}

// skipTo returns the offset of the next end at or after i, or the end of src.
func skipTo(src []byte, i int, end string) int {
	if j := bytes.Index(src[i:], []byte(end)); j >= 0 {
		return i + j
	}
	return len(src)
}

// skipQuoted returns the offset of the quote q closing the literal whose
// content starts at i, skipping escaped characters.
func skipQuoted(src []byte, i int, q byte) int {
	for ; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case q, '\n':
			return i
		}
	}
	return len(src)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
