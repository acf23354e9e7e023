// Command loop is the single-purpose reference for wacost's benchmark: one
// hand-written pass over a CSV log with the simplest per-message rule (a
// business message is free inside the 24 h window opened by the
// customer's latest message, else billed at its country's rate). It
// prices nothing else: no regimes, categories, entry points or quotas.
//
// It is written to be fast, as the reference loop is: one
// goroutine, a 1 MiB read buffer, fields found with bytes.IndexByte, the
// timestamp read by hand (time.Parse when its shape is unusual), numbers
// packed into integers and one map keyed by an integer. It allocates
// nothing per row. `loop -naive FILE` runs the plain version instead
// (bytes.Split, time.Parse, string keys), as a second reference.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	naive := len(os.Args) > 2 && os.Args[1] == "-naive"
	path := os.Args[len(os.Args)-1]
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var free, billed, cost int64
	if naive {
		free, billed, cost = plain(f)
	} else {
		free, billed, cost = fast(f)
	}
	fmt.Printf("free %d billed %d cost %d.%04d\n", free, billed, cost/10000, cost%10000)
}

// rate is the rule's country rate, in 1e-4 USD, by the number's leading
// digits.
func rate(customer []byte) int64 {
	if len(customer) >= 2 {
		switch string(customer[:2]) {
		case "55":
			return 68
		case "91":
			return 14
		case "52":
			return 85
		case "62":
			return 250
		}
	}
	if len(customer) >= 1 && customer[0] == '1' {
		return 40
	}
	return 77
}

// pricer holds fast's state between buffers.
type pricer struct {
	last               map[uint64]int64  // business index<<50 | customer -> last inbound, unix seconds
	biz                map[uint64]uint64 // business number -> index
	header             bool
	free, billed, cost int64
}

func fast(r io.Reader) (free, billed, cost int64) {
	p := &pricer{last: make(map[uint64]int64, 1<<18), biz: map[uint64]uint64{}, header: true}
	buf := make([]byte, 1<<20)
	carry := 0
	for {
		m, err := io.ReadFull(r, buf[carry:])
		rest := p.lines(buf[:carry+m])
		carry = copy(buf, rest)
		if err != nil {
			if carry > 0 { // a last line without a newline
				buf[carry] = '\n'
				p.lines(buf[:carry+1])
			}
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			return p.free, p.billed, p.cost
		}
		if carry == len(buf) {
			fmt.Fprintln(os.Stderr, "line longer than the buffer")
			os.Exit(1)
		}
	}
}

// lines prices the complete lines in data and returns what is left.
func (p *pricer) lines(data []byte) []byte {
	for {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return data
		}
		line := data[:nl]
		data = data[nl+1:]
		if p.header {
			p.header = false
			continue
		}
		var fs [5][]byte
		rest, ok := line, true
		for i := range 4 {
			c := bytes.IndexByte(rest, ',')
			if c < 0 {
				ok = false
				break
			}
			fs[i], rest = rest[:c], rest[c+1:]
		}
		if !ok || len(rest) == 0 {
			continue
		}
		fs[4] = rest
		t, ok := unix(fs[0])
		if !ok {
			continue
		}
		b, c := digits(fs[2]), digits(fs[3])
		bi, seen := p.biz[b]
		if !seen {
			bi = uint64(len(p.biz))
			p.biz[b] = bi
		}
		key := bi<<50 | c
		if fs[4][0] == 'i' {
			p.last[key] = t
		} else if in, ok := p.last[key]; ok && t < in+86400 {
			p.free++
		} else {
			p.billed++
			p.cost += rate(fs[3])
		}
	}
}

// digits reads a phone number's digits as an integer (the logs hold at
// most 15).
func digits(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v*10 + uint64(c-'0')
	}
	return v
}

// unix reads "2006-01-02T15:04:05Z" by hand, and anything else with
// time.Parse.
func unix(b []byte) (int64, bool) {
	if len(b) != 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != 'Z' {
		t, err := time.Parse(time.RFC3339, string(b))
		return t.Unix(), err == nil
	}
	d := func(i int) int64 { return int64(b[i]-'0')*10 + int64(b[i+1]-'0') }
	y, mo, day := d(0)*100+d(2), d(5), d(8)
	// days from civil (Howard Hinnant's algorithm)
	if mo <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (mo + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return days*86400 + d(11)*3600 + d(14)*60 + d(17), true
}

// plain is the naive loop: bytes.Split, time.Parse and string keys.
func plain(r io.Reader) (free, billed, cost int64) {
	last := map[string]int64{} // business|customer -> last inbound, unix seconds
	br := bufio.NewReaderSize(r, 1<<20)
	header := true
	for {
		line, err := br.ReadSlice('\n')
		if len(line) == 0 {
			break
		}
		if header {
			header = false
			continue
		}
		fields := bytes.Split(bytes.TrimRight(line, "\r\n"), []byte{','})
		if len(fields) < 5 {
			continue
		}
		t, e := time.Parse(time.RFC3339, string(fields[0]))
		if e != nil {
			continue
		}
		key := string(fields[2]) + "|" + string(fields[3])
		if fields[4][0] == 'i' {
			last[key] = t.Unix()
		} else if in, ok := last[key]; ok && t.Unix() < in+86400 {
			free++
		} else {
			billed++
			cost += rate(fields[3])
		}
		if err != nil {
			break
		}
	}
	return
}
