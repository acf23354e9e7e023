package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/scenario"
)

// BacklogFormats lists the output formats of the backlog command.
var BacklogFormats = []string{"table", "json", "markdown", "html"}

// BacklogReport is what backlog prints.
type BacklogReport struct {
	B        *scenario.Backlog
	Timezone *time.Location
	Schedule string
	Chart    bool // draw the curve as text (on a terminal)
}

// WriteBacklog renders a backlog report.
func WriteBacklog(w io.Writer, format string, r *BacklogReport) error {
	bw := bufio.NewWriterSize(noLeadingBlank(w), 1<<16)
	var err error
	switch format {
	case "json":
		err = r.json(bw)
	case "html":
		err = BacklogHTML(bw, r)
	default:
		r.text(&textRenderer{w: bw, markdown: format == "markdown", plain: format == "plain"})
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func (r *BacklogReport) json(w *bufio.Writer) error {
	type point struct {
		scenario.CurvePoint
		Delay float64 `json:"delay_s"`
	}
	var curve []point
	for _, p := range r.B.Curve {
		curve = append(curve, point{p, p.Delay.Seconds()})
	}
	doc := struct {
		*scenario.Backlog
		Curve []point `json:"curve"`
	}{r.B, curve}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}

func planRow(p scenario.Plan, tz *time.Location) []string {
	last := "-"
	if !p.Last.IsZero() {
		last = p.Last.In(tz).Format(time.RFC3339)
	}
	return []string{p.Order, num(int64(p.Inside)), num(int64(p.After)), p.Cost.String(), last}
}

func (r *BacklogReport) text(t *textRenderer) {
	b := r.B
	how := fmt.Sprintf("%g replies an hour", b.Capacity)
	if r.Schedule != "" {
		how += ", in opening hours (" + r.Schedule + ")"
	}
	t.heading(fmt.Sprintf("Backlog at %s: %s customers waiting; %s", b.Now.In(r.Timezone).Format(time.RFC3339), num(int64(b.Waiting)), how))
	rows := [][]string{planRow(b.Plan, r.Timezone), planRow(b.Other, r.Timezone)}
	rows[0][0] += " (the plan)"
	rows[1][0] += " (the other order)"
	costs := AlignDecimals([]string{rows[0][3], rows[1][3]})
	rows[0][3], rows[1][3] = costs[0], costs[1]
	t.table([]string{"order", "inside window", "after window", "cost (" + b.Currency + ")", "last reply"}, map[int]bool{1: true, 2: true, 3: true}, rows)
	switch {
	case b.NeededCapacity > 0:
		fmt.Fprintf(t.w, "\nTo answer every customer whose window is still open before it closes (window expiry first): %s an hour.", plural(int64(b.NeededCapacity), "reply", "replies"))
	case b.NeededCapacity < 0:
		fmt.Fprintf(t.w, "\nSome windows close too soon to be reached at any capacity.")
	}
	if b.AlreadyClosed > 0 {
		fmt.Fprintf(t.w, " %s already closed: they can only get a template.", plural(int64(b.AlreadyClosed), "customer's window has", "customers' windows have"))
	}
	fmt.Fprintln(t.w)
	if len(b.Plan.Replies) > 0 {
		t.heading("The plan, reply by reply")
		var rows [][]string
		for i, p := range b.Plan.Replies {
			if i == 30 {
				break
			}
			in := "inside"
			if !p.Inside {
				in = "after"
			}
			rows = append(rows, []string{p.At.In(r.Timezone).Format(time.RFC3339), p.Business, p.Customer, p.Market, gate.FormatDuration(p.At.Sub(p.Since)), in, p.Reason.String(), p.Cost.String()})
		}
		t.table([]string{"reply at", "business", "customer", "market", "waited", "window", "reason", "cost"}, map[int]bool{4: true, 7: true}, rows)
		if n := len(b.Plan.Replies); n > 30 {
			fmt.Fprintf(t.w, "... and %s more (all of them in --format json)\n", num(int64(n-30)))
		}
	}
	t.heading("Cost of the whole log if every reply took ...")
	var vals []string
	for _, p := range b.Curve {
		vals = append(vals, p.Cost.String())
	}
	aligned := AlignDecimals(vals)
	var max float64
	for _, p := range b.Curve {
		if f := float64(p.Cost); f > max {
			max = f
		}
	}
	var crows [][]string
	for i, p := range b.Curve {
		row := []string{gate.FormatDuration(p.Delay), aligned[i], num(p.Late)}
		if r.Chart && !t.markdown {
			n := 0
			if max > 0 {
				n = int(float64(p.Cost) / max * 40)
			}
			row = append(row, strings.Repeat("█", n))
		}
		crows = append(crows, row)
	}
	header := []string{"reply delay", "cost (" + b.Currency + ")", "late replies"}
	if r.Chart && !t.markdown {
		header = append(header, "")
	}
	t.table(header, map[int]bool{0: true, 1: true, 2: true}, crows)
	for i := 1; i < len(b.Curve); i++ {
		if b.Curve[i].Cost < b.Curve[i-1].Cost {
			fmt.Fprintf(t.w, "\nThe cost need not rise with the delay (%s costs less than %s): a later reply to an ad or Page\n"+
				"message starts its 72 h free entry point window later, so it covers later messages; and moved replies\n"+
				"can fall in another month's free service quota and volume tiers, or on another card.\n",
				gate.FormatDuration(b.Curve[i].Delay), gate.FormatDuration(b.Curve[i-1].Delay))
			break
		}
	}
}

// plural writes "1 reply" or "3 replies".
func plural(n int64, one, many string) string {
	if n == 1 {
		return num(n) + " " + one
	}
	return num(n) + " " + many
}
