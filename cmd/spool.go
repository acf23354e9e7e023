package cmd

import (
	"bytes"
	"io"
	"os"
)

// spool holds a command's output until the run is known to succeed: in
// memory up to a limit, then in a temporary file, so a large ledger does
// not grow the process.
type spool struct {
	mem   bytes.Buffer
	file  *os.File
	limit int
}

func newSpool(limit int) *spool { return &spool{limit: limit} }

func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && s.mem.Len()+len(p) <= s.limit {
		return s.mem.Write(p)
	}
	if s.file == nil {
		f, err := os.CreateTemp("", "wacost-out-*")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := s.mem.WriteTo(f); err != nil {
			return 0, err
		}
	}
	return s.file.Write(p)
}

// Reset discards what was written.
func (s *spool) Reset() {
	s.mem.Reset()
	s.Close()
}

// WriteTo copies the spooled output to w.
func (s *spool) WriteTo(w io.Writer) (int64, error) {
	if s.file == nil {
		return s.mem.WriteTo(w)
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
