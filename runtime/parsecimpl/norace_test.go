//go:build !race

package parsecimpl

const raceEnabled = false
