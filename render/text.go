package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// textRenderer writes aligned tables for people (or Markdown tables).
type textRenderer struct {
	w        *bufio.Writer
	ledger   bool
	markdown bool
	// plain: aligned columns without the rule under the header (a table
	// read by a program or a pipe, not a terminal).
	plain   bool
	entries []simulate.Entry
}

func (t *textRenderer) Entry(e *simulate.Entry) error {
	t.entries = append(t.entries, *e)
	return nil
}

// table writes one table; right lists the columns to right-align (numbers
// and money). Money columns should already be padded with padMoney.
func (t *textRenderer) table(header []string, right map[int]bool, rows [][]string) {
	align := make([]tw.Align, len(header))
	for i := range align {
		align[i] = tw.AlignLeft
		if right[i] {
			align[i] = tw.AlignRight
		}
	}
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	}
	if t.markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	} else {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Settings: tw.Settings{Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off}, Lines: tw.Lines{ShowHeaderLine: headerLine(t.plain)}},
		})))
	}
	tb := tablewriter.NewTable(t.w, opts...)
	tb.Header(header)
	for _, r := range rows {
		if t.markdown {
			r = markdownCells(r)
		}
		tb.Append(r)
	}
	tb.Render()
}

// markdownEscaper makes a cell's text literal in a Markdown table: a pipe
// would start a column, HTML would be rendered, a line break would end
// the row.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "\n", " ", "\r", " ")

// markdownCells is a row with each cell escaped for Markdown.
func markdownCells(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = markdownEscaper.Replace(c)
	}
	return out
}

func (t *textRenderer) heading(s string) {
	if t.markdown {
		fmt.Fprintf(t.w, "\n## %s\n\n", s)
	} else {
		fmt.Fprintf(t.w, "\n%s\n", s)
	}
}

// num renders a count with thousands separators.
func num(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// padMoney renders exact amounts with the same number of decimals (the
// most any of them needs), so that right-aligned they line up on the point.
func padMoney(ms []pricing.Money) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String() // always two decimals or more
	}
	return AlignDecimals(out)
}

var countHeader = []string{"messages", "inbound", "outbound", "free", "billed", "blocked", "undelivered"}

func countCells(c simulate.Counts) []string {
	return []string{num(c.Messages), num(c.Inbound), num(c.Outbound), num(c.Free), num(c.Billed), num(c.Blocked), num(c.Undelivered)}
}

// groupTable writes a breakdown with its key columns first.
func (t *textRenderer) groupTable(dims []string, rows []simulate.Group, currency string) {
	header := append(append([]string{}, dims...), countHeader...)
	header = append(header, "cost ("+currency+")")
	right := map[int]bool{}
	for i := len(dims); i < len(header); i++ {
		right[i] = true
	}
	var ms []pricing.Money
	for _, g := range rows {
		ms = append(ms, g.Cost)
	}
	money := padMoney(ms)
	var cells [][]string
	for i, g := range rows {
		var r []string
		for _, d := range dims {
			v := g.Field(d)
			if v == "" {
				v = "-"
			}
			r = append(r, v)
		}
		r = append(r, countCells(g.Counts)...)
		cells = append(cells, append(r, money[i]))
	}
	t.table(header, right, cells)
}

