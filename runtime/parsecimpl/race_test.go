//go:build race

package parsecimpl

// raceEnabled: the race detector makes sync.Pool drop items on purpose, so
// allocation counts are not exact.
const raceEnabled = true
