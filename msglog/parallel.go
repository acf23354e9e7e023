package msglog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// parallelNDJSON parses NDJSON on several goroutines. NDJSON has one
// record a line, so the input can be cut anywhere after a newline: a
// splitter reads blocks of whole lines, workers parse them (each with a
// reader of its own, started at the block's first line number), and Next
// hands out the messages in input order. Row errors keep their place.
// Close stops the goroutines if the caller stops early.
type parallelNDJSON struct {
	order chan *ndBlock // blocks in input order, parsed or not yet
	free  chan *ndBlock
	done  chan struct{}
	cur   *ndBlock
	i     int
	end   error
	block int // bytes a block holds, about
}

type ndBlock struct {
	data  []byte
	first int // the line number of the block's first line
	items []item
	err   error // a read error after the block's data
	ready chan struct{}
}

// ndBlockSize is about how many bytes a block holds (a variable so that
// tests can cut inputs into many small blocks).
var ndBlockSize = 256 << 10

func newParallelNDJSON(br *bufio.Reader, o Options, workers int) *parallelNDJSON {
	p := &parallelNDJSON{order: make(chan *ndBlock, 2*workers), free: make(chan *ndBlock, 2*workers+2), done: make(chan struct{}), block: ndBlockSize}
	work := make(chan *ndBlock, workers)
	go p.split(br, o, work)
	for w := 0; w < workers; w++ {
		go p.parse(newNDJSONReader(bufio.NewReaderSize(nil, 64<<10), o), work)
	}
	return p
}

// split reads br into blocks that end after a newline (the last may not).
func (p *parallelNDJSON) split(br *bufio.Reader, o Options, work chan<- *ndBlock) {
	defer close(work)
	defer close(p.order)
	line := 1
	var carry []byte
	for {
		var b *ndBlock
		select {
		case b = <-p.free:
			b.items, b.err = b.items[:0], nil
		default:
			b = &ndBlock{}
		}
		b.ready = make(chan struct{})
		data := append(b.data[:0], carry...)
		if cap(data) < len(carry)+p.block {
			data = append(make([]byte, 0, len(carry)+p.block), carry...)
		}
		var rerr error
		for len(data) < p.block && rerr == nil {
			n, err := br.Read(data[len(data):cap(data)])
			data, rerr = data[:len(data)+n], err
		}
		carry = carry[:0]
		if rerr == nil {
			k := bytes.LastIndexByte(data, '\n')
			if k < 0 { // one line longer than the block: read to its end, keeping what shows it too long
				data, rerr = readRestOfLine(br, data, o.maxRecord()+2)
			} else {
				carry = append(carry, data[k+1:]...)
				data = data[:k+1]
			}
		}
		if rerr != nil && rerr != io.EOF {
			b.err = fmt.Errorf("%s: %w", o.Name, rerr)
		}
		b.data, b.first = data, line
		line += bytes.Count(data, []byte{'\n'})
		select {
		case p.order <- b:
		case <-p.done:
			return
		}
		select {
		case work <- b:
		case <-p.done:
			return
		}
		if rerr != nil {
			return
		}
	}
}

// readRestOfLine appends the rest of br's line to data, keeping at most
// max bytes of the line in all (and its line break).
func readRestOfLine(br *bufio.Reader, data []byte, max int) ([]byte, error) {
	start := bytes.LastIndexByte(data, '\n') + 1
	for {
		b, err := br.ReadSlice('\n')
		if keep := max - (len(data) - start); keep > 0 {
			data = append(data, b[:min(len(b), keep)]...)
		}
		if err != bufio.ErrBufferFull {
			if len(b) > 0 && b[len(b)-1] == '\n' && (len(data) == 0 || data[len(data)-1] != '\n') {
				data = append(data, '\n')
			}
			return data, err
		}
	}
}

// parse turns blocks into messages with a reader of its own.
func (p *parallelNDJSON) parse(r *ndjsonReader, work <-chan *ndBlock) {
	for b := range work {
		r.br.Reset(bytes.NewReader(b.data))
		r.line = b.first - 1
		for {
			b.items = append(b.items, item{}) // built in place
			it := &b.items[len(b.items)-1]
			err := r.Read(&it.m)
			if err == io.EOF {
				b.items = b.items[:len(b.items)-1]
				break
			}
			if it.err = err; err != nil {
				it.m = Message{}
				if !isRowError(err) {
					break
				}
			}
		}
		close(b.ready)
	}
}

// Read copies the next message of its block into *m.
func (p *parallelNDJSON) Read(m *Message) error {
	got, err := p.next()
	if err == nil {
		*m = *got
	}
	return err
}

// next returns the next message in its block, valid until the next call.
func (p *parallelNDJSON) next() (*Message, error) {
	for p.cur == nil || p.i >= len(p.cur.items) {
		if p.end != nil {
			return nil, p.end
		}
		if p.cur != nil {
			if p.cur.err != nil {
				p.end = p.cur.err
				continue
			}
			select { // the block's memory, back to the splitter
			case p.free <- p.cur:
			default:
			}
			p.cur = nil
		}
		b, ok := <-p.order
		if !ok {
			p.end = io.EOF
			continue
		}
		<-b.ready
		p.cur, p.i = b, 0
	}
	return take(p.cur.items, &p.i, &p.end)
}

// Close stops the splitter and the workers (without waiting for a read
// in progress to return).
func (p *parallelNDJSON) Close() error {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	return nil
}

// item is one result of Next, carried between goroutines.
type item struct {
	m   Message
	err error
}

// take hands out items[*i] in place and moves on; a fatal error is kept
// in *end, to be returned from then on.
func take(items []item, i *int, end *error) (*Message, error) {
	it := &items[*i]
	*i++
	if it.err != nil && !isRowError(it.err) {
		*end = it.err
	}
	return &it.m, it.err
}

func isRowError(err error) bool {
	_, ok := err.(*RowError)
	return ok
}
