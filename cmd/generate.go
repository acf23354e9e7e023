package cmd

import (
	"io"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/stream"
	"github.com/wacost/wacost/window"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/synth"
)

func newGenerateCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "generate",
		Short: "Write a deterministic synthetic message log",
		Long: `Write a synthetic WhatsApp message log, sorted by time: many countries, a daily
rhythm, marketing bursts, replies from seconds to days late (some after the window
closed), templates of each category, ad and Page entry points, and ~2% failed
deliveries. The same --seed and flags always give the same bytes.

--format meta-webhook writes the log as Cloud API webhook bodies (one a line:
customer messages, and each business message's sent and delivered or failed
statuses) whose pricing labels are wacost's own verdicts under its default
settings: for demos and speed checks of reconcile, not a proof of anything.`,
		Example: `  wacost generate --rows 1000000 --seed 7 > big.csv
  wacost generate --rows 5000 --format ndjson --start 2025-06-15 --days 30
  wacost generate --rows 100000 --format meta-webhook > webhooks.ndjson`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			rows, _ := c.Flags().GetInt64("rows")
			seed, _ := c.Flags().GetUint64("seed")
			start, _ := c.Flags().GetString("start")
			days, _ := c.Flags().GetInt("days")
			customers, _ := c.Flags().GetInt("customers")
			format, _ := c.Flags().GetString("format")
			t, err := time.Parse("2006-01-02", start)
			if err != nil {
				return usagef("--start %q: want YYYY-MM-DD", start)
			}
			if rows < 0 || days <= 0 || customers < 0 {
				return usagef("--rows and --customers must not be negative, --days must be positive")
			}
			o := synth.Options{Rows: rows, Seed: seed, Start: t, Days: days, Customers: customers, Format: format}
			switch format {
			case "csv", "ndjson":
				return synth.Write(s.out, o)
			case "meta-webhook":
				return generateWebhooks(s, o)
			}
			return usagef("--format %q: want csv, ndjson or meta-webhook", format)
		},
	}
	c.Flags().Int64("rows", 10000, "number of rows")
	c.Flags().Uint64("seed", 1, "random seed")
	c.Flags().String("start", "2026-09-16", "first day (UTC)")
	c.Flags().Int("days", 30, "days the log spans")
	c.Flags().Int("customers", 0, "distinct customers (default rows/40, at least 50)")
	c.Flags().StringP("format", "f", "csv", "csv, ndjson or meta-webhook (webhook bodies labelled with wacost's own pricing, default settings)")
	complete(c, "format", []string{"csv", "ndjson", "meta-webhook"})
	return c
}

// generateWebhooks writes the synthetic log as webhook bodies labelled by
// a replay of it under the default settings.
func generateWebhooks(s *streams, o synth.Options) error {
	mk, err := pricing.LoadMarkets(pricing.DefaultMarketOptions())
	if err != nil {
		return err
	}
	cat, err := pricing.LoadCatalog(mk)
	if err != nil {
		return err
	}
	ww := render.NewWebhookWriter(s.out)
	eng, err := simulate.New(simulate.Options{Regime: "auto", Location: time.UTC, Window: window.DefaultConfig(), Policy: pricing.DefaultPolicy(),
		Markets: mk, Catalog: cat, Visit: ww.Visit})
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	o.Format = "csv"
	go func() { pw.CloseWithError(synth.Write(pw, o)) }()
	defer pr.Close()
	rd, err := msglog.NewReader(pr, msglog.Options{Name: "generated", Format: msglog.FormatCSV})
	if err != nil {
		return err
	}
	// At one instant the replay takes customer messages first: the
	// generator's order, by time alone, is put in it.
	if err := simulate.Run(eng, stream.Reorder(rd, 4096), func(err error) error { return err }); err != nil {
		return err
	}
	return ww.Flush()
}
