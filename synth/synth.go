// Package synth writes deterministic synthetic WhatsApp message logs: many
// countries, daily rhythm, marketing bursts, replies from seconds to days
// late, templates of each category, ad entry points and failures. The same
// seed and options always give the same bytes.
//
// It must not import os, cobra, viper or tablewriter.
package synth

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Options shape a log.
type Options struct {
	Rows      int64
	Seed      uint64
	Start     time.Time
	Days      int
	Customers int    // 0: rows/40, at least 50
	Format    string // csv or ndjson
}

type country struct {
	prefix string
	digits int // national digits after the prefix
	weight int
}

// Weights roughly follow WhatsApp Business traffic: Brazil, India, Mexico,
// Indonesia first; a long tail over every kind of market (a standalone
// country, each "Rest of" region, NANP splits, Other).
var countries = []country{
	{"55", 11, 24}, {"91", 10, 18}, {"52", 10, 9}, {"62", 11, 7}, {"1", 10, 5}, {"234", 10, 4},
	{"27", 9, 3}, {"57", 10, 3}, {"54", 10, 3}, {"49", 11, 2}, {"44", 10, 2}, {"34", 9, 2},
	{"254", 9, 2}, {"63", 10, 2}, {"966", 9, 2}, {"971", 9, 1}, {"1809", 7, 1}, {"90", 10, 1},
	{"92", 10, 1}, {"20", 10, 1}, {"7", 10, 1}, {"77", 9, 1}, {"852", 8, 1}, {"48", 9, 1},
	{"372", 8, 1}, {"33", 9, 1}, {"39", 10, 1}, {"31", 9, 1}, {"880", 10, 1}, {"965", 8, 1},
}

type event struct {
	t        time.Time
	seq      int64
	business string
	customer string
	in       bool
	typ      string
	category string
	status   string
	entry    string
}

type evHeap []event

func (h evHeap) Len() int { return len(h) }
func (h evHeap) Less(i, j int) bool {
	if !h[i].t.Equal(h[j].t) {
		return h[i].t.Before(h[j].t)
	}
	if h[i].in != h[j].in {
		return h[i].in // at the same instant, the customer's message first
	}
	return h[i].seq < h[j].seq
}
func (h evHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *evHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *evHeap) Pop() any {
	o := *h
	e := o[len(o)-1]
	*h = o[:len(o)-1]
	return e
}

type gen struct {
	o         Options
	r         *rand.Rand
	customers []string
	h         evHeap
	seq       int64
	totalW    int
}

var businesses = []string{"15550100001", "15550100002"}

