package cmd

import (
	"time"

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
deliveries. The same --seed and flags always give the same bytes.`,
		Example: `  wacost generate --rows 1000000 --seed 7 > big.csv
  wacost generate --rows 5000 --format ndjson --start 2025-06-15 --days 30`,
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
			if format != "csv" && format != "ndjson" {
				return usagef("--format %q: want csv or ndjson", format)
			}
			return synth.Write(s.out, synth.Options{Rows: rows, Seed: seed, Start: t, Days: days, Customers: customers, Format: format})
		},
	}
	c.Flags().Int64("rows", 10000, "number of rows")
	c.Flags().Uint64("seed", 1, "random seed")
	c.Flags().String("start", "2026-09-16", "first day (UTC)")
	c.Flags().Int("days", 30, "days the log spans")
	c.Flags().Int("customers", 0, "distinct customers (default rows/40, at least 50)")
	c.Flags().StringP("format", "f", "csv", "csv or ndjson")
	complete(c, "format", []string{"csv", "ndjson"})
	return c
}
