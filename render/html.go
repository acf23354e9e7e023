package render

import (
	"html/template"
	"io"
	"sort"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
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

// CompareHTML writes the comparison as one self-contained HTML page:
// the totals, cost by scenario and category, and daily cost per scenario.
func CompareHTML(w io.Writer, r *CompareReport) error {
	c := r.C
	var rows [][]string
	for i, l := range c.Totals {
		d, p := deltaCells(l, i == 0)
		rows = append(rows, []string{l.Scenario, c.Outcomes[i].Scenario.Changes(), num(l.Billed), l.Cost.String(), l.Fees.String(), l.Total.String(), d, p})
	}
	var names []string
	for _, o := range c.Outcomes {
		names = append(names, o.Scenario.Name)
	}
	series := append(append([]string{}, c.Categories...), "fees")
	vals := make([][]float64, len(c.Outcomes))
	for i, o := range c.Outcomes {
		vals[i] = make([]float64, len(series))
		for _, g := range o.Result.ByCategory {
			for k, cat := range c.Categories {
				if g.Category == cat {
					vals[i][k] = money(g.Cost)
				}
			}
		}
		vals[i][len(series)-1] = money(o.Fees)
	}
	cur := currencyOf(c.Outcomes[0])
	charts := []template.HTML{template.HTML(stackedBars("Cost by scenario and category", cur, names, series, vals))}
	// Daily cost per scenario, from each run's day groups.
	days := map[string]bool{}
	for _, o := range c.Outcomes {
		for _, g := range o.Result.Groups {
			if g.Day != "" {
				days[g.Day] = true
			}
		}
	}
	if len(days) > 0 {
		var xs []string
		for d := range days {
			xs = append(xs, d)
		}
		sort.Strings(xs)
		var lines []Series
		for _, o := range c.Outcomes {
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
		charts = append(charts, template.HTML(lineChart("Daily cost by scenario", cur, xs, lines)))
	}
	return writePage(w, htmlPage{
		Title:    "wacost: what-if scenarios",
		Subtitle: "Log: " + r.Log + ". Baseline: " + c.Baseline + ". Amounts in " + cur + ".",
		Tables:   []htmlTable{{Title: "Totals", Header: []string{"scenario", "changes", "billed", "cost", "fees", "total", "Δ total", "Δ %"}, Rows: rows}},
		Charts:   charts,
		RightMap: map[int]bool{2: true, 3: true, 4: true, 5: true, 6: true, 7: true},
	})
}

// BacklogHTML writes the backlog report as one self-contained HTML page:
// the two plans, the cost-versus-delay curve and the daily cost.
func BacklogHTML(w io.Writer, r *BacklogReport) error {
	b := r.B
	rows := [][]string{planRow(b.Plan, r.Timezone), planRow(b.Other, r.Timezone)}
	var xs []string
	var ys []float64
	for _, p := range b.Curve {
		xs = append(xs, gate.FormatDuration(p.Delay))
		ys = append(ys, money(p.Cost))
	}
	charts := []template.HTML{template.HTML(lineChart("Cost of the log versus reply delay", b.Currency, xs, []Series{{Name: "cost if every reply took this long", Vals: ys}}))}
	var dx []string
	var dy []float64
	for _, d := range b.Daily {
		dx = append(dx, d.Day)
		dy = append(dy, money(d.Cost))
	}
	if len(dx) > 0 {
		charts = append(charts, template.HTML(lineChart("Daily cost of the log", b.Currency, dx, []Series{{Name: "daily cost", Vals: dy}})))
	}
	sub := "Backlog at " + b.Now.In(r.Timezone).Format(time.RFC3339) + ": " + num(int64(b.Waiting)) + " customers waiting."
	if b.NeededCapacity > 0 {
		sub += " Capacity needed to answer every open window in time: " + plural(int64(b.NeededCapacity), "reply", "replies") + " an hour."
	}
	return writePage(w, htmlPage{
		Title:    "wacost: the cost of a backlog",
		Subtitle: sub,
		Tables:   []htmlTable{{Title: "Plans", Header: []string{"order", "inside window", "after window", "cost (" + b.Currency + ")", "last reply"}, Rows: rows}},
		Charts:   charts,
		RightMap: map[int]bool{1: true, 2: true, 3: true},
	})
}
