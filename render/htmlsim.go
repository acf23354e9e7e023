package render

import (
	"bufio"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// htmlRenderer writes a simulate run as one self-contained HTML page: the
// summary, the regimes and cards used, the tables by market, category and
// month, the daily cost stacked by category, the settings and every note.
// It needs the run grouped by day and category (the command asks for it).
type htmlRenderer struct{ w *bufio.Writer }

func (h *htmlRenderer) Entry(*simulate.Entry) error { return nil }

func (h *htmlRenderer) Finish(r *simulate.Result) error {
	s := r.Summary
	cur := s.Currency
	if cur == "" {
		cur = "-"
	}
	period := "no messages"
	if s.First != nil {
		period = s.First.Format(time.RFC3339) + " .. " + s.Last.Format(time.RFC3339)
	}
	right := map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}
	countRow := func(key string, c simulate.Counts) []string {
		return []string{key, num(c.Messages), num(c.Inbound), num(c.Outbound), num(c.Free), num(c.Billed), num(c.Blocked), num(c.Undelivered), c.Cost.String()}
	}
	// alignCost pads a table's cost column to one number of decimals.
	alignCost := func(t *htmlTable, col int) {
		vals := make([]string, len(t.Rows))
		for i, r := range t.Rows {
			vals[i] = r[col]
		}
		for i, v := range AlignDecimals(vals) {
			t.Rows[i][col] = v
		}
	}
	header := func(dim string) []string {
		return []string{dim, "messages", "inbound", "outbound", "free", "billed", "blocked", "undelivered", "cost (" + cur + ")"}
	}
	tables := []htmlTable{{Title: "Summary", Header: header(""), Rows: [][]string{countRow("all", s.Counts)}}}
	extra := [][]string{{"rejected rows", num(s.Rejected)}, {"late replies (priced as templates)", num(s.LateReplies)}}
	if s.ProviderCurrency != "" {
		extra = append(extra, []string{"provider's price", s.Provider.String() + " " + s.ProviderCurrency + " (" + num(s.ProviderPriced) + " messages)"})
	}
	if s.AppMessages > 0 {
		extra = append(extra, []string{"sent from the Business app (not priced)", num(s.AppMessages)})
	}
	tables = append(tables, htmlTable{Title: "Also", Header: []string{"", ""}, Rows: extra, Right: map[int]bool{1: true}})
	rt := htmlTable{Title: "Regimes and cards used", Header: []string{"regime", "card", "from", "to", "outbound", "free", "billed", "blocked", "cost (" + cur + ")"},
		Right: map[int]bool{4: true, 5: true, 6: true, 7: true, 8: true}}
	for _, x := range r.Regimes {
		rt.Rows = append(rt.Rows, []string{x.Regime, x.Card, x.From, x.To, num(x.Outbound), num(x.Free), num(x.Billed), num(x.Blocked), x.Cost.String()})
	}
	alignCost(&rt, 8)
	tables = append(tables, rt)
	mt := htmlTable{Title: "By market", Header: header("market")}
	for _, g := range r.ByMarket {
		mt.Rows = append(mt.Rows, countRow(g.Market, g.Counts))
	}
	ct := htmlTable{Title: "By category", Header: header("category")}
	for _, g := range r.ByCategory {
		ct.Rows = append(ct.Rows, countRow(g.Category, g.Counts))
	}
	alignCost(&mt, 8)
	alignCost(&ct, 8)
	tables = append(tables, mt, ct)
	// Months and days from the day-and-category groups.
	months := map[string]*simulate.Counts{}
	days := map[string]map[string]pricing.Money{}
	cats := map[string]bool{}
	for _, g := range r.Groups {
		if g.Day == "" {
			continue
		}
		m := months[g.Day[:7]]
		if m == nil {
			m = &simulate.Counts{}
			months[g.Day[:7]] = m
		}
		m.Plus(g.Counts)
		if days[g.Day] == nil {
			days[g.Day] = map[string]pricing.Money{}
		}
		if g.Category != "" && g.Category != "inbound" {
			days[g.Day][g.Category] += g.Cost
			cats[g.Category] = true
		}
	}
	if len(months) > 0 {
		mo := htmlTable{Title: "By month", Header: header("month")}
		for _, k := range sortedKeys(months) {
			mo.Rows = append(mo.Rows, countRow(k, *months[k]))
		}
		alignCost(&mo, 8)
		tables = append(tables, mo)
	}
	var charts []template.HTML
	if len(days) > 0 {
		xs := sortedKeys(days)
		series := sortedKeys(cats)
		vals := make([][]float64, len(xs))
		for i, d := range xs {
			vals[i] = make([]float64, len(series))
			for k, c := range series {
				vals[i][k] = money(days[d][c])
			}
		}
		charts = append(charts, template.HTML(stackedBars("Daily cost by category", cur, xs, series, vals, nil)))
	}
	st := htmlTable{Title: "Settings used", Header: []string{"setting", "value"}, Rows: [][]string{
		{"period", period}, {"timezone", r.Settings.Timezone}, {"regime", r.Settings.Regime + " (used: " + strings.Join(nonEmpty(s.Regimes), ", ") + ")"},
		{"tariff", r.Settings.Tariff}, {"late replies", r.Settings.LateReplies + " (as " + r.Settings.LateCategory + ")"},
		{"entry point re-entry (PMP-08b)", r.Settings.FEPReentry}, {"service quota (PE-04, unconfirmed)", num(r.Settings.ServiceQuota)},
		{"authentication-international", r.Settings.AuthIntl}}, Right: map[int]bool{}}
	tables = append(tables, st)
	if len(r.Notes) > 0 {
		nt := htmlTable{Title: "Notes: what these figures rest on", Header: []string{"note"}, Right: map[int]bool{}}
		for _, n := range r.Notes {
			nt.Rows = append(nt.Rows, []string{n})
		}
		tables = append(tables, nt)
	}
	if len(r.Thresholds) > 0 {
		tt := htmlTable{Title: "Thresholds", Header: []string{"check"}, Right: map[int]bool{}}
		for _, c := range r.Thresholds {
			tt.Rows = append(tt.Rows, []string{c.Describe})
		}
		tables = append(tables, tt)
	}
	if err := writePage(h.w, htmlPage{Title: "wacost: what the traffic cost", Subtitle: "Period " + period + ". Amounts in " + cur + ".",
		Tables: tables, Charts: charts, RightMap: right}); err != nil {
		return err
	}
	return h.w.Flush()
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
