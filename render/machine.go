package render

import (
	"bufio"
	"encoding/json"
	"strconv"

	"github.com/wacost/wacost/simulate"
)

// jsonRenderer writes one JSON object: the Result's fields, with a "ledger"
// array first when asked for (it is streamed, so it comes before the totals).
type jsonRenderer struct {
	w       *bufio.Writer
	ledger  bool
	started bool
	n       int
}

func (j *jsonRenderer) start() {
	if !j.started {
		j.started = true
		if j.ledger {
			j.w.WriteString("{\"ledger\":[")
		}
	}
}

func (j *jsonRenderer) Entry(e *simulate.Entry) error {
	j.start()
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if j.n > 0 {
		j.w.WriteByte(',')
	}
	j.n++
	j.w.WriteString("\n")
	j.w.Write(b)
	return nil
}

func (j *jsonRenderer) Finish(r *simulate.Result) error {
	j.start()
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if j.ledger {
		j.w.WriteString("\n],\n")
		j.w.Write(b[1:]) // the Result's fields, without its opening brace
	} else {
		j.w.Write(b)
	}
	j.w.WriteString("\n")
	return j.w.Flush()
}

// ndjsonRenderer writes one JSON object a line, each with a "record" field:
// "message" (ledger entries), then "summary", "regime", "market",
// "category" and "group".
type ndjsonRenderer struct{ w *bufio.Writer }

type ndEntry struct {
	Record string `json:"record"`
	*simulate.Entry
}

func (n *ndjsonRenderer) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	n.w.Write(b)
	return n.w.WriteByte('\n')
}

func (n *ndjsonRenderer) Entry(e *simulate.Entry) error {
	return n.line(ndEntry{"message", e})
}

func (n *ndjsonRenderer) Finish(r *simulate.Result) error {
	type sum struct {
		Record string `json:"record"`
		simulate.Summary
	}
	type reg struct {
		Record string `json:"record"`
		simulate.RegimeUse
	}
	type grp struct {
		Record string `json:"record"`
		simulate.Group
	}
	if err := n.line(sum{"summary", r.Summary}); err != nil {
		return err
	}
	for _, x := range r.Regimes {
		n.line(reg{"regime", x})
	}
	for _, x := range r.ByMarket {
		n.line(grp{"market", x})
	}
	for _, x := range r.ByCategory {
		n.line(grp{"category", x})
	}
	for _, x := range r.Groups {
		n.line(grp{"group", x})
	}
	return n.w.Flush()
}

// csvRenderer writes the ledger (with --ledger) or one table of totals with
// a "record" column: total, regime, market, category, group.
type csvRenderer struct {
	w      *bufio.Writer
	c      csvWriter
	ledger bool
	header bool
	buf    []byte // the ledger's row being written
	// seen remembers, for the ledger's columns of few values (market,
	// type, ...), whether the last value needed quotes.
	seen [8]quoted
}

func newCSVRenderer(w *bufio.Writer, ledger bool) *csvRenderer {
	return &csvRenderer{w: w, c: newCSVWriter(w), ledger: ledger}
}

// SummaryColumns are the columns of the csv format without --ledger.
var SummaryColumns = []string{"record", "market", "category", "month", "day", "business", "regime", "card", "messages", "inbound", "outbound", "free", "billed", "blocked", "undelivered", "rejected", "cost", "currency"}

func (c *csvRenderer) Entry(e *simulate.Entry) error {
	b := c.buf[:0]
	if !c.header {
		c.header = true
		b = appendCSVRecord(b, simulate.LedgerColumns...)
	}
	b = appendCSVField(b, e.ID)
	b = append(b, ',')
	b = appendTime(b, e.Time) // never needs quotes
	b = appendCSVField(append(b, ','), e.Business)
	b = appendCSVField(append(b, ','), e.Customer)
	for i, f := range [...]string{e.Market, e.Type, e.Category, e.Decision.String(), e.Reason.String()} {
		b = c.seen[i].append(append(b, ','), f)
	}
	b = e.Cost.Append(append(b, ','))
	for i, f := range [...]string{e.Currency, e.Regime, e.Card} {
		b = c.seen[5+i].append(append(b, ','), f)
	}
	b = strconv.AppendBool(append(b, ','), e.Late)
	for _, f := range [...]string{e.Conversation, e.Tier, e.Source, e.MetaLabel} {
		b = appendCSVField(append(b, ','), f)
	}
	b = strconv.AppendBool(append(b, ','), e.Inferred)
	b = strconv.AppendUint(append(b, ','), uint64(e.Tokens), 10)
	b = append(b, ',')
	if e.ProviderCurrency != "" {
		b = e.ProviderPrice.Append(b)
	}
	b = appendCSVField(append(b, ','), e.ProviderCurrency)
	b = appendCSVField(append(b, ','), e.BusinessNumber)
	b = append(b, '\n')
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func counts(c simulate.Counts) []string {
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []string{i(c.Messages), i(c.Inbound), i(c.Outbound), i(c.Free), i(c.Billed), i(c.Blocked), i(c.Undelivered)}
}

func (c *csvRenderer) Finish(r *simulate.Result) error {
	if c.ledger {
		if !c.header {
			c.c.Write(simulate.LedgerColumns)
		}
	} else {
		c.c.Write(SummaryColumns)
		row := func(kind string, g simulate.Group, card string, rejected string) {
			rec := []string{kind, g.Market, g.Category, g.Month, g.Day, g.Business, g.Regime, card}
			rec = append(rec, counts(g.Counts)...)
			rec = append(rec, rejected, g.Cost.String(), r.Summary.Currency)
			c.c.Write(rec)
		}
		row("total", simulate.Group{Counts: r.Summary.Counts}, "", strconv.FormatInt(r.Summary.Rejected, 10))
		for _, x := range r.Regimes {
			row("regime", simulate.Group{Regime: x.Regime, Counts: x.Counts}, x.Card, "")
		}
		for _, x := range r.ByMarket {
			row("market", x, "", "")
		}
		for _, x := range r.ByCategory {
			row("category", x, "", "")
		}
		for _, x := range r.Groups {
			row("group", x, "", "")
		}
	}
	c.c.Flush()
	if err := c.c.Error(); err != nil {
		return err
	}
	return c.w.Flush()
}
