package cmd

import (
	"io"
	"os"
)

// spool holds a command's output until the run is known to succeed: in
// memory up to a limit, then in a temporary file, so a large ledger does
// not grow the process. The memory part is a list of fixed-size chunks,
// so it never copies what it holds to grow.
type spool struct {
	chunks [][]byte
	size   int
	file   *os.File
	limit  int
}

const spoolChunk = 1 << 20

func newSpool(limit int) *spool { return &spool{limit: limit} }

func (s *spool) Write(p []byte) (int, error) {
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

func (s *spool) writeChunks(w io.Writer) (int64, error) {
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
func (s *spool) Reset() {
	s.chunks, s.size = nil, 0
	s.Close()
}

// WriteTo copies the spooled output to w.
func (s *spool) WriteTo(w io.Writer) (int64, error) {
	if s.file == nil {
		return s.writeChunks(w)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, s.file)
}

// Close removes the temporary file, if any.
func (s *spool) Close() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}
