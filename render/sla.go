package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/sla"
)

// SLAFormats lists the output formats of the sla command.
var SLAFormats = []string{"table", "json", "csv", "ndjson", "markdown", "junit"}

// SLAReport is everything the sla command prints.
type SLAReport struct {
	Result     *sla.Result
	Replies    []sla.Reply // with --ledger
	Ledger     bool
	Timezone   string
	Schedule   string // how the business-hours clock was set, for people
	Currency   string
	Thresholds []gate.Check
}

func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }

type statsJSON struct {
	Count      int64    `json:"count"`
	Mean       *float64 `json:"mean_s"`
	P50        *float64 `json:"p50_s"`
	P90        *float64 `json:"p90_s"`
	P95        *float64 `json:"p95_s"`
	P99        *float64 `json:"p99_s"`
	Max        *float64 `json:"max_s"`
	Target     *float64 `json:"target_s"`
	Breaches   int64    `json:"breaches"`
	BreachRate float64  `json:"breach_rate"`
}

func statsOut(s sla.Stats) statsJSON {
	f := func(d time.Duration) *float64 { v := seconds(d); return &v }
	out := statsJSON{Count: s.Count, Breaches: s.Breaches}
	out.BreachRate, _ = s.BreachRate.Float64()
	if s.Count > 0 {
		out.Mean, out.P50, out.P90, out.P95, out.P99, out.Max = f(s.Mean), f(s.P50), f(s.P90), f(s.P95), f(s.P99), f(s.Max)
	}
	if s.HasTarget {
		out.Target = f(s.Target)
	}
	return out
}

type blockJSON struct {
	Group         map[string]string    `json:"group,omitempty"`
	FirstReply    statsJSON            `json:"first_reply"`
	NextReply     statsJSON            `json:"next_reply"`
	Reply         statsJSON            `json:"reply"`
	LateReplies   int64                `json:"replies_after_window"`
	LateReplyCost string               `json:"replies_after_window_cost"`
	Waiting       int64                `json:"waiting"`
	WaitingMax    float64              `json:"waiting_max_s"`
	Calendar      map[string]statsJSON `json:"calendar,omitempty"`
}

func blockOut(b sla.Block) blockJSON {
	out := blockJSON{Group: b.Group, FirstReply: statsOut(b.First), NextReply: statsOut(b.Next), Reply: statsOut(b.All),
		LateReplies: b.Late, LateReplyCost: b.LateCost.Fixed(), Waiting: b.Waiting, WaitingMax: seconds(b.WaitMax)}
	if b.CalFirst != nil {
		out.Calendar = map[string]statsJSON{"first_reply": statsOut(*b.CalFirst), "next_reply": statsOut(*b.CalNext), "reply": statsOut(*b.CalAll)}
	}
	return out
}

type waitingJSON struct {
	sla.Waiting
	Waited     float64  `json:"waited_s"`
	Hours      *float64 `json:"waited_business_s,omitempty"`
	WindowLeft float64  `json:"window_left_s"`
}

type replyJSON struct {
	sla.Reply
	Calendar   float64  `json:"reply_s"`
	Hours      *float64 `json:"reply_business_s,omitempty"`
	WindowLeft float64  `json:"window_left_s"`
}

func (rep *SLAReport) waitingOut() []waitingJSON {
	out := []waitingJSON{}
	for _, w := range rep.Result.Waiting {
		j := waitingJSON{Waiting: w, Waited: seconds(w.Waited), WindowLeft: seconds(w.WindowLeft)}
		if rep.Schedule != "" {
			h := seconds(w.Hours)
			j.Hours = &h
		}
		out = append(out, j)
	}
	return out
}

func (rep *SLAReport) replyOut(r sla.Reply) replyJSON {
	j := replyJSON{Reply: r, Calendar: seconds(r.Calendar), WindowLeft: seconds(r.WindowLeft)}
	if rep.Schedule != "" {
		h := seconds(r.Hours)
		j.Hours = &h
	}
	return j
}

