package cmd

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wacost/wacost/replay"
)

// progress shows a long replay's progress on stderr: how much of the
// inputs has been read (of their size, when known), the rows replayed,
// the rate and the time left. On a terminal it is one line, redrawn in
// place every progressEvery; with --progress always anywhere else (a CI
// log), a line every progressLogEvery, and a last one when the replay
// ends. Whatever else the replay writes to stderr goes through Write,
// which clears the line first, so the two never mix.
type progress struct {
	w     io.Writer
	tty   bool
	total int64 // the inputs' size in bytes; 0 if unknown (standard input)
	every time.Duration
	now   func() time.Time

	tally atomic.Pointer[replay.Tally] // the phase under way's

	mu    sync.Mutex
	phase string // what the line says is being done
	from  time.Time
	shown int // the width of the line on the terminal, 0 if none
	ended bool
	stop  chan struct{}
	done  chan struct{}
}

// How often the line is redrawn on a terminal, and written elsewhere.
var (
	progressEvery    = 250 * time.Millisecond
	progressLogEvery = 10 * time.Second
)

// progressModes are --progress's values.
var progressModes = []string{"auto", "always", "never"}

// newProgress starts showing progress for a replay of inputs of total
// bytes (0: unknown) on w, as mode says ("auto": only on a terminal, and
// not with -q); nil if it is not shown.
func newProgress(w io.Writer, mode string, quiet bool, total int64) *progress {
	tty := isTerminal(w)
	switch mode {
	case "never":
		return nil
	case "auto":
		if !tty || quiet {
			return nil
		}
	}
	p := &progress{w: w, tty: tty, every: progressEvery, now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	if !tty {
		p.every = progressLogEvery
	}
	p.total = total
	p.Begin("reading", 1)
	go p.run()
	return p
}

// Begin starts counting afresh: a new phase, with the inputs read reads
// times side by side.
func (p *progress) Begin(phase string, reads int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.from = phase, p.now()
	p.tally.Store(&replay.Tally{Reads: int64(max(reads, 1))})
}

// Tally is the tally a reader opened now counts in (nil if no progress
// is shown).
func (p *progress) Tally() *replay.Tally {
	if p == nil {
		return nil
	}
	return p.tally.Load()
}

func (p *progress) run() {
	defer close(p.done)
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.draw(p.line(p.now().Sub(p.from), false))
			p.mu.Unlock()
		}
	}
}

// draw shows a line: in place on a terminal, else as a line of its own.
func (p *progress) draw(s string) {
	if !p.tty {
		fmt.Fprintln(p.w, s)
		return
	}
	pad := ""
	if n := len(s); n < p.shown {
		pad = strings.Repeat(" ", p.shown-n)
	}
	fmt.Fprint(p.w, "\r"+s+pad)
	p.shown = len(s)
}

// clear takes the line off the terminal.
func (p *progress) clear() {
	if p.tty && p.shown > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.shown)+"\r")
		p.shown = 0
	}
}

// Write writes b to stderr, below or instead of the line.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	return p.w.Write(b)
}

// End stops the line (clearing it from a terminal, or writing a last
// one elsewhere). It may be called more than once.
func (p *progress) End() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.ended {
		p.mu.Unlock()
		return
	}
	p.ended = true
	p.mu.Unlock()
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		p.clear()
	} else {
		p.draw(p.line(p.now().Sub(p.from), true))
	}
}

// line is the progress after elapsed time in the phase; last for the
// line written when the replay has ended.
func (p *progress) line(elapsed time.Duration, last bool) string {
	t := p.tally.Load()
	read, rows := t.Bytes.Load()/t.Reads, t.Rows.Load()
	var b strings.Builder
	b.WriteString("wacost: ")
	if last {
		fmt.Fprintf(&b, "read %s, %s rows, in %s", sizeString(read), countString(rows), elapsed.Round(time.Millisecond))
	} else {
		b.WriteString(p.phase + " ")
		if p.total > 0 {
			fmt.Fprintf(&b, "%s of %s (%d%%)", sizeString(read), sizeString(p.total), min(100, read*100/p.total))
		} else {
			b.WriteString(sizeString(read))
		}
		fmt.Fprintf(&b, ", %s rows", countString(rows))
	}
	if s := elapsed.Seconds(); s > 0 {
		rate := countString(int64(float64(rows) / s))
		if last {
			fmt.Fprintf(&b, " (%s rows/s)", rate)
			return b.String()
		}
		fmt.Fprintf(&b, ", %s rows/s", rate)
		if p.total > 0 && read > 0 && read < p.total {
			left := time.Duration(float64(p.total-read) / float64(read) * float64(elapsed)).Round(time.Second)
			if left < time.Second {
				b.WriteString(", less than 1s left")
			} else {
				fmt.Fprintf(&b, ", about %s left", left)
			}
		}
	}
	return b.String()
}

// sizeString writes a size in bytes for people: 780 MB, 1.56 GB.
func sizeString(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// countString writes a count for people: 950, 12k, 4.2M.
func countString(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// phases is the phase line of a run's later phases on stderr, as its
// --progress asks (always; auto: on a terminal, unless -q), or nil.
func phases(s *streams, o *simulateOptions) func(phase string, done, n int) {
	if o.progress == "always" || (o.progress != "never" && !o.quiet && isTerminal(s.err)) {
		return phaseLine(s.err, isTerminal(s.err))
	}
	return nil
}

// phaseLine shows the phases of a command that replays a log many times
// (backlog's plans and delay curve): on a terminal one line redrawn in
// place and cleared at the end, elsewhere a line when a phase ends.
func phaseLine(w io.Writer, tty bool) func(phase string, done, n int) {
	shown := 0
	return func(phase string, done, n int) {
		line := fmt.Sprintf("wacost: pricing %s: %d of %d", phase, done, n)
		switch {
		case tty && done < n:
			fmt.Fprintf(w, "\r%-*s", shown, line)
			shown = len(line)
		case tty:
			fmt.Fprintf(w, "\r%s\r", strings.Repeat(" ", max(shown, len(line))))
			shown = 0
		case done == n:
			fmt.Fprintln(w, line)
		}
	}
}