func (t *textRenderer) Finish(r *simulate.Result) error {
	s := r.Summary
	cur := s.Currency
	if cur == "" {
		cur = "-"
	}
	if t.ledger {
		t.heading(fmt.Sprintf("Ledger (%s business messages)", num(int64(len(t.entries)))))
		var ms []pricing.Money
		for _, e := range t.entries {
			ms = append(ms, e.Cost)
		}
		money := padMoney(ms)
		convs := false
		for _, e := range t.entries {
			convs = convs || e.Conversation != ""
		}
		var rows [][]string
		for i, e := range t.entries {
			reason := e.Reason.String()
			if e.Late && e.Reason != pricing.ReasonLateReply && e.Reason != pricing.ReasonOutsideWindow {
				reason += " (late)"
			}
			row := []string{e.Time.Format(time.RFC3339), e.Business, e.Customer, e.Market, e.Type, e.Category, e.Decision.String(), reason, money[i], e.ID}
			if convs {
				row = append(row, e.Conversation)
			}
			rows = append(rows, row)
		}
		header := []string{"timestamp", "business", "customer", "market", "type", "category", "decision", "reason", "cost (" + cur + ")", "id"}
		if convs {
			header = append(header, "conversation")
		}
		t.table(header, map[int]bool{8: true}, rows)
	}

	t.heading("Summary")
	period := "-"
	if s.First != nil {
		period = s.First.Format(time.RFC3339) + " .. " + s.Last.Format(time.RFC3339)
	}
	m := padMoney([]pricing.Money{s.Cost})
	rows := [][]string{
		{"messages", num(s.Messages)},
		{"inbound", num(s.Inbound)},
		{"outbound", num(s.Outbound)},
		{"  free", num(s.Free)},
		{"  billed", num(s.Billed)},
		{"  blocked", num(s.Blocked)},
		{"  undelivered", num(s.Undelivered)},
		{"rejected rows", num(s.Rejected)},
		{"late replies", num(s.LateReplies)},
		{"cost", m[0] + " " + cur},
	}
	if s.ProviderCurrency != "" {
		// The provider's own figures (Twilio's Price), beside Meta's fees.
		rows = append(rows, []string{"provider's price", s.Provider.String() + " " + s.ProviderCurrency + " (" + num(s.ProviderPriced) + " messages)"})
	}
	t.table([]string{"", "total"}, map[int]bool{1: true}, rows)
	t.w.WriteString("\n")
	t.table([]string{"setting", "value"}, nil, [][]string{
		{"period", period},
		{"timezone", r.Settings.Timezone},
		{"regime", r.Settings.Regime + " (used: " + strings.Join(nonEmpty(s.Regimes), ", ") + ")"},
		{"tariff", r.Settings.Tariff},
		{"late replies", r.Settings.LateReplies + " (as " + r.Settings.LateCategory + ")"},
		{"entry re-entry", dash(r.Settings.FEPReentry) + " (PMP-08b)"},
	})

	if len(r.Regimes) > 0 {
		t.heading("By regime and card")
		var ms []pricing.Money
		for _, x := range r.Regimes {
			ms = append(ms, x.Cost)
		}
		money := padMoney(ms)
		var rows [][]string
		for i, x := range r.Regimes {
			rows = append(rows, []string{x.Regime, x.Card, x.From, x.To, num(x.Outbound), num(x.Free), num(x.Billed), num(x.Blocked), num(x.Undelivered), money[i]})
		}
		t.table([]string{"regime", "card", "from", "to", "outbound", "free", "billed", "blocked", "undelivered", "cost (" + cur + ")"},
			map[int]bool{4: true, 5: true, 6: true, 7: true, 8: true, 9: true}, rows)
	}
	t.heading("By market")
	t.groupTable([]string{"market"}, r.ByMarket, cur)
	t.heading("By category")
	t.groupTable([]string{"category"}, r.ByCategory, cur)
	if len(r.GroupBy) > 0 {
		t.heading("By " + strings.Join(r.GroupBy, ", "))
		t.groupTable(r.GroupBy, r.Groups, cur)
	}
	if len(r.Notes) > 0 {
		t.heading("Notes")
		for _, n := range r.Notes {
			fmt.Fprintf(t.w, "- %s\n", n)
		}
	}
	t.thresholds(r.Thresholds)
	return t.w.Flush()
}

// thresholds writes the CI checks, a line each: ✓ held, ✗ crossed, !
// a warning that did not hold, ? nothing measured (it passes).
func (t *textRenderer) thresholds(cs []gate.Check) {
	if len(cs) == 0 {
		return
	}
	t.heading("Thresholds")
	for _, c := range cs {
		mark, why := "✓", c.Describe
		switch {
		case c.Missing:
			mark, why = "?", c.Describe+" (it passes: a misspelt scope?)"
		case !c.Pass && !c.Warn:
			mark = "✗"
		case !c.Pass:
			mark = "!"
		}
		fmt.Fprintf(t.w, "%s %s\n", mark, why)
	}
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return []string{"none"}
	}
	return s
}

// noLeadingBlank is w without the blank lines an output would start
// with (each section's heading begins with one, the first's is not
// wanted).
func noLeadingBlank(w io.Writer) io.Writer { return &leadTrim{w: w} }

type leadTrim struct {
	w       io.Writer
	started bool
}

func (l *leadTrim) Write(b []byte) (int, error) {
	if l.started {
		return l.w.Write(b)
	}
	n := 0
	for n < len(b) && b[n] == '\n' {
		n++
	}
	if n == len(b) {
		return len(b), nil
	}
	l.started = true
	m, err := l.w.Write(b[n:])
	return n + m, err
}

func headerLine(plain bool) tw.State {
	if plain {
		return tw.Off
	}
	return tw.On
}

// Styled is the format to render a table in: "plain" (aligned columns,
// no rule) for "table" where the output is not a terminal, else format.
func Styled(format string, terminal bool) string {
	if (format == "table" || format == "") && !terminal {
		return "plain"
	}
	return format
}
