package stream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"time"

	"github.com/wacost/wacost/window"

	"github.com/wacost/wacost/msglog"
)

// RunFile is a temporary file for one sorted run of an external sort: the
// caller makes them (this package does no file I/O of its own).
type RunFile interface {
	io.Writer
	// Rewind makes the written run readable from its start.
	Rewind() (io.Reader, error)
	Close() error
}

// SortExternal reads every message of r and returns them in replay order,
// holding at most maxInMemory messages at a time: past that, sorted runs
// go to RunFiles from newRun and are merged k-way. With few enough
// messages nothing is written. Row errors go to onErr.
func SortExternal(r msglog.Reader, onErr func(error) error, maxInMemory int, newRun func() (RunFile, error)) (msglog.Reader, func(), error) {
	st := NewSorter(maxInMemory, newRun)
	var m msglog.Message
	for {
		err := r.Read(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := err.(*msglog.RowError); ok {
				if e := onErr(err); e != nil {
					return nil, st.Close, e
				}
				continue
			}
			return nil, st.Close, err
		}
		if err := st.Add(&m); err != nil {
			return nil, st.Close, err
		}
	}
	sorted, err := st.Sorted(0)
	return sorted, st.Close, err
}

// The run format: per message, a uvarint length, then the fields.

func putString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encode(b []byte, m *msglog.Message) []byte {
	body := make([]byte, 0, 128)
	body = binary.AppendVarint(body, m.Time.UnixNano())
	var flags byte
	if m.Template {
		flags |= 1
	}
	if m.Failed {
		flags |= 2
	}
	if m.Inferred {
		flags |= 4
	}
	if m.Echo {
		flags |= 8
	}
	body = append(body, byte(m.Direction), byte(m.EntryPoint), flags, m.ProviderCurrency)
	body = binary.AppendUvarint(body, uint64(m.Tokens))
	body = binary.AppendVarint(body, int64(m.ProviderPrice))
	for _, s := range []string{m.Customer, m.Business, m.Type, m.Category, m.Country, m.Status, m.ID, m.TemplateName, m.Agent, m.Sender, m.Label, m.Pos.File} {
		body = putString(body, s)
	}
	body = binary.AppendVarint(body, int64(m.Pos.Line))
	body = binary.AppendVarint(body, m.Pos.Seq)
	b = binary.AppendUvarint(b, uint64(len(body)))
	return append(b, body...)
}

var errCorrupt = errors.New("sort run: corrupt record")

type runReader struct {
	r   *bufio.Reader
	buf []byte
	// arena holds the strings read: one allocation a block, not a field.
	arena msglog.Arena
	// prev are the last message's fields, which the next often repeats.
	prev [12]string
}

// Read decodes the run's next message into *m.
func (rr *runReader) Read(m *msglog.Message) error {
	*m = msglog.Message{}
	return rr.decode(m)
}

// next is Read returning the message.
func (rr *runReader) next() (msglog.Message, error) {
	var m msglog.Message
	err := rr.decode(&m)
	return m, err
}

// decode decodes the next message into *m, which must be zero.
func (rr *runReader) decode(m *msglog.Message) error {
	n, err := binary.ReadUvarint(rr.r)
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return err
	}
	if cap(rr.buf) < int(n) {
		rr.buf = make([]byte, n)
	}
	b := rr.buf[:n]
	if _, err := io.ReadFull(rr.r, b); err != nil {
		return err
	}
	ns, k := binary.Varint(b)
	if k <= 0 || len(b) < k+4 {
		return errCorrupt
	}
	m.Time = time.Unix(0, ns).UTC()
	b = b[k:]
	m.Direction, m.EntryPoint = msglog.Direction(b[0]), window.EntryPoint(b[1])
	m.Template, m.Failed, m.Inferred, m.Echo = b[2]&1 != 0, b[2]&2 != 0, b[2]&4 != 0, b[2]&8 != 0
	m.ProviderCurrency = b[3]
	b = b[4:]
	tokens, k := binary.Uvarint(b)
	if k <= 0 || tokens > math.MaxUint32 {
		return errCorrupt
	}
	b = b[k:]
	price, k := binary.Varint(b)
	if k <= 0 || price < math.MinInt32 || price > math.MaxInt32 {
		return errCorrupt
	}
	b = b[k:]
	m.Tokens, m.ProviderPrice = uint32(tokens), int32(price)
	for f, dst := range [...]*string{&m.Customer, &m.Business, &m.Type, &m.Category, &m.Country, &m.Status, &m.ID, &m.TemplateName, &m.Agent, &m.Sender, &m.Label, &m.Pos.File} {
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return errCorrupt
		}
		v := b[k : k+int(l)]
		switch {
		case len(v) == 0:
			*dst = ""
		case string(v) == rr.prev[f]: // a business, type, status, file as the last message's
			*dst = rr.prev[f]
		default:
			*dst = rr.arena.Str(v)
			rr.prev[f] = *dst
		}
		b = b[k+int(l):]
	}
	line, k := binary.Varint(b)
	if k <= 0 {
		return errCorrupt
	}
	m.Pos.Line = int(line)
	seq, k2 := binary.Varint(b[k:])
	if k2 <= 0 {
		return errCorrupt
	}
	m.Pos.Seq = seq
	m.CustomerKey, _ = msglog.NumberKey(m.Customer) // as every reader sets it
	return nil
}
