package replay

import (
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/stream"
)

// input is one log to read, re-openable for a second (sorted) pass.
type input struct {
	name  string
	open  func() (io.ReadCloser, error)
	spool *os.File // standard input, copied here while first read
	size  int64    // bytes, -1 if not known (standard input)
}

// ErrStdinTwice: standard input was named twice among the inputs.
var ErrStdinTwice = errors.New("standard input (-) given twice")

// openInputs makes the inputs of files ("-" or none: stdin, copied to a
// temporary file as it is first read, for a second pass). cleanup removes
// that copy.
func openInputs(stdin io.Reader, files []string) ([]*input, func(), error) {
	if len(files) == 0 {
		files = []string{"-"}
	}
	var ins []*input
	cleanup := func() {
		for _, in := range ins {
			if in.spool != nil {
				in.spool.Close()
				os.Remove(in.spool.Name())
			}
		}
	}
	stdinUsed := false
	var seen []*input          // the files so far: one given twice would count twice
	var seenInfo []os.FileInfo // and what they are
	for _, f := range files {
		if f == "-" {
			if stdinUsed {
				return nil, cleanup, &UsageError{ErrStdinTwice}
			}
			stdinUsed = true
			in, err := stdinInput(stdin)
			if err != nil {
				return nil, cleanup, err
			}
			ins = append(ins, in)
			continue
		}
		st, err := os.Stat(f)
		if err != nil {
			return nil, cleanup, fmt.Errorf("%s: %w", f, errors.Unwrap(err))
		}
		for i, prev := range seenInfo {
			if os.SameFile(prev, st) {
				return nil, cleanup, &UsageError{fmt.Errorf("%s: given twice (as %s too): its rows would count twice", f, seen[i].name)}
			}
		}
		var in *input
		switch {
		case st.IsDir():
			in, err = dirInput(f)
		case strings.EqualFold(filepath.Ext(f), ".zip"):
			in, err = zipInput(f)
		default:
			in = &input{name: f, size: st.Size(), open: func() (io.ReadCloser, error) {
				fh, err := os.Open(f)
				if err != nil {
					return nil, err
				}
				return newReadAhead(fh), nil
			}}
		}
		if err != nil {
			return nil, cleanup, err
		}
		ins, seen, seenInfo = append(ins, in), append(seen, in), append(seenInfo, st)
	}
	return ins, cleanup, nil
}

// stdinInput is standard input, copied to a temporary file while it is
// read, and read again from there (and then from where it stopped).
// dirInput is a directory of webhook bodies as one input: its .json,
// .ndjson and .gz files in name order, each after a msglog.FileMark line
// so that positions name the file (a message's statuses may be in
// several files, so they are read as one log).
func dirInput(dir string) (*input, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	var size int64
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		if e.Type().IsRegular() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".ndjson") || strings.HasSuffix(n, ".json.gz") || strings.HasSuffix(n, ".ndjson.gz")) {
			files = append(files, filepath.Join(dir, e.Name()))
			if info, err := e.Info(); err == nil {
				size += info.Size()
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: a directory with no .json, .ndjson or .gz file (a directory is read as webhook bodies, one a file)", dir)
	}
	sort.Strings(files)
	return &input{name: dir, size: size, open: func() (io.ReadCloser, error) { return &dirReader{files: files}, nil }}, nil
}

// zipInput is the chat of a WhatsApp export's .zip: its one .txt file
// (the rest are the chat's media).
func zipInput(path string) (*input, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	var txt []string
	var size int64
	for _, f := range zr.File {
		if strings.EqualFold(filepath.Ext(f.Name), ".txt") {
			txt, size = append(txt, f.Name), int64(f.UncompressedSize64)
		}
	}
	if len(txt) != 1 {
		return nil, fmt.Errorf("%s: %d .txt files (a chat export's .zip holds one, the chat)", path, len(txt))
	}
	name := path + ":" + txt[0]
	return &input{name: name, size: size, open: func() (io.ReadCloser, error) {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, err
		}
		for _, f := range zr.File {
			if f.Name == txt[0] {
				rc, err := f.Open()
				if err != nil {
					zr.Close()
					return nil, err
				}
				return zipMember{rc, zr}, nil
			}
		}
		zr.Close()
		return nil, fmt.Errorf("%s: %s is gone", path, txt[0])
	}}, nil
}

// zipMember is a file in a zip, closing the zip with it.
type zipMember struct {
	io.ReadCloser
	zip *zip.ReadCloser
}

func (z zipMember) Close() error {
	z.ReadCloser.Close()
	return z.zip.Close()
}

