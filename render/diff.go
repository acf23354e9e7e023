package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// DiffFormats lists the output formats of the diff command.
var DiffFormats = []string{"table", "json", "csv", "markdown", "junit"}

// DiffReport is everything the diff command prints.
type DiffReport struct {
	simulate.Diff
	Base, New  string       `json:"-"`
	Thresholds []gate.Check `json:"thresholds"`
}

// WriteDiff writes rep in format.
func WriteDiff(w io.Writer, format string, rep *DiffReport) error {
	bw := bufio.NewWriterSize(noLeadingBlank(w), 1<<16)
	var err error
	switch format {
	case "json":
		doc := struct {
			Base string `json:"base"`
			New  string `json:"new"`
			*DiffReport
		}{rep.Base, rep.New, rep}
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		err = enc.Encode(doc)
	case "csv":
		c := newCSVWriter(bw)
		c.Write([]string{"record", "key", "base_messages", "new_messages", "base_billed", "new_billed", "base_free", "new_free", "base_cost", "new_cost", "cost_delta", "cost_delta_pct", "currency"})
		row := func(kind string, x simulate.Change) {
			c.Write([]string{kind, x.Key, num0(x.Base.Messages), num0(x.New.Messages), num0(x.Base.Billed), num0(x.New.Billed), num0(x.Base.Free), num0(x.New.Free),
				x.Base.Cost.String(), x.New.Cost.String(), x.Delta.Cost.String(), x.DeltaPct, rep.Currency})
		}
		row("total", rep.Total)
		for _, x := range rep.ByMarket {
			row("market", x)
		}
		for _, x := range rep.ByCategory {
			row("category", x)
		}
		c.Flush()
		err = c.Error()
	case "junit":
		err = gate.JUnit(bw, "wacost-diff", rep.Thresholds)
	default:
		rep.text(&textRenderer{w: bw, markdown: format == "markdown", plain: format == "plain"})
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func signedCount(n int64) string {
	if n > 0 {
		return "+" + num(n)
	}
	return num(n)
}

func (rep *DiffReport) text(t *textRenderer) {
	cur := rep.Currency
	t.heading(fmt.Sprintf("Changes from %s to %s (%s)", rep.Base, rep.New, cur))
	pct := func(x simulate.Change) string {
		if x.DeltaPct == "" {
			return "-"
		}
		if x.Delta.Cost > 0 {
			return "+" + x.DeltaPct + "%"
		}
		return x.DeltaPct + "%"
	}
	table := func(title, dim string, xs []simulate.Change) {
		t.heading(title)
		var base, nw, dl []pricing.Money
		for _, x := range xs {
			base, nw, dl = append(base, x.Base.Cost), append(nw, x.New.Cost), append(dl, x.Delta.Cost)
		}
		pb, pn, pd := padMoney(base), padMoney(nw), padMoney(dl)
		for i, x := range xs {
			if x.Delta.Cost > 0 {
				pd[i] = "+" + pd[i]
			}
		}
		var rows [][]string
		for i, x := range xs {
			key := x.Key
			if key == "" {
				key = "all"
			}
			rows = append(rows, []string{key, num(x.Base.Messages), num(x.New.Messages), signedCount(x.Delta.Billed), pb[i], pn[i], pd[i], pct(x)})
		}
		t.table([]string{dim, "messages (base)", "messages (new)", "Δ billed", "cost (base)", "cost (new)", "Δ cost", "Δ %"},
			map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true}, rows)
	}
	table("Total", "", []simulate.Change{rep.Total})
	table("By market", "market", rep.ByMarket)
	table("By category", "category", rep.ByCategory)
	fmt.Fprintf(t.w, "\nPeriods: base %s .. %s, new %s .. %s\n", dash(rep.BasePeriod[0]), dash(rep.BasePeriod[1]), dash(rep.NewPeriod[0]), dash(rep.NewPeriod[1]))
	if len(rep.Settings) > 0 {
		t.heading("Settings that differ (the change may come from them, not the traffic)")
		var rows [][]string
		for _, s := range rep.Settings {
			rows = append(rows, []string{s.Name, s.Base, s.New})
		}
		t.table([]string{"setting", "base", "new"}, nil, rows)
	}
	t.thresholds(rep.Thresholds)
}
