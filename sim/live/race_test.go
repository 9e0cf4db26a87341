//go:build race

package live

// raceEnabled reports whether the race detector is on.
const raceEnabled = true