// dirReader reads files one after another, each after its FileMark.
type dirReader struct {
	files []string
	cur   io.Reader
	f     *os.File
}

func (d *dirReader) Read(p []byte) (int, error) {
	for {
		if d.cur != nil {
			n, err := d.cur.Read(p)
			if err != io.EOF {
				return n, err
			}
			if n > 0 {
				return n, nil
			}
			d.Close()
			d.cur = nil
		}
		if len(d.files) == 0 {
			return 0, io.EOF
		}
		name := d.files[0]
		d.files = d.files[1:]
		f, err := os.Open(name)
		if err != nil {
			return 0, err
		}
		d.f = f
		var body io.Reader = f
		if strings.HasSuffix(strings.ToLower(name), ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return 0, fmt.Errorf("%s: gzip: %w", name, err)
			}
			body = zr
		}
		d.cur = io.MultiReader(strings.NewReader(msglog.FileMark(name)), body, strings.NewReader("\n"))
	}
}

func (d *dirReader) Close() error {
	if d.f != nil {
		err := d.f.Close()
		d.f = nil
		return err
	}
	return nil
}

func stdinInput(stdin io.Reader) (*input, error) {
	sp, err := os.CreateTemp("", "wacost-stdin-*")
	if err != nil {
		return nil, err
	}
	in := &input{name: "stdin", spool: sp, size: -1}
	var mu sync.Mutex // one pass reads standard input at a time
	in.open = func() (io.ReadCloser, error) {
		mu.Lock()
		defer mu.Unlock()
		// What earlier passes copied (a pass that stopped early, to sort,
		// did not read it all), then the rest of standard input, copied
		// too for a pass after this one.
		n, err := sp.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		return &stdinPass{mu: &mu, r: io.MultiReader(io.NewSectionReader(sp, 0, n), io.TeeReader(stdin, sp))}, nil
	}
	return in, nil
}

// stdinPass is one pass over standard input. Once closed it reads no
// more, so that a pass ended early (its read-ahead may still be reading)
// takes nothing from the next.
type stdinPass struct {
	mu     *sync.Mutex
	r      io.Reader
	closed bool
}

var errPassClosed = errors.New("standard input: read after its pass ended")

func (p *stdinPass) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, errPassClosed
	}
	return p.r.Read(b)
}

// Close ends the pass, once a read under way has returned.
func (p *stdinPass) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return nil
}

// inputSize is the inputs' total size in bytes, 0 if one is standard input.
func inputSize(ins []*input) int64 {
	var n int64
	for _, in := range ins {
		if in.size < 0 {
			return 0
		}
		n += in.size
	}
	return n
}

// allFiles says whether every input is a file (which each part of a
// replay in parts reads on its own).
func allFiles(ins []*input) bool {
	for _, in := range ins {
		if in.spool != nil {
			return false
		}
	}
	return true
}

// tempRun is a sorted run of the external sort, in a temporary file that
// is removed when closed.
type tempRun struct{ *os.File }

// NewTempRun is a temporary file for a sort's run or a spool, removed
// when closed.
func NewTempRun() (stream.RunFile, error) { return newTempRun() }

func newTempRun() (stream.RunFile, error) {
	f, err := os.CreateTemp("", "wacost-sort-*")
	if err != nil {
		return nil, err
	}
	return tempRun{f}, nil
}

// Rewind reads the run from its start, by offset: readers of one run may
// read side by side (once it is written).
func (t tempRun) Rewind() (io.Reader, error) {
	size, err := t.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	return io.NewSectionReader(t.File, 0, size), nil
}

func (t tempRun) Close() error {
	t.File.Close()
	return os.Remove(t.Name())
}

// rowErrors collects bad rows and lists them on stderr, up to a limit,
// once the pass that found them is the one that counts.
type rowErrors struct {
	w     io.Writer
	max   int
	mask  func(string) string // Plan.Mask
	count int
	first []string
}

func (r *rowErrors) add(err error) {
	r.count++
	if r.count <= r.max {
		r.first = append(r.first, msglog.MaskedError(err, r.mask))
	}
}

func (r *rowErrors) flush(skipped bool) {
	for _, e := range r.first {
		fmt.Fprintf(r.w, "wacost: %s\n", e)
	}
	if r.count > r.max {
		fmt.Fprintf(r.w, "wacost: ... and %d more bad rows\n", r.count-r.max)
	}
	if r.count > 0 && !skipped {
		fmt.Fprintf(r.w, "wacost: %d bad rows; fix them, or run with --skip-invalid to skip and count them\n", r.count)
	}
}
