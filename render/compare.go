package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/scenario"
)

// CompareFormats lists the output formats of the compare command.
var CompareFormats = []string{"table", "json", "csv", "markdown", "html", "junit"}

// CompareReport is what compare prints.
type CompareReport struct {
	C          *scenario.Comparison
	Thresholds []gate.Check
	Log        string // what was compared, for people
}

// WriteCompare renders a comparison.
func WriteCompare(w io.Writer, format string, r *CompareReport) error {
	bw := bufio.NewWriterSize(noLeadingBlank(w), 1<<16)
	var err error
	switch format {
	case "json":
		err = r.json(bw)
	case "csv":
		err = r.csv(bw)
	case "junit":
		err = gate.JUnit(bw, "wacost-compare", r.Thresholds)
	case "html":
		err = CompareHTML(bw, r)
	default:
		r.text(&textRenderer{w: bw, markdown: format == "markdown", plain: format == "plain"})
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func currencyOf(o scenario.Outcome) string {
	if c := o.Result.Summary.Currency; c != "" {
		return c
	}
	return "-"
}

func deltaCells(l scenario.Line, first bool) (string, string) {
	switch {
	case first:
		return "-", "-"
	case !l.Comparable:
		return "n/a", "n/a"
	}
	d := l.Delta.String()
	if l.Delta > 0 {
		d = "+" + d
	}
	p := "-"
	if l.DeltaPct != "" {
		p = l.DeltaPct + "%"
		if l.DeltaPct[0] != '-' {
			p = "+" + p
		}
	}
	return d, p
}

func (r *CompareReport) text(t *textRenderer) {
	c := r.C
	t.heading(fmt.Sprintf("Scenarios compared on %s (baseline: %s)", r.Log, c.Baseline))
	var rows [][]string
	var cost, fees, total, delta []string
	for i, l := range c.Totals {
		d, p := deltaCells(l, i == 0)
		rows = append(rows, []string{strconv.Itoa(i + 1), l.Scenario, c.Outcomes[i].Scenario.Changes(), num(l.Billed), num(l.Free), "", "", "", "", p, currencyOf(c.Outcomes[i])})
		cost, fees, total, delta = append(cost, l.Cost.String()), append(fees, l.Fees.String()), append(total, l.Total.String()), append(delta, d)
	}
	for i, col := range [][]string{AlignDecimals(cost), AlignDecimals(fees), AlignDecimals(total), AlignDecimals(delta)} {
		for j := range rows {
			rows[j][5+i] = col[j]
		}
	}
	t.table([]string{"#", "scenario", "changes", "billed", "free", "cost", "fees", "total", "Δ total", "Δ %", "currency"},
		map[int]bool{0: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true}, rows)
	r.side(t, "Total by market", c.Markets, c.ByMarket)
	r.side(t, "Total by category", c.Categories, c.ByCategory)
	t.thresholds(r.Thresholds)
}

// side writes one breakdown: a row per key with the baseline's total
// and each later scenario's change from it in percent, under the
// scenario's number (#2, #3, ... as in the first table): narrow enough
// for a terminal whatever the scenarios' names. The JSON and CSV have
// every total.
func (r *CompareReport) side(t *textRenderer, title string, keys []string, lines []scenario.Line) {
	c := r.C
	t.heading(title + ": " + c.Baseline + "'s total (" + currencyOf(c.Outcomes[0]) + ") and each scenario's change from it, in %")
	n := len(c.Outcomes)
	header := []string{"", "#1 " + c.Baseline}
	right := map[int]bool{1: true}
	for i := 1; i < n; i++ {
		header = append(header, "#"+strconv.Itoa(i+1))
		right[len(header)-1] = true
	}
	var base []string
	var rows [][]string
	for k, key := range keys {
		row := []string{key, ""}
		base = append(base, lines[k*n].Total.String())
		for i := 1; i < n; i++ {
			_, p := deltaCells(lines[k*n+i], false)
			row = append(row, p)
		}
		rows = append(rows, row)
	}
	for j, v := range AlignDecimals(base) {
		rows[j][1] = v
	}
	t.table(header, right, rows)
}

type scenarioJSON struct {
	Name        string         `json:"name"`
	Changes     string         `json:"changes"`
	Currency    string         `json:"currency"`
	Messages    int64          `json:"messages"`
	Rejected    int64          `json:"rejected"`
	Billed      int64          `json:"billed"`
	Free        int64          `json:"free"`
	Blocked     int64          `json:"blocked"`
	Undelivered int64          `json:"undelivered"`
	Cost        pricing.Money  `json:"cost"`
	Fees        pricing.Money  `json:"fees"`
	MonthlyFees pricing.Money  `json:"monthly_fees"`
	Total       pricing.Money  `json:"total"`
	Delta       *pricing.Money `json:"delta"`
	DeltaPct    string         `json:"delta_pct"`
	Regimes     []string       `json:"regimes"`
	Notes       []string       `json:"notes"`
}

func (r *CompareReport) json(w *bufio.Writer) error {
	c := r.C
	var scs []scenarioJSON
	for i, o := range c.Outcomes {
		s := o.Result.Summary
		l := c.Totals[i]
		j := scenarioJSON{Name: o.Scenario.Name, Changes: o.Scenario.Changes(), Currency: s.Currency, Messages: s.Messages, Rejected: s.Rejected, Billed: s.Billed,
			Free: s.Free, Blocked: s.Blocked, Undelivered: s.Undelivered, Cost: s.Cost, Fees: o.Fees, MonthlyFees: o.MonthlyFees,
			Total: o.Total, DeltaPct: l.DeltaPct, Regimes: s.Regimes, Notes: o.Result.Notes}
		if l.Comparable {
			d := l.Delta
			j.Delta = &d
		}
		scs = append(scs, j)
	}
	th := r.Thresholds
	if th == nil {
		th = []gate.Check{}
	}
	doc := struct {
		Baseline   string          `json:"baseline"`
		Scenarios  []scenarioJSON  `json:"scenarios"`
		ByMarket   []scenario.Line `json:"by_market"`
		ByCategory []scenario.Line `json:"by_category"`
		Thresholds []gate.Check    `json:"thresholds"`
	}{c.Baseline, scs, c.ByMarket, c.ByCategory, th}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}

// CompareCSVColumns are the columns of compare's csv output.
var CompareCSVColumns = []string{"record", "scenario", "key", "billed", "free", "cost", "fees", "total", "delta", "delta_pct"}

func (r *CompareReport) csv(w *bufio.Writer) error {
	cw := newCSVWriter(w)
	cw.Write(CompareCSVColumns)
	write := func(record string, ls []scenario.Line) {
		for _, l := range ls {
			d := ""
			if l.Comparable {
				d = l.Delta.String()
			}
			cw.Write([]string{record, l.Scenario, l.Key, strconv.FormatInt(l.Billed, 10), strconv.FormatInt(l.Free, 10),
				l.Cost.String(), l.Fees.String(), l.Total.String(), d, l.DeltaPct})
		}
	}
	write("total", r.C.Totals)
	write("market", r.C.ByMarket)
	write("category", r.C.ByCategory)
	cw.Flush()
	return cw.Error()
}
