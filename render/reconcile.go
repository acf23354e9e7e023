package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/reconcile"
)

// ReconcileFormats lists the output formats of the reconcile command.
var ReconcileFormats = []string{"table", "json", "csv", "markdown", "html", "junit"}

// Setting is one reading a report rests on, for people and machines.
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ProviderCheck sets a provider's own figures (Twilio's Price) beside
// wacost's Meta fees for the same messages.
type ProviderCheck struct {
	Messages int64         `json:"messages"`
	Currency string        `json:"currency"`
	Provider pricing.Money `json:"provider"`
	// Meta is wacost's Meta fee for those messages, in MetaCurrency.
	Meta         pricing.Money `json:"meta"`
	MetaCurrency string        `json:"meta_currency"`
	// Margin is Provider - Meta (nil when the currencies differ).
	Margin *pricing.Money `json:"margin"`
	// Below counts messages the provider charged less for than Meta's fee.
	Below int64 `json:"below_meta_fee"`
}

// ReconcileReport is everything the reconcile command prints.
type ReconcileReport struct {
	*reconcile.Report
	Provider   *ProviderCheck `json:"provider,omitempty"`
	Settings   []Setting      `json:"settings"`
	Notes      []string       `json:"notes"`
	Thresholds []gate.Check   `json:"thresholds"`
}

