package render

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/scenario"
)

// money is for drawing only: pixel positions, never totals.
func money(m pricing.Money) float64 { return float64(m) / pricing.MicrosPerUnit }

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0} th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.chart{display:block;margin:1rem 0;background:#fff;border:1px solid #e4e4e4}
.chart .title{font-weight:600;font-size:14px} .chart .tick{font-size:11px;fill:#555} .chart .unit{font-size:11px;fill:#555}
.chart .grid{stroke:#eee} .chart .legend text{font-size:12px}
.note{color:#555;font-size:.9rem}
</style></head><body>
<h1>{{.Title}}</h1>
<p class="note">{{.Subtitle}}</p>
{{range .Tables}}{{$t := .}}<h2>{{.Title}}</h2><table><tr>{{range $i, $h := .Header}}<th{{if index $t.Right $i}} class="n"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if index $t.Right $i}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{range .Charts}}{{.}}{{end}}
<p class="note">Made by wacost. Charts are drawn from exact amounts; hover a point or bar for its value.</p>
</body></html>
`))

type htmlTable struct {
	Title  string
	Header []string
	Rows   [][]string
	// Right lists the right-aligned columns (nil: the page's RightMap).
	Right map[int]bool
}

type htmlPage struct {
	Title, Subtitle string
	Tables          []htmlTable
	Charts          []template.HTML
	RightMap        map[int]bool
}

func writePage(w io.Writer, p htmlPage) error {
	if p.RightMap == nil {
		p.RightMap = map[int]bool{}
	}
	for i := range p.Tables {
		if p.Tables[i].Right == nil {
			p.Tables[i].Right = p.RightMap
		}
	}
	return page.Execute(w, p)
}

// CompareHTML writes the comparison as one self-contained HTML page: the
// totals and the breakdowns, and per currency Meta's cost by scenario and
// category (each bar labelled with its total and its change from the
// baseline), the provider's fees as a chart of their own (they would
// squash Meta's figures on one axis), and the daily cost per scenario, at
// most 8 lines a chart.
func CompareHTML(w io.Writer, r *CompareReport) error {
	c := r.C
	var rows [][]string
	for i, l := range c.Totals {
		d, p := deltaCells(l, i == 0)
		rows = append(rows, []string{l.Scenario, c.Outcomes[i].Scenario.Changes(), num(l.Billed), l.Cost.String(), l.Fees.String(), l.Total.String(), d, p})
	}
	tables := []htmlTable{{Title: "Totals", Header: []string{"scenario", "changes", "billed", "cost", "fees", "total", "Δ total", "Δ %"}, Rows: rows,
		Right: map[int]bool{2: true, 3: true, 4: true, 5: true, 6: true, 7: true}}}
	tables = append(tables, sideTable("Total by market", c.Markets, c.ByMarket, len(c.Outcomes)), sideTable("Total by category", c.Categories, c.ByCategory, len(c.Outcomes)))
	var charts []template.HTML
	var currencies []string
	byCur := map[string][]int{}
	for i, o := range c.Outcomes {
		cur := currencyOf(o)
		if _, ok := byCur[cur]; !ok {
			currencies = append(currencies, cur)
		}
		byCur[cur] = append(byCur[cur], i)
	}
	for _, cur := range currencies {
		charts = append(charts, compareCharts(r, cur, byCur[cur])...)
	}
	// Each note once, with the scenarios it is said of.
	var order []string
	of := map[string][]string{}
	for _, o := range c.Outcomes {
		for _, n := range o.Result.Notes {
			if _, ok := of[n]; !ok {
				order = append(order, n)
			}
			of[n] = append(of[n], o.Scenario.Name)
		}
	}
	if len(order) > 0 {
		var notes [][]string
		for _, n := range order {
			who := strings.Join(of[n], ", ")
			if len(of[n]) == len(c.Outcomes) {
				who = "all"
			}
			notes = append(notes, []string{n, who})
		}
		tables = append(tables, htmlTable{Title: "Notes: what the scenarios' figures rest on", Header: []string{"note", "scenarios"}, Rows: notes, Right: map[int]bool{}})
	}
	for i := range tables {
		alignColumns(&tables[i])
	}
	sub := "Log: " + r.Log + ". Baseline: " + c.Baseline + "."
	if len(currencies) == 1 {
		sub += " Amounts in " + currencies[0] + "."
	} else {
		sub += " Scenarios in " + strings.Join(currencies, ", ") + ": each currency has charts of its own."
	}
	return writePage(w, htmlPage{Title: "wacost: what-if scenarios", Subtitle: sub, Tables: tables, Charts: charts})
}

// alignColumns pads each right-aligned column of decimals to one number
// of decimals, so that they line up on the point.
func alignColumns(t *htmlTable) {
	for col := range t.Header {
		if !t.Right[col] {
			continue
		}
		vals := make([]string, len(t.Rows))
		for i, r := range t.Rows {
			if col < len(r) {
				vals[i] = r[col]
			}
		}
		for i, v := range AlignDecimals(vals) {
			if col < len(t.Rows[i]) {
				t.Rows[i][col] = v
			}
		}
	}
}

// sideTable is a breakdown with a column per scenario.
func sideTable(title string, keys []string, lines []scenario.Line, n int) htmlTable {
	t := htmlTable{Title: title, Header: []string{""}, Right: map[int]bool{}}
	for i := 0; i < n && i < len(lines); i++ {
		t.Header = append(t.Header, lines[i].Scenario)
		t.Right[i+1] = true
	}
	for k, key := range keys {
		row := []string{key}
		for i := 0; i < n; i++ {
			if l := k*n + i; l < len(lines) {
				row = append(row, lines[l].Total.String())
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// compareCharts are the charts of the scenarios idx, all in currency cur.
func compareCharts(r *CompareReport, cur string, idx []int) []template.HTML {
	c := r.C
	var names, labels []string
	vals := make([][]float64, len(idx))
	fees := make([]float64, len(idx))
	anyFees := false
	for j, i := range idx {
		o := c.Outcomes[i]
		names = append(names, o.Scenario.Name)
		vals[j] = make([]float64, len(c.Categories))
		for _, g := range o.Result.ByCategory {
			for k, cat := range c.Categories {
				if g.Category == cat {
					vals[j][k] = money(g.Cost)
				}
			}
		}
		label := o.Result.Summary.Cost.String()
		if l := c.Totals[i]; i > 0 && l.Comparable {
			d := o.Result.Summary.Cost - c.Outcomes[0].Result.Summary.Cost
			label += "\n" + signedMoney(d)
		}
		labels = append(labels, label)
		fees[j] = money(o.Fees)
		anyFees = anyFees || o.Fees != 0
	}
	out := []template.HTML{template.HTML(stackedBars("Meta's cost by scenario and category ("+cur+")", cur, names, c.Categories, vals, labels))}
	if anyFees {
		var fl []string
		fv := make([][]float64, len(idx))
		for j := range idx {
			fv[j] = []float64{fees[j]}
			fl = append(fl, trimFloat(fees[j]))
		}
		out = append(out, template.HTML(stackedBars("The provider's fees by scenario ("+cur+")", cur, names, []string{"fees"}, fv, fl)))
	}
	// Daily cost per scenario, from each run's day groups, 8 lines a chart.
	days := map[string]bool{}
	for _, i := range idx {
		for _, g := range c.Outcomes[i].Result.Groups {
			if g.Day != "" {
				days[g.Day] = true
			}
		}
	}
	if len(days) == 0 {
		return out
	}
	xs := sortedKeys(days)
	var lines []Series
	for _, i := range idx {
		o := c.Outcomes[i]
		byDay := map[string]float64{}
		for _, g := range o.Result.Groups {
			byDay[g.Day] += money(g.Cost + g.Fees)
		}
		s := Series{Name: o.Scenario.Name}
		for _, d := range xs {
			s.Vals = append(s.Vals, byDay[d])
		}
		lines = append(lines, s)
	}
	for start, part := 0, 1; start < len(lines); start, part = start+maxLines, part+1 {
		end := min(start+maxLines, len(lines))
		title := "Daily cost by scenario (" + cur + ")"
		if len(lines) > maxLines {
			title = fmt.Sprintf("Daily cost by scenario (%s), %d of %d", cur, part, (len(lines)+maxLines-1)/maxLines)
		}
		out = append(out, template.HTML(lineChart(title, cur, xs, lines[start:end])))
	}
	return out
}

// maxLines is how many lines one chart draws: past it, colours and dashes
// can no longer be told apart.
const maxLines = 8

func signedMoney(m pricing.Money) string {
	if m > 0 {
		return "+" + m.String()
	}
	return m.String()
}

// BacklogHTML writes the backlog report as one self-contained HTML page:
// the two plans, the cost-versus-delay curve on a time axis with the 24 h
// window marked, and the daily cost.
func BacklogHTML(w io.Writer, r *BacklogReport) error {
	b := r.B
	rows := [][]string{planRow(b.Plan, r.Timezone), planRow(b.Other, r.Timezone)}
	var delays []time.Duration
	var ys []float64
	for _, p := range b.Curve {
		delays = append(delays, p.Delay)
		ys = append(ys, money(p.Cost))
	}
	charts := []template.HTML{template.HTML(delayChart("Cost of the log versus reply delay", b.Currency, delays, ys, 24*time.Hour, "the 24 h window closes"))}
	var dx []string
	var dy []float64
	for _, d := range b.Daily {
		dx = append(dx, d.Day)
		dy = append(dy, money(d.Cost))
	}
	if len(dx) > 0 {
		charts = append(charts, template.HTML(lineChart("Daily cost of the log", b.Currency, dx, []Series{{Name: "daily cost", Vals: dy}})))
	}
	sub := "Backlog at " + b.Now.In(r.Timezone).Format(time.RFC3339) + ": " + num(int64(b.Waiting)) + " customers waiting. Amounts in " + b.Currency + "."
	if b.NeededCapacity > 0 {
		sub += " Capacity needed to answer every open window in time: " + plural(int64(b.NeededCapacity), "reply", "replies") + " an hour."
	}
	tables := []htmlTable{{Title: "Plans", Header: []string{"order", "inside window", "after window", "cost (" + b.Currency + ")", "last reply"}, Rows: rows,
		Right: map[int]bool{1: true, 2: true, 3: true}}}
	var plan [][]string
	for _, x := range b.Plan.Replies {
		plan = append(plan, []string{x.At.In(r.Timezone).Format(time.RFC3339), x.Business, x.Customer, x.Market, gate.FormatDuration(x.Waited), map[bool]string{true: "inside", false: "after"}[x.Inside], x.Reason.String(), x.Cost.String()})
	}
	if len(plan) > 0 {
		tables = append(tables, htmlTable{Title: "The plan, reply by reply", Header: []string{"reply at", "business", "customer", "market", "waited", "window", "reason", "cost"},
			Rows: plan, Right: map[int]bool{4: true, 7: true}})
	}
	var curve [][]string
	for _, p := range b.Curve {
		curve = append(curve, []string{gate.FormatDuration(p.Delay), p.Cost.String(), num(p.Late)})
	}
	tables = append(tables, htmlTable{Title: "Cost of the whole log if every reply took ...", Header: []string{"reply delay", "cost (" + b.Currency + ")", "late replies"},
		Rows: curve, Right: map[int]bool{0: true, 1: true, 2: true}})
	if len(b.Notes) > 0 {
		var nr [][]string
		for _, n := range b.Notes {
			nr = append(nr, []string{n})
		}
		tables = append(tables, htmlTable{Title: "Notes", Header: []string{"note"}, Rows: nr, Right: map[int]bool{}})
	}
	return writePage(w, htmlPage{Title: "wacost: the cost of a backlog", Subtitle: sub, Tables: tables, Charts: charts})
}
