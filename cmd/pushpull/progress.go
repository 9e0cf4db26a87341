package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// progress is the line a sweep keeps current on a terminal: points done of
// all, and the time so far. It writes nothing when stderr is not a
// terminal, such as in CI or when piped, nor when CI is set.
type progress struct {
	w     io.Writer
	on    bool
	start time.Time
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, on: isTerminal(w) && os.Getenv("CI") == "", start: time.Now()}
}

// update shows done of total points; Run calls it one point at a time.
func (p *progress) update(done, total int) {
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\rsweep: %d/%d points done, %v", done, total, time.Since(p.start).Round(100*time.Millisecond))
}

// done clears the line.
func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func workers() int { return runtime.GOMAXPROCS(0) }
