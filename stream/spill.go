package stream

import (
	"bufio"
	"io"
	"sort"
	"time"

	"github.com/wacost/wacost/msglog"
)

// Sorter is an external sort one message at a time: it holds at most max
// messages, past that sorted runs go to RunFiles, and Sorted reads them
// all back in replay order, as often as asked.
type Sorter struct {
	max    int
	newRun func() (RunFile, error)
	buf    []msglog.Message
	runs   []RunFile
	sorted bool
	// N counts the messages added.
	N int64
}

// NewSorter holds up to inMemory messages in memory.
func NewSorter(inMemory int, newRun func() (RunFile, error)) *Sorter {
	return &Sorter{max: max(inMemory, 1), newRun: newRun}
}

// Add adds a copy of *m.
func (s *Sorter) Add(m *msglog.Message) error {
	s.buf = append(s.buf, *m)
	s.N++
	if len(s.buf) >= s.max {
		return s.spill()
	}
	return nil
}

func (s *Sorter) sortBuf() {
	sort.Slice(s.buf, func(i, j int) bool { return msglog.Less(&s.buf[i], &s.buf[j]) })
}

// spill writes the held messages, sorted, as a run.
func (s *Sorter) spill() error {
	s.sortBuf()
	f, err := s.newRun()
	if err != nil {
		return err
	}
	s.runs = append(s.runs, f)
	run := NewSpool(f)
	for i := range s.buf {
		if err := run.Write(&s.buf[i]); err != nil {
			return err
		}
	}
	if err := run.w.Flush(); err != nil {
		return err
	}
	clear(s.buf) // the strings go with them
	s.buf = s.buf[:0]
	return nil
}

// Sorted reads every message added, in replay order, with shift added to
// each one's time (the order is the same for any shift). Each call reads
// them again from the start; no Add may follow the first.
func (s *Sorter) Sorted(shift time.Duration) (msglog.Reader, error) {
	rs, err := s.Runs(shift)
	if err != nil {
		return nil, err
	}
	return Merge(rs...), nil // (one run: itself)
}

// Runs is Sorted as its sorted runs, each in replay order, to merge with
// other readers in one Merge.
func (s *Sorter) Runs(shift time.Duration) ([]msglog.Reader, error) {
	if !s.sorted {
		s.sorted = true
		if len(s.runs) > 0 && len(s.buf) > 0 {
			if err := s.spill(); err != nil {
				return nil, err
			}
		} else {
			s.sortBuf()
		}
	}
	var rs []msglog.Reader
	if len(s.runs) == 0 {
		rs = append(rs, &Slice{Msgs: s.buf})
	}
	for _, f := range s.runs {
		rd, err := f.Rewind()
		if err != nil {
			return nil, err
		}
		// A merge may hold hundreds of runs: small buffers and blocks.
		rs = append(rs, &runReader{r: bufio.NewReaderSize(rd, 16<<10), arena: msglog.Arena{Block: 2 << 10}})
	}
	if shift != 0 {
		for i := range rs {
			rs[i] = &shifted{r: rs[i], by: shift}
		}
	}
	return rs, nil
}

// Compact merges the sorted runs into one, for a sorter read many times:
// each read then merges one run, not many (the old runs are removed).
func (s *Sorter) Compact() error {
	rs, err := s.Runs(0)
	if err != nil || len(s.runs) < 2 {
		return err
	}
	f, err := s.newRun()
	if err != nil {
		return err
	}
	one := NewSpool(f)
	if err := copyAll(one, Merge(rs...)); err != nil {
		f.Close()
		return err
	}
	if err := one.w.Flush(); err != nil {
		f.Close()
		return err
	}
	for _, old := range s.runs {
		old.Close()
	}
	s.runs = []RunFile{f}
	return nil
}

// copyAll writes every message of r to sp.
func copyAll(sp *Spool, r msglog.Reader) error {
	var m msglog.Message
	for {
		err := r.Read(&m)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := sp.Write(&m); err != nil {
			return err
		}
	}
}

// Close removes the runs.
func (s *Sorter) Close() {
	for _, f := range s.runs {
		f.Close()
	}
	s.runs, s.buf = nil, nil
}

type shifted struct {
	r  msglog.Reader
	by time.Duration
}

func (s *shifted) Read(m *msglog.Message) error {
	err := s.r.Read(m)
	if err == nil {
		m.Time = m.Time.Add(s.by)
	}
	return err
}

// Spool keeps messages in the order written, in a RunFile, to be read
// back as often as asked.
type Spool struct {
	f       RunFile
	w       *bufio.Writer
	scratch []byte
	// N counts the messages written.
	N int64
}

// NewSpool spools into f.
func NewSpool(f RunFile) *Spool { return &Spool{f: f, w: bufio.NewWriterSize(f, 1<<16)} }

// Write appends *m.
func (s *Spool) Write(m *msglog.Message) error {
	s.N++
	s.scratch = encode(s.scratch[:0], m)
	_, err := s.w.Write(s.scratch)
	return err
}

// Reader reads the spool from its start; no Write may follow the first.
func (s *Spool) Reader() (msglog.Reader, error) {
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	rd, err := s.f.Rewind()
	if err != nil {
		return nil, err
	}
	return &runReader{r: bufio.NewReaderSize(rd, 1<<16)}, nil
}

// Close removes the spool's file.
func (s *Spool) Close() error { return s.f.Close() }
