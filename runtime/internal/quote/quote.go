// Package quote shortens values quoted in the runtime's error messages, so
// that a huge payload value does not become a huge error.
package quote

// Truncate shortens s to 64 code points, marking a cut with "...".
func Truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
