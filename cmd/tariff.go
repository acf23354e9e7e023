package cmd

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/render"
)

func newTariffCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "tariff",
		Short: "List, show, check and export rate cards",
		Long: `Work with rate cards: the built-in cards (each with its effective dates and
provenance) and your own card files (CSV in Meta's shape, or YAML/JSON).`,
		Example: `  wacost tariff list
  wacost tariff show 2026-10
  wacost tariff export 2026-10 > my-card.csv   # edit, then: wacost simulate --tariff my-card.csv
  wacost tariff validate my-card.csv`,
	}
	c.AddCommand(newTariffListCmd(s), newTariffShowCmd(s), newTariffValidateCmd(s), newTariffExportCmd(s))
	return c
}

func loadPricing() (*pricing.Markets, *pricing.Catalog, error) {
	mk, err := pricing.LoadMarkets(pricing.DefaultMarketOptions())
	if err != nil {
		return nil, nil, err
	}
	cat, err := pricing.LoadCatalog(mk)
	return mk, cat, err
}

func tableFormatFlag(c *cobra.Command) *string {
	f := c.Flags().StringP("format", "f", "table", "output format: table, markdown, csv or json")
	complete(c, "format", []string{"table", "markdown", "csv", "json"})
	return f
}

func newTariffListCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "list",
		Short: "List the built-in rate cards",
		Args:  cobra.NoArgs,
	}
	format := tableFormatFlag(c)
	c.RunE = func(c *cobra.Command, _ []string) error {
		_, cat, err := loadPricing()
		if err != nil {
			return err
		}
		var rows [][]string
		for _, n := range cat.Names() {
			card, _ := cat.Card(n)
			fam, unit := cat.Describe(n)
			until := "-"
			if u := cat.Until(n); u != 0 {
				until = u.AddDays(-1).String()
			}
			var regs []string
			for _, r := range pricing.Regimes() {
				if r.Family == fam && r.From < orMax(cat.Until(n)) && (r.Until == 0 || r.Until > card.Effective) {
					regs = append(regs, r.Name)
				}
			}
			regimes := strings.Join(regs, ",")
			if cat.Manual(n) { // not picked by date: only --tariff NAME uses it
				regimes = "by name (" + regimes + " rules)"
			}
			rows = append(rows, []string{n, card.Effective.String(), until, regimes, card.Currency,
				strconv.Itoa(len(card.Markets())), unit, provenanceSummary(card)})
		}
		return render.WriteCounts(s.out, render.Styled(*format, isTerminal(s.out)), []string{"card", "from", "until", "regimes", "currency", "markets", "unit", "provenance"},
			map[int]bool{5: true}, map[int]bool{5: true}, rows)
	}
	return c
}

func orMax(d pricing.Day) pricing.Day {
	if d == 0 {
		return 1 << 30
	}
	return d
}

// provenanceSummary says in a few words how a card was made.
func provenanceSummary(c *pricing.Card) string {
	var est int
	for _, m := range c.Markets() {
		if r, _ := c.Rate(m); r.Estimated {
			est++
		}
	}
	var parts []string
	switch {
	case c.Proxy:
		parts = append(parts, "PROXY")
	case strings.Contains(c.Note, "DERIVED"):
		parts = append(parts, "derived")
	default:
		parts = append(parts, "transcribed")
	}
	if est > 0 {
		parts = append(parts, fmt.Sprintf("%d rows estimated or filled", est))
	}
	return strings.Join(parts, "; ")
}

// openCard finds a built-in card by name, or reads a card file.
func openCard(mk *pricing.Markets, cat *pricing.Catalog, arg string) (*pricing.Card, error) {
	if card, err := cat.Card(arg); err == nil {
		return card, nil
	}
	if _, err := os.Stat(arg); err != nil {
		return nil, usagef("%q is neither a built-in card (%s) nor a file", arg, strings.Join(cat.Names(), ", "))
	}
	return loadTariff(arg, mk)
}

func newTariffShowCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "show NAME|FILE",
		Short: "Show a card's rates by market and key",
		Long: `Show a card's rates by market and price key, with the basis of each row.
Rows marked * hold estimated, derived or filled figures; "-" is no figure.`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			_, cat, _ := loadPricing()
			if cat == nil {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return cat.Names(), cobra.ShellCompDirectiveDefault
		},
	}
	format := tableFormatFlag(c)
	c.RunE = func(c *cobra.Command, args []string) error {
		mk, cat, err := loadPricing()
		if err != nil {
			return err
		}
		card, err := openCard(mk, cat, args[0])
		if err != nil {
			return err
		}
		keys := card.Keys()
		header := []string{"market"}
		right := map[int]bool{}
		for i, k := range keys {
			header = append(header, k.String())
			right[i+1] = true
		}
		header = append(header, "estimated", "basis")
		var rows [][]string
		for _, m := range card.Markets() {
			r, _ := card.Rate(m)
			row := []string{m}
			for _, k := range keys {
				v := "-"
				if r.Has[k] {
					v = r.Price[k].String()
				}
				row = append(row, v)
			}
			est := ""
			if r.Estimated || card.Proxy {
				est = "*"
			}
			rows = append(rows, append(row, est, r.Basis))
		}
		if *format == "table" || *format == "markdown" {
			for col := 1; col <= len(keys); col++ {
				vals := make([]string, len(rows))
				for i := range rows {
					vals[i] = rows[i][col]
				}
				for i, v := range render.AlignDecimals(vals) {
					rows[i][col] = v
				}
			}
			fmt.Fprintf(s.out, "card %s: %s, %s, from %s\n", card.Name, card.Currency, card.Unit, orDash(card.Effective.String()))
			if card.Note != "" {
				fmt.Fprintf(s.out, "note: %s\n", card.Note)
			}
			fmt.Fprintln(s.out)
		}
		if err := render.WriteTable(s.out, render.Styled(*format, isTerminal(s.out)), header, right, rows); err != nil {
			return err
		}
		if (*format == "table" || *format == "markdown") && len(card.Provenance) > 0 {
			// What the basis codes mean and how the figures were made: the
			// card file's own words.
			fmt.Fprintln(s.out, "\nProvenance (what the basis column's codes mean):")
			fmt.Fprintln(s.out, "  Grades, as in the pricing reference: M Meta's own page; M-q Meta's words quoted elsewhere; S a secondary")
			fmt.Fprintln(s.out, "  source; D derived here; FILLED taken from another card; 'rules mark:N' the card's method rule (N) a figure")
			fmt.Fprintln(s.out, "  came from. The card file's own words:")
			for _, line := range card.Provenance {
				fmt.Fprintf(s.out, "  %s\n", line)
			}
		}
		return nil
	}
	return c
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newTariffValidateCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a card (or with --tiers a volume-tier table) file; lists every error with its line and field",
		Long: `Check a rate card file (CSV, YAML or JSON), or with --tiers a volume-tier
table, as --tariff and --tiers read them. Every error found is listed, each
naming the file, line and field (up to 100), and the exit code is 1; a good
card is summed up, with the markets of today's table it has no row for.`,
		Args: cobra.ExactArgs(1),
	}
	tiers := c.Flags().Bool("tiers", false, "FILE is a volume-tier table (as --tiers reads)")
	c.RunE = func(c *cobra.Command, args []string) error {
		mk, _, err := loadPricing()
		if err != nil {
			return err
		}
		if *tiers {
			t, err := loadTiers(args[0], mk)
			if err != nil {
				return listFileErrors(s, err)
			}
			fmt.Fprintf(s.out, "%s: ok: volume tiers for %d markets, %s\n", args[0], len(t.Markets()), t.Currency)
			return nil
		}
		card, err := loadTariff(args[0], mk)
		if err != nil {
			return listFileErrors(s, err)
		}
		var keys []string
		for _, k := range card.Keys() {
			keys = append(keys, k.String())
		}
		fmt.Fprintf(s.out, "%s: ok: %d markets, %s, keys %s\n", args[0], len(card.Markets()), card.Currency, strings.Join(keys, ", "))
		// Markets of today's table that the card leaves out fall back to nothing: say which.
		day := card.Effective
		if day == 0 {
			day = pricing.MustDay(2026, 10, 1)
		}
		var missing []string
		for _, m := range mk.NamesAt(day) { // sorted, without the unmessageable
			if _, ok := card.Rate(m); !ok {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(s.err, "wacost: warning: %s has no row for %d market(s) of the %s market table: %s; messages to them will fail to price\n",
				args[0], len(missing), day, strings.Join(missing, ", "))
		}
		return nil
	}
	return c
}

// listFileErrors lists each of a file's errors on stderr, and fails.
func listFileErrors(s *streams, err error) error {
	var all pricing.FileErrors
	if !errors.As(err, &all) {
		return err
	}
	for _, e := range all {
		fmt.Fprintf(s.err, "wacost: %s\n", e)
	}
	fmt.Fprintf(s.err, "wacost: %d errors\n", len(all))
	return silentError{ExitData}
}

func newTariffExportCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "export NAME",
		Short: "Write a built-in card as CSV in Meta's shape, to edit and load with --tariff",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			_, cat, err := loadPricing()
			if err != nil {
				return err
			}
			card, err := cat.Card(args[0])
			if err != nil {
				return usageError{err}
			}
			return card.WriteCSV(s.out)
		},
	}
}
