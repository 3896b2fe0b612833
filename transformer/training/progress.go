package training

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progressLine reports training progress as text on a writer of the caller's choice (the command
// line uses standard error, so that standard output carries only the results a script parses).
// On a terminal it rewrites one line ("\r") at most 5 times a second; elsewhere (a pipe, a log
// file) it writes a line at every tenth of the run.
type progressLine struct {
	w            io.Writer
	terminal     bool
	first, last  int64 // global steps at the start and the target
	start, shown time.Time
	tenth        int64
}

// newProgressLine starts a progress report from global step first to last.
func newProgressLine(w io.Writer, first, last int64) *progressLine {
	p := &progressLine{w: w, first: first, last: last, start: time.Now(), tenth: -1}
	if f, ok := w.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

// step reports the global step reached and the last batch loss.
func (p *progressLine) step(step int64, loss float64) {
	total := max(p.last-p.first, 1)
	done := step - p.first
	line := fmt.Sprintf("step %d/%d (%3.0f%%)  loss %.4f  %.1f steps/s", step, p.last, 100*float64(done)/float64(total),
		loss, float64(done)/max(time.Since(p.start).Seconds(), 1e-9))
	if p.terminal {
		if time.Since(p.shown) < 200*time.Millisecond && step < p.last {
			return
		}
		p.shown = time.Now()
		fmt.Fprintf(p.w, "\r%s\033[K", line)
		return
	}
	if tenth := 10 * done / total; tenth != p.tenth {
		p.tenth = tenth
		fmt.Fprintln(p.w, line)
	}
}

// end finishes the terminal line.
func (p *progressLine) end() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}
