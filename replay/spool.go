package replay

import (
	"io"
	"os"
)

// Spool holds a command's output until the run is known to succeed: in
// memory up to a limit, then in a temporary file, so a large ledger does
// not grow the process. The memory part is a list of fixed-size chunks,
// so it never copies what it holds to grow.
//
// When the output is a regular file (wacost ... > out.csv), the Spool
// writes to it directly instead, remembering where it started: discarding
// truncates the file back, so a large ledger is not written twice.
type Spool struct {
	chunks [][]byte
	size   int
	file   *os.File
	limit  int
	// direct is the output file written in place, from offset start;
	// done is set once the output is kept.
	direct *os.File
	start  int64
	done   bool
}

const spoolChunk = 1 << 20

func newSpool(limit int) *Spool { return &Spool{limit: limit} }

// NewOutputSpool is a Spool for out: in place if out is a regular file
// that can be truncated back, else in memory and a temporary file.
func NewOutputSpool(out io.Writer, limit int) *Spool {
	s := newSpool(limit)
	f, ok := out.(*os.File)
	if !ok {
		return s
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return s
	}
	// Only at the file's end (">"): truncating back then restores it
	// exactly. (">>" reports offset 0 until its first write: spooled.)
	start, err := f.Seek(0, io.SeekCurrent)
	if err != nil || start != st.Size() {
		return s
	}
	s.direct, s.start = f, start
	return s
}

func (s *Spool) Write(p []byte) (int, error) {
	if s.direct != nil {
		return s.direct.Write(p)
	}
	if s.file == nil && s.size+len(p) <= s.limit {
		n := len(p)
		for len(p) > 0 {
			if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1]) == cap(s.chunks[len(s.chunks)-1]) {
				s.chunks = append(s.chunks, make([]byte, 0, spoolChunk))
			}
			last := &s.chunks[len(s.chunks)-1]
			k := min(len(p), cap(*last)-len(*last))
			*last = append(*last, p[:k]...)
			p = p[k:]
		}
		s.size += n
		return n, nil
	}
	if s.file == nil {
		f, err := os.CreateTemp("", "wacost-out-*")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := s.writeChunks(f); err != nil {
			return 0, err
		}
		s.chunks, s.size = nil, 0
	}
	return s.file.Write(p)
}

func (s *Spool) writeChunks(w io.Writer) (int64, error) {
	var total int64
	for _, c := range s.chunks {
		n, err := w.Write(c)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Reset discards what was written.
func (s *Spool) Reset() {
	if s.direct != nil {
		s.truncate()
		return
	}
	s.chunks, s.size = nil, 0
	s.Close()
}

func (s *Spool) truncate() {
	s.direct.Truncate(s.start)
	s.direct.Seek(s.start, io.SeekStart)
}

// WriteTo copies the spooled output to w (written in place already: the
// output is kept).
func (s *Spool) WriteTo(w io.Writer) (int64, error) {
	if s.direct != nil {
		s.done = true
		return 0, nil
	}
	if s.file == nil {
		return s.writeChunks(w)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, s.file)
}

// Close removes the temporary file, if any, or truncates an output
// written in place but not kept (the run failed).
func (s *Spool) Close() {
	if s.direct != nil {
		if !s.done {
			s.truncate()
		}
		return
	}
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}