// WriteReconcile writes rep in format.
func WriteReconcile(w io.Writer, format string, rep *ReconcileReport) error {
	bw := bufio.NewWriterSize(noLeadingBlank(w), 1<<16)
	var err error
	switch format {
	case "json":
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	case "csv":
		err = rep.csv(bw)
	case "junit":
		err = gate.JUnit(bw, "wacost-reconcile", rep.Thresholds)
	case "html":
		err = rep.html(bw)
	default:
		rep.text(&textRenderer{w: bw, markdown: format == "markdown", plain: format == "plain"})
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func percent(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

// tables are the report's tables, for the text and HTML renderings.
func (rep *ReconcileReport) tables() []htmlTable {
	r := rep.Report
	cur := r.Currency
	ts := []htmlTable{{Title: "Reconciliation with Meta's pricing labels",
		Header: []string{"compared", "agree", "disagree", "no label", "not delivered", "agreement"},
		Rows:   [][]string{{num(r.Compared), num(r.Agree), num(r.Disagree), num(r.NoLabel), num(r.NotDelivered), percent(r.Agreement)}}}}
	conf := htmlTable{Title: "wacost against Meta (delivered business messages with a label; * they disagree)", Header: []string{"wacost", "Meta", "messages"}}
	for _, c := range r.Confusion {
		mark := ""
		if !c.Agree {
			mark = " *"
		}
		conf.Rows = append(conf.Rows, []string{c.Wacost, c.Meta + mark, num(c.Count)})
	}
	ts = append(ts, conf)
	ts = append(ts, htmlTable{Title: "Cost of the compared messages (" + cur + ")", Header: []string{"wacost's cost", "by Meta's labels", "Meta − wacost"},
		Rows: [][]string{padMoney([]pricing.Money{r.Cost.Wacost, r.Cost.Meta, r.Cost.Delta})}})
	if len(r.Causes) > 0 {
		t := htmlTable{Title: "Disagreements by likely cause", Header: []string{"cause", "messages", "Meta − wacost (" + cur + ")"}}
		var ms []pricing.Money
		for _, c := range r.Causes {
			ms = append(ms, c.Delta)
		}
		p := padMoney(ms)
		for i, c := range r.Causes {
			t.Rows = append(t.Rows, []string{c.Cause, num(c.Count), p[i]})
		}
		ts = append(ts, t)
	}
	if len(r.Disagrees) > 0 {
		t := htmlTable{Title: "Disagreements, by likely cause", Header: []string{"id", "timestamp", "customer", "market", "wacost", "Meta", "cause", "Meta − wacost", "why"}}
		var ms []pricing.Money
		for _, d := range r.Disagrees {
			ms = append(ms, d.Delta)
		}
		p := padMoney(ms)
		for i, d := range r.Disagrees {
			t.Rows = append(t.Rows, []string{d.ID, d.Time.UTC().Format(time.RFC3339), d.Customer, d.Market, d.Wacost.String() + " [" + d.Reason + "]",
				d.Meta.String(), d.Cause, p[i], d.Why})
		}
		ts = append(ts, t)
	}
	if a := r.Analytics; a != nil {
		t := htmlTable{Title: fmt.Sprintf("Meta's analytics: %s data points, %s agree, %s differ (volumes exactly, costs within %s)",
			num(a.Rows), num(a.Agree), num(a.Differ), strconv.FormatFloat(100*a.Tolerance, 'f', -1, 64)+"%"),
			Header: []string{"kind", "start", "end", "country", "type", "category", "Meta volume", "wacost volume", "Meta cost", "wacost cost"}}
		for _, d := range a.Differing {
			mc := "-"
			if d.MetaCost != nil {
				mc = *d.MetaCost
			}
			mv, wv := num(d.Meta), num(d.Wacost)
			if d.Kind == reconcile.KindMessaging {
				mv += " sent, " + num(d.MetaDelivered) + " delivered"
				wv += " sent, " + num(d.WacostDelivered) + " delivered"
			}
			t.Rows = append(t.Rows, []string{d.Kind, d.Start.Format(time.RFC3339), d.End.Format(time.RFC3339), dash(d.Country), dash(d.Type), dash(d.Category), mv, wv, mc, d.WacCost.String()})
		}
		ts = append(ts, t)
	}
	if pc := rep.Provider; pc != nil {
		margin := "- (other currencies)"
		if pc.Margin != nil {
			margin = pc.Margin.String() + " " + pc.Currency
		}
		ts = append(ts, htmlTable{Title: "The provider's figures (Twilio's Price) beside Meta's fees",
			Header: []string{"messages", "provider", "Meta's fees (wacost)", "margin", "below Meta's fee"},
			Rows:   [][]string{{num(pc.Messages), pc.Provider.String() + " " + pc.Currency, pc.Meta.String() + " " + pc.MetaCurrency, margin, num(pc.Below)}}})
	}
	st := htmlTable{Title: "Readings used", Header: []string{"setting", "value"}}
	for _, s := range rep.Settings {
		st.Rows = append(st.Rows, []string{s.Name, s.Value})
	}
	return append(ts, st)
}

// numericHeader: the column holds numbers or money (right-aligned).
func numericHeader(h string) bool {
	switch h {
	case "compared", "agree", "disagree", "no label", "not delivered", "agreement", "messages", "Meta volume", "wacost volume",
		"Meta cost", "wacost cost", "margin", "below Meta's fee", "wacost's cost", "by Meta's labels":
		return true
	}
	return strings.HasPrefix(h, "Meta − wacost")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (rep *ReconcileReport) text(t *textRenderer) {
	for _, tb := range rep.tables() {
		t.heading(tb.Title)
		if len(tb.Rows) == 0 {
			continue // nothing differs: the heading says so
		}
		right := map[int]bool{}
		for j, h := range tb.Header {
			right[j] = numericHeader(h)
		}
		t.table(tb.Header, right, tb.Rows)
	}
	if len(rep.Notes) > 0 {
		t.heading("Notes")
		for _, n := range rep.Notes {
			fmt.Fprintf(t.w, "- %s\n", n)
		}
	}
	t.thresholds(rep.Thresholds)
}

// csv writes one table: a record column (summary, confusion, cause,
// disagreement, analytics) and the fields of each.
func (rep *ReconcileReport) csv(w *bufio.Writer) error {
	c := newCSVWriter(w)
	r := rep.Report
	c.Write([]string{"record", "id", "timestamp", "customer", "market", "wacost", "meta", "cause", "count", "wacost_cost", "meta_cost", "delta", "why"})
	c.Write([]string{"summary", "", "", "", "", "", "", "", num0(r.Compared), r.Cost.Wacost.String(), r.Cost.Meta.String(), r.Cost.Delta.String(),
		fmt.Sprintf("agree=%d disagree=%d no_label=%d not_delivered=%d", r.Agree, r.Disagree, r.NoLabel, r.NotDelivered)})
	for _, x := range r.Confusion {
		c.Write([]string{"confusion", "", "", "", "", x.Wacost, x.Meta, "", num0(x.Count), "", "", "", ""})
	}
	for _, x := range r.Causes {
		c.Write([]string{"cause", "", "", "", "", "", "", x.Cause, num0(x.Count), "", "", x.Delta.String(), ""})
	}
	for _, d := range r.Disagrees {
		c.Write([]string{"disagreement", d.ID, d.Time.UTC().Format(time.RFC3339), d.Customer, d.Market, d.Wacost.String(), d.Meta.String(), d.Cause, "1",
			d.WacostCost.String(), d.MetaCost.String(), d.Delta.String(), d.Why})
	}
	if a := r.Analytics; a != nil {
		for _, d := range a.Differing {
			mc := ""
			if d.MetaCost != nil {
				mc = *d.MetaCost
			}
			c.Write([]string{"analytics", d.Kind, d.Start.Format(time.RFC3339), d.Country, "", num0(d.Wacost), num0(d.Meta), d.Type + " " + d.Category, "",
				d.WacCost.String(), mc, "", d.File})
		}
	}
	c.Flush()
	return c.Error()
}

func num0(n int64) string { return strconv.FormatInt(n, 10) }

func (rep *ReconcileReport) html(w io.Writer) error {
	sub := fmt.Sprintf("%s of %s compared business messages agree (%s). Amounts in %s.", num(rep.Agree), num(rep.Compared), percent(rep.Agreement), rep.Currency)
	ts := rep.tables()
	if len(rep.Notes) > 0 {
		nt := htmlTable{Title: "Notes", Header: []string{"note"}}
		for _, n := range rep.Notes {
			nt.Rows = append(nt.Rows, []string{n})
		}
		ts = append(ts, nt)
	}
	return writePage(w, htmlPage{Title: "wacost reconcile", Subtitle: sub, Tables: ts})
}