// Write writes o.Rows rows, sorted by time, to w.
func Write(w io.Writer, o Options) error {
	if o.Rows < 0 {
		return fmt.Errorf("rows must not be negative")
	}
	if o.Days <= 0 {
		o.Days = 30
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 9, 16, 0, 0, 0, 0, time.UTC)
	}
	if o.Customers <= 0 {
		o.Customers = int(o.Rows / 40)
		if o.Customers < 50 {
			o.Customers = 50
		}
	}
	g := &gen{o: o, r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	for _, c := range countries {
		g.totalW += c.weight
	}
	g.customers = make([]string, o.Customers)
	for i := range g.customers {
		g.customers[i] = g.number()
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	out := newEncoder(bw, o.Format)
	if err := out.header(); err != nil {
		return err
	}
	span := time.Duration(o.Days) * 24 * time.Hour
	// Episodes average about 3 rows, and the daily rhythm keeps about 55%
	// of arrivals: spread them over the span.
	episodes := float64(o.Rows)/3 + 1
	meanGap := float64(span) / episodes * 0.55
	t := o.Start
	var written int64
	for written < o.Rows {
		t = t.Add(time.Duration(g.r.ExpFloat64() * meanGap))
		if !g.awake(t) {
			continue
		}
		for len(g.h) > 0 && g.h[0].t.Before(t) && written < o.Rows {
			if err := out.write(heap.Pop(&g.h).(event), written); err != nil {
				return err
			}
			written++
		}
		g.episode(t)
	}
	return bw.Flush()
}

// awake thins the arrivals with a daily rhythm (quiet at night, UTC-ish).
func (g *gen) awake(t time.Time) bool {
	h := float64(t.Hour()) + float64(t.Minute())/60
	p := 0.55 + 0.45*math.Sin((h-8)/24*2*math.Pi)
	return g.r.Float64() < p
}

func (g *gen) number() string {
	k := g.r.IntN(g.totalW)
	var c country
	for _, c = range countries {
		if k < c.weight {
			break
		}
		k -= c.weight
	}
	b := []byte(c.prefix)
	for i := 0; i < c.digits; i++ {
		d := byte('0' + g.r.IntN(10))
		if i == 0 && d == '0' {
			d = '2'
		}
		b = append(b, d)
	}
	if c.prefix == "1" { // keep +1 numbers off the DO/JM/PR area codes: US/CA
		b[1], b[2], b[3] = '4', '1', '5'
	}
	return string(b)
}

func (g *gen) push(e event) {
	g.seq++
	e.seq = g.seq
	heap.Push(&g.h, e)
}

// delay draws a reply delay: log-normal around 20 minutes with a long tail
// (a few percent come after a day, when the window has closed).
func (g *gen) delay() time.Duration {
	m := math.Exp(math.Log(20*60) + 1.9*g.r.NormFloat64())
	if m < 3 {
		m = 3
	}
	if m > 5*24*3600 {
		m = 5 * 24 * 3600
	}
	return time.Duration(m * float64(time.Second))
}

func (g *gen) status() string {
	switch x := g.r.Float64(); {
	case x < 0.02:
		return "failed"
	case x < 0.55:
		return "read"
	default:
		return "delivered"
	}
}

func (g *gen) episode(t time.Time) {
	cust := g.customers[g.r.IntN(len(g.customers))]
	biz := businesses[0]
	if g.r.IntN(5) == 0 {
		biz = businesses[1]
	}
	in := func(at time.Time, entry string) {
		g.push(event{t: at, business: biz, customer: cust, in: true, typ: "text", entry: entry})
	}
	out := func(at time.Time, typ, cat string) {
		g.push(event{t: at, business: biz, customer: cust, typ: typ, category: cat, status: g.status()})
	}
	switch x := g.r.Float64(); {
	case x < 0.55: // the customer writes; the business answers, sometimes late
		entry := ""
		switch y := g.r.Float64(); {
		case y < 0.10:
			entry = "ad"
		case y < 0.13:
			entry = "page"
		}
		in(t, entry)
		at := t
		for i := g.r.IntN(3); i > 0; i-- {
			at = at.Add(time.Duration(g.r.IntN(300)+5) * time.Second)
			in(at, "")
		}
		at = at.Add(g.delay())
		out(at, "text", "")
		for i := g.r.IntN(3); i > 0; i-- {
			at = at.Add(time.Duration(g.r.IntN(600)+10) * time.Second)
			if g.r.IntN(6) == 0 {
				out(at, "template", "utility")
			} else {
				out(at, []string{"text", "image", "interactive"}[g.r.IntN(3)], "")
			}
		}
		if g.r.IntN(4) == 0 { // the customer comes back later
			back := at.Add(time.Duration(g.r.IntN(48*3600)) * time.Second)
			in(back, "")
			out(back.Add(g.delay()), "text", "")
		}
	case x < 0.78: // marketing burst around 10:00 or 17:00
		day := time.Date(t.Year(), t.Month(), t.Day(), 10+7*g.r.IntN(2), 0, 0, 0, time.UTC)
		at := day.Add(time.Duration(g.r.IntN(1800)) * time.Second)
		if at.Before(t) {
			at = at.Add(24 * time.Hour)
		}
		out(at, "template", "marketing")
		if g.r.IntN(5) == 0 {
			r := at.Add(time.Duration(g.r.IntN(6*3600)+30) * time.Second)
			in(r, "")
			out(r.Add(g.delay()), "text", "")
		}
	case x < 0.92: // utility notification (order, shipping)
		out(t, "template", "utility")
		if g.r.IntN(4) == 0 {
			r := t.Add(time.Duration(g.r.IntN(3*3600)+30) * time.Second)
			in(r, "")
			out(r.Add(g.delay()), "text", "")
		}
	default: // one-time password
		out(t, "template", "authentication")
	}
}

type encoder struct {
	w      *bufio.Writer
	format string
	buf    []byte
}

func newEncoder(w *bufio.Writer, format string) *encoder { return &encoder{w: w, format: format} }

func (e *encoder) header() error {
	switch e.format {
	case "", "csv":
		_, err := e.w.WriteString("timestamp,id,business,customer,direction,type,category,status,entry_point\n")
		return err
	case "ndjson":
		return nil
	}
	return fmt.Errorf("unknown format %q (want csv or ndjson)", e.format)
}

func (e *encoder) write(ev event, n int64) error {
	dir := "out"
	if ev.in {
		dir = "in"
	}
	id := "wamid." + strconv.FormatInt(n+1, 10)
	ts := ev.t.UTC().Format(time.RFC3339)
	if e.format == "ndjson" {
		rec := map[string]string{"timestamp": ts, "id": id, "business": ev.business, "customer": ev.customer, "direction": dir, "type": ev.typ}
		for k, v := range map[string]string{"category": ev.category, "status": ev.status, "entry_point": ev.entry} {
			if v != "" {
				rec[k] = v
			}
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		e.w.Write(b)
		return e.w.WriteByte('\n')
	}
	b := e.buf[:0]
	for i, f := range []string{ts, id, ev.business, ev.customer, dir, ev.typ, ev.category, ev.status, ev.entry} {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f...)
	}
	b = append(b, '\n')
	e.buf = b
	_, err := e.w.Write(b)
	return err
}