// WriteSLA renders an sla report.
func WriteSLA(w io.Writer, format string, rep *SLAReport) error {
	bw := bufio.NewWriterSize(noLeadingBlank(w), 1<<16)
	var err error
	switch format {
	case "json":
		err = rep.json(bw)
	case "ndjson":
		err = rep.ndjson(bw)
	case "csv":
		err = rep.csv(bw)
	case "junit":
		err = gate.JUnit(bw, "wacost-sla", rep.Thresholds)
	default:
		rep.text(&textRenderer{w: bw, markdown: format == "markdown", plain: format == "plain"})
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func (rep *SLAReport) json(w *bufio.Writer) error {
	r := rep.Result
	groups := []blockJSON{}
	for _, g := range r.Groups {
		groups = append(groups, blockOut(g))
	}
	doc := struct {
		Clock      string        `json:"clock"`
		Now        time.Time     `json:"now"`
		Timezone   string        `json:"timezone"`
		Currency   string        `json:"currency"`
		Summary    blockJSON     `json:"summary"`
		GroupBy    []string      `json:"group_by"`
		Groups     []blockJSON   `json:"groups"`
		Waiting    []waitingJSON `json:"waiting"`
		Replies    []replyJSON   `json:"replies,omitempty"`
		Thresholds []gate.Check  `json:"thresholds"`
	}{r.Clock, r.Now, rep.Timezone, rep.Currency, blockOut(r.Summary), r.GroupBy, groups, rep.waitingOut(), nil, rep.Thresholds}
	if rep.Ledger {
		doc.Replies = []replyJSON{}
		for _, x := range rep.Replies {
			doc.Replies = append(doc.Replies, rep.replyOut(x))
		}
	}
	if doc.Thresholds == nil {
		doc.Thresholds = []gate.Check{}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}

func (rep *SLAReport) ndjson(w *bufio.Writer) error {
	line := func(v any) {
		b, _ := json.Marshal(v)
		w.Write(b)
		w.WriteByte('\n')
	}
	type rec struct {
		Record string `json:"record"`
		blockJSON
	}
	line(rec{"summary", blockOut(rep.Result.Summary)})
	for _, g := range rep.Result.Groups {
		line(rec{"group", blockOut(g)})
	}
	for _, x := range rep.waitingOut() {
		line(struct {
			Record string `json:"record"`
			waitingJSON
		}{"waiting", x})
	}
	for _, x := range rep.Replies {
		line(struct {
			Record string `json:"record"`
			replyJSON
		}{"reply", rep.replyOut(x)})
	}
	return nil
}

// SLACSVColumns are the columns of sla's csv output without --ledger.
var SLACSVColumns = []string{"record", "business", "market", "day", "week", "agent", "sender", "kind", "count", "mean_s", "p50_s", "p90_s", "p95_s", "p99_s", "max_s", "target_s", "breaches", "breach_rate"}

func (rep *SLAReport) csv(w *bufio.Writer) error {
	c := newCSVWriter(w)
	f := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	if rep.Ledger {
		c.Write([]string{"business", "customer", "market", "agent", "sender", "kind", "asked", "replied", "reply_s", "reply_business_s", "window_left_s", "late_reply", "cost", "breach", "id"})
		for _, r := range rep.Replies {
			j := rep.replyOut(r)
			c.Write([]string{r.Business, r.Customer, r.Market, r.Agent, r.Sender, r.Kind, r.Asked.Format(time.RFC3339), r.At.Format(time.RFC3339),
				f(&j.Calendar), f(j.Hours), f(&j.WindowLeft), strconv.FormatBool(r.Late), r.Cost.String(), strconv.FormatBool(r.Breach), r.ID})
		}
	} else {
		c.Write(SLACSVColumns)
		row := func(record string, b sla.Block) {
			for _, k := range []struct {
				name string
				s    sla.Stats
			}{{"first_reply", b.First}, {"next_reply", b.Next}, {"reply", b.All}} {
				j := statsOut(k.s)
				c.Write([]string{record, b.Group["business"], b.Group["market"], b.Group["day"], b.Group["week"], b.Group["agent"], b.Group["sender"],
					k.name, strconv.FormatInt(j.Count, 10), f(j.Mean), f(j.P50), f(j.P90), f(j.P95), f(j.P99), f(j.Max), f(j.Target),
					strconv.FormatInt(j.Breaches, 10), strconv.FormatFloat(j.BreachRate, 'f', -1, 64)})
			}
		}
		row("summary", rep.Result.Summary)
		for _, g := range rep.Result.Groups {
			row("group", g)
		}
	}
	c.Flush()
	return c.Error()
}

func dur(d time.Duration, count int64) string {
	if count == 0 {
		return "-"
	}
	return gate.FormatDuration(d)
}

func pct(s sla.Stats) string {
	if s.Count == 0 {
		return "-"
	}
	f, _ := s.BreachRate.Float64()
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

func (rep *SLAReport) statsTable(t *textRenderer, b sla.Block, calendar bool) {
	rows := [][]string{}
	kinds := []struct {
		name string
		s    sla.Stats
	}{{"first reply", b.First}, {"next reply", b.Next}, {"all replies", b.All}}
	if calendar {
		kinds = []struct {
			name string
			s    sla.Stats
		}{{"first reply", *b.CalFirst}, {"next reply", *b.CalNext}, {"all replies", *b.CalAll}}
	}
	for _, k := range kinds {
		target, breaches, rate := "-", "-", "-"
		if k.s.HasTarget {
			target = gate.FormatDuration(k.s.Target)
		}
		if !calendar && (k.s.HasTarget || k.name == "all replies") {
			breaches, rate = num(k.s.Breaches), pct(k.s)
		}
		rows = append(rows, []string{k.name, num(k.s.Count), dur(k.s.Mean, k.s.Count), dur(k.s.P50, k.s.Count), dur(k.s.P90, k.s.Count),
			dur(k.s.P95, k.s.Count), dur(k.s.P99, k.s.Count), dur(k.s.Max, k.s.Count), target, breaches, rate})
	}
	right := map[int]bool{}
	for i := 1; i <= 10; i++ {
		right[i] = true
	}
	t.table([]string{"replies", "count", "mean", "p50", "p90", "p95", "p99", "max", "target", "breaches", "breach rate"}, right, rows)
}

func (rep *SLAReport) text(t *textRenderer) {
	r := rep.Result
	if r.Clock == "business" {
		t.heading("Reply times on the business-hours clock (" + rep.Schedule + ")")
	} else {
		t.heading("Reply times (calendar clock)")
	}
	rep.statsTable(t, r.Summary, false)
	if r.Summary.CalFirst != nil {
		t.heading("The same replies on the calendar clock (the WhatsApp window runs on it)")
		rep.statsTable(t, r.Summary, true)
	}
	t.heading("Late replies")
	noun := "replies"
	if r.Summary.Late == 1 {
		noun = "reply"
	}
	fmt.Fprintf(t.w, "%s %s came after the customer-service window had closed; they cost %s %s under the pricing rules.\n",
		num(r.Summary.Late), noun, r.Summary.LateCost, rep.Currency)

	t.heading(fmt.Sprintf("Still waiting at %s", r.Now.In(locOr(rep.Timezone)).Format(time.RFC3339)))
	if len(r.Waiting) == 0 {
		fmt.Fprintln(t.w, "Nobody.")
	} else {
		ws := append([]sla.Waiting(nil), r.Waiting...)
		sort.SliceStable(ws, func(i, j int) bool { return ws[i].Waited > ws[j].Waited })
		shown := ws
		if len(shown) > 20 {
			shown = shown[:20]
		}
		var rows [][]string
		for _, w := range shown {
			left := gate.FormatDuration(w.WindowLeft)
			if w.WindowLeft <= 0 {
				left = "closed"
			}
			rows = append(rows, []string{w.Business, w.Customer, w.Market, w.Kind, w.Since.In(locOr(rep.Timezone)).Format(time.RFC3339),
				gate.FormatDuration(w.Waited), w.WindowCloses.In(locOr(rep.Timezone)).Format(time.RFC3339), left})
		}
		t.table([]string{"business", "customer", "market", "kind", "since", "waited", "window closes", "window left"}, map[int]bool{5: true, 7: true}, rows)
		if len(ws) > len(shown) {
			fmt.Fprintf(t.w, "... and %s more (all of them in --format json or ndjson)\n", num(int64(len(ws)-len(shown))))
		}
	}
	if len(r.GroupBy) > 0 {
		t.heading("By " + strings.Join(r.GroupBy, ", "))
		var rows [][]string
		for _, g := range r.Groups {
			var row []string
			for _, d := range r.GroupBy {
				v := g.Group[d]
				if v == "" {
					v = "-"
				}
				row = append(row, v)
			}
			row = append(row, num(g.First.Count), dur(g.First.P90, g.First.Count), num(g.Next.Count), dur(g.Next.P90, g.Next.Count),
				num(g.All.Breaches), pct(g.All), num(g.Late), num(g.Waiting))
			rows = append(rows, row)
		}
		header := append(append([]string{}, r.GroupBy...), "first", "first p90", "next", "next p90", "breaches", "breach rate", "late", "waiting")
		right := map[int]bool{}
		for i := len(r.GroupBy); i < len(header); i++ {
			right[i] = true
		}
		t.table(header, right, rows)
	}
	if rep.Ledger {
		t.heading(fmt.Sprintf("Replies (%s)", num(int64(len(rep.Replies)))))
		var rows [][]string
		for _, x := range rep.Replies {
			left := gate.FormatDuration(x.WindowLeft)
			if x.Late {
				left = "closed"
			}
			rows = append(rows, []string{x.At.In(locOr(rep.Timezone)).Format(time.RFC3339), x.Business, x.Customer, x.Kind, gate.FormatDuration(x.Calendar), left, x.Cost.String(), x.ID})
		}
		t.table([]string{"replied", "business", "customer", "kind", "reply time", "window left", "cost", "id"}, map[int]bool{4: true, 5: true, 6: true}, rows)
	}
	t.thresholds(rep.Thresholds)
}

func locOr(name string) *time.Location {
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}
