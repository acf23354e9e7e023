package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/replay"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/window"
)

type simulateOptions struct {
	files []string
	// input is how the logs are read: format, column and value maps,
	// default country, time format, separator, record size.
	input      msglog.Options
	regime     string
	tariffFile string
	location   *time.Location
	policy     pricing.Policy
	fepWindow  time.Duration
	fepExtend  bool
	// tableNotes: the command's table output has a Notes section.
	tableNotes bool
	// terminal: standard output is a terminal (tables get their rule).
	terminal    bool
	format      string
	ledger      bool
	groupBy     []string
	skipInvalid bool
	maxErrors   int
	reorder     int
	kzLegacy    string
	fx          *pricing.FX
	authIntl    pricing.AuthIntl
	tiersFile   string
	thresholds  []gate.Threshold
	quiet       bool
	bizLoc      map[string]*time.Location
	sortMemory  int
	jobs        int // replays side by side, each for a part of the customers
	shardI      int
	shardN      int
	nanp        string
	progress    string         // --progress: auto, always or never
	mask        *render.Masker // --mask-customers: pseudonyms for customer numbers, or nil
}

const simulateLong = `Replay message logs through the customer-service window rules and a rate card,
and report every business message as free, billed, blocked or undelivered, with
why and at what cost, plus totals by market, category and regime.

Input: CSV (separator , ; tab or |), a JSON array of objects, or NDJSON, from
files or stdin ("-" or no file), gzipped or not. Columns (header names
case-insensitive, any order, extra columns ignored): timestamp, customer,
direction (required); type, category, country, business, entry_point, status,
id, agent, sender, template, tokens. Rows need not be sorted. --map renames columns,
--value maps values, --time-format and --default-country read other forms.

Sources, told from their content: Twilio exports (twilio), Meta Cloud API
webhook bodies, a file or a directory of them (meta-webhook; --sends,
--identity-map), and the WhatsApp app's chat export .txt or .zip
(whatsapp-chat; --me NAME, --default-country).

Regimes (--regime; "auto" picks each message's regime by its date in --timezone):
%s
Tariffs: each regime prices with its built-in card in force on the message's date
('wacost tariff list'). The 2018-08 regime's card is a PROXY: Meta's 2018-2021
per-country template prices were not found, so each market's earliest known
business-initiated rate stands in. Load a real card with --tariff FILE (CSV
"market,<key>,..." with a "# currency: USD" line, or YAML/JSON) or a card's name.`

func regimeHelp() string {
	var b strings.Builder
	for _, r := range pricing.Regimes() {
		until := "today"
		if r.Until != 0 {
			until = r.Until.AddDays(-1).String()
		}
		fmt.Fprintf(&b, "  %-8s %s .. %-10s  %s\n", r.Name, r.From, until, r.Title)
	}
	return b.String()
}

func newSimulateCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "simulate [FILE ...]",
		Short: "Price every business message of a message log",
		Long:  fmt.Sprintf(simulateLong, regimeHelp()) + fmt.Sprintf(thresholdHelp, strings.Join(simulate.MetricNames, ", ")),
		Example: `  wacost simulate testdata/sample.csv
  wacost simulate testdata/sample.csv --format json
  wacost simulate testdata/sample.csv --ledger --format csv > ledger.csv
  wacost simulate log.ndjson --regime 2025-07 --group-by month,market
  cat export.csv | wacost simulate --map timestamp=created_at --map customer=wa_id -`,
		RunE: func(c *cobra.Command, args []string) error {
			o, err := simulateOptionsFrom(c, args)
			if err != nil {
				return err
			}
			return runSimulate(s, o)
		},
	}
	addReplayFlags(c)
	f := c.Flags()
	f.StringP("format", "f", "table", "output format: "+strings.Join(render.Formats, ", ")+", partial (a shard's mergeable result)")
	f.Bool("ledger", false, "print one record per business message")
	f.StringSlice("group-by", nil, "extra breakdown by: "+strings.Join(simulate.Dimensions, ", "))
	complete(c, "format", render.Formats)
	complete(c, "group-by", simulate.Dimensions)
	addThresholdFlags(c)
	addMaskFlags(c)
	f.BoolP("quiet", "q", false, "do not repeat the result's notes on stderr")
	f.IntP("jobs", "j", 0, "replay CSV files in this many parts side by side, each for a part of the customers, and merge them; summary output only (0: one part per two cores, and one replay on fewer than 4 cores)")
	return c
}

// addReplayFlags registers the flags every command that replays a log
// shares: input, regimes, tariffs and the settings of uncertain rules.
func addReplayFlags(c *cobra.Command) {
	f := c.Flags()
	f.String("input-format", "auto", "input format: auto, csv, json, ndjson, twilio, meta-webhook or whatsapp-chat")
	f.StringArray("map", nil, "map a column onto a header name of the file: COLUMN=HEADER (repeatable)")
	f.StringArray("value", nil, "read a column's value as another: COLUMN:VALUE=READ_AS, e.g. direction:true=out (repeatable; a values: section in the config)")
	f.String("default-country", "", "read customer numbers written without + or 00 as this country writes them (ISO code, e.g. BR: (11) 98765-4321 is +55 11 98765-4321)")
	f.String("time-format", "", "a timestamp layout, strftime-style (%d/%m/%Y %H:%M), tried before the forms wacost reads anyway")
	f.StringArray("me", nil, "in a WhatsApp chat export: an author who is the business (repeatable); the others are customers")
	f.String("date-order", "auto", "in a WhatsApp chat export: the dates' order, dmy, mdy or ymd, or auto (told from a day over 12)")
	f.String("sends", "", "a send log joined to webhook or Twilio logs by message id (or Sid): a CSV of id and type, category, template (wacost's column names)")
	f.String("identity-map", "", "a CSV of bsuid,number that joins business-scoped user ids of webhook logs to phone numbers")
	f.String("delimiter", "auto", "CSV field separator: auto (the first of , ; tab | that splits the header into its columns), or one character, or tab")
	f.String("regime", "auto", "pricing regime: auto or one of "+strings.Join(pricing.RegimeNames(), ", "))
	f.String("tariff", "", "price every message with this card: a file (CSV, YAML or JSON) or a built-in card's name (wacost tariff list)")
	f.String("timezone", "UTC", "the WhatsApp Business Account's time zone (IANA name): months, quotas and rate dates")
	f.String("late-replies", "template", "free-form messages sent with no window open: template (price as a template) or block")
	f.String("late-reply-category", "utility", "template category a late reply is priced as: marketing, utility or authentication")
	f.Int64("service-quota", 1000, "free service messages per business number per month (regime 2026-10)")
	f.Bool("quota-counts-fep", false, "service messages free in a free-entry-point window use up the service quota too (regime 2026-10; Meta says nothing of it)")
	f.Int64("free-tier", 1000, "free conversations per account per month: any under 2022-02, service under 2023-06")
	f.Int64("mexico-free-sessions", 1000, "monthly free sessions of the 2021 Mexico test (sources say 1,000 or 1,500)")
	f.Duration("fep-window", window.FEP, "length of a free-entry-point window")
	f.String("fep-reentry", "after-close", "a customer back through an ad while a free-entry-point window is open (PMP-08b): after-close (a reply then changes nothing; the first after it closes opens a new one) or extend (every reply within 24 h of an ad opens or extends one)")
	f.String("fx", "", "convert every cost into another currency: CUR=RATE (units of CUR per unit of the card's currency)")
	f.Bool("auth-intl-eligible", false, "the business is subject to authentication-international rates (AI-02)")
	f.String("business-country", "", "ISO code of the business's primary location; auth-international applies to other countries (empty: unverified, all)")
	f.String("auth-intl-start", "", "the business's auth-international start date, YYYY-MM-DD (default: each market's own start)")
	f.String("tiers", "", "volume-tier table for utility and authentication (wacost's CSV or Meta's volume-tier CSV)")
	f.StringArray("business-timezone", nil, "a business (WABA) in its own time zone: BUSINESS=ZONE (repeatable)")
	f.Bool("skip-invalid", false, "skip rows that cannot be read or priced (counted in summary.rejected) instead of failing")
	f.Int("max-errors", 20, "how many bad rows to list on stderr")
	f.Int("reorder-buffer", 4096, "rows held per input to put slightly unsorted rows in order before a full sort is needed")
	f.String("shard", "", "process only the customers of shard i of n (i/n; FNV-1a hash of the number), e.g. for --format partial and wacost merge")
	f.Int("max-record-bytes", msglog.DefaultMaxRecordBytes, "the most bytes a CSV record or an NDJSON line may hold: a longer one is a bad row, read past without being kept")
	f.Int("sort-memory", 250000, "when a full sort is needed: rows held in memory (about 300 bytes each) before sorted runs spill to temporary files")
	f.String("progress", "auto", "show the replay's progress on stderr: auto (on a terminal, unless -q), always (elsewhere, a line every 10s) or never")
	f.String("kazakhstan-before-2026-10", "Russia", "market of Kazakh +7 6xx/7xx numbers before 2026-10-01: Russia or Other")
	complete(c, "input-format", []string{"auto", "csv", "json", "ndjson", "twilio", "meta-webhook", "whatsapp-chat"})
	complete(c, "progress", progressModes)
	complete(c, "regime", append([]string{"auto"}, pricing.RegimeNames()...))
	complete(c, "late-replies", []string{"template", "block"})
	complete(c, "late-reply-category", []string{"marketing", "utility", "authentication"})
	f.String("nanp-caribbean", "Other", "market of +1 numbers of Caribbean countries Meta does not list (Bahamas, Trinidad, ...): Other or \"North America\"")
	complete(c, "kazakhstan-before-2026-10", []string{"Russia", "Other"})
	complete(c, "nanp-caribbean", []string{"Other", "North America"})
}

// addMaskFlags registers the flags that hide customer numbers in what a
// command writes.
func addMaskFlags(c *cobra.Command) {
	c.Flags().Bool("mask-customers", false, "replace customer numbers with pseudonyms in the output, the bad rows listed and partials (c1, c2, ... in order of appearance)")
	c.Flags().String("mask-key", "", "with --mask-customers (which it implies): pseudonyms from an HMAC of the number with this key, the same in every run")
}

// maskFunc is the run's pseudonym of a customer number (nil: numbers shown).
func (o *simulateOptions) maskFunc() func(string) string {
	if o.mask == nil {
		return nil
	}
	return o.mask.Mask
}

// maskFrom is the run's customer masker (nil: numbers shown).
func maskFrom(v *config) *render.Masker {
	if !v.GetBool("mask-customers") && v.GetString("mask-key") == "" {
		return nil
	}
	return render.NewMasker(v.GetString("mask-key"))
}

func complete(c *cobra.Command, flag string, values []string) {
	_ = c.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// simulateOptionsFrom reads flags, environment and config, and validates
// them; every problem is a usage error.
// replayCommandOptions loads a command's configuration and its shared
// replay options.
func replayCommandOptions(c *cobra.Command, args []string) (*config, *simulateOptions, error) {
	v, err := loadConfig(c)
	if err != nil {
		return nil, nil, err
	}
	o, err := replayOptionsFrom(c, v, args)
	return v, o, err
}

func simulateOptionsFrom(c *cobra.Command, args []string) (*simulateOptions, error) {
	v, o, err := replayCommandOptions(c, args)
	if err != nil {
		return nil, err
	}
	o.ledger = v.GetBool("ledger")
	if o.format, err = formatFrom(v, append(append([]string{}, render.Formats...), "partial")); err != nil {
		return nil, err
	}
	if o.format == "partial" && o.ledger {
		return nil, usagef("--format partial has no ledger: run the shard again with --ledger for its messages")
	}
	if o.groupBy, err = simulate.ParseGroupBy(v.GetStringSlice("group-by")); err != nil {
		return nil, usageError{err}
	}
	if o.format == "html" {
		// The page draws the daily cost by category and the months.
		if o.ledger || len(o.groupBy) > 0 {
			return nil, usagef("--format html has no ledger and groups by day and category itself: drop --ledger and --group-by")
		}
		o.groupBy = []string{"day", "category"}
	}
	o.quiet, o.tableNotes = v.GetBool("quiet"), true
	o.mask = maskFrom(v)
	if o.jobs = v.GetInt("jobs"); o.jobs < 0 || o.jobs > maxJobs {
		return nil, usagef("--jobs %d: want 0 (automatic) to %d", o.jobs, maxJobs)
	} else if o.jobs == 0 {
		o.jobs = defaultJobs(runtime.GOMAXPROCS(0))
	}
	if o.thresholds, err = thresholdsFrom(v); err != nil {
		return nil, err
	}
	if err := checkScopes(o.thresholds, o.groupBy, "market", "category"); err != nil {
		return nil, err
	}
	return o, nil
}

// replayOptionsFrom reads the shared replay settings and checks them;
// every problem is a usage error.
func replayOptionsFrom(c *cobra.Command, v *config, args []string) (*simulateOptions, error) {
	rs := replaySettingsFrom(v)
	o, err := rs.options(args)
	if err != nil {
		return nil, usageError{err}
	}
	return o, nil
}

// Bounds of the size settings: past them a run would only exhaust memory
// or time (each part of --jobs reads the whole log).
const (
	maxReorder      = 1_000_000
	maxSortMemory   = 10_000_000
	maxListedErrors = 1_000_000
	maxJobs         = 64
	// a record between a kibibyte and a gibibyte
	minRecordBytes, maxRecordBytes = 1 << 10, 1 << 30
)

// replaySettings are the settings every command that replays a log
// shares, as given (flag, environment, config file or default).
type replaySettings struct {
	InputFormat, Regime, Tariff, Timezone string
	Map, BusinessTimezone, Values         []string
	DefaultCountry, TimeFormat, Delimiter string
	Sends, IdentityMap                    string
	Me                                    []string
	DateOrder                             string
	LateReplies, LateReplyCategory        string
	ServiceQuota, FreeTier, MexicoFree    int64
	FEPWindow                             time.Duration
	FEPReentry                            string
	QuotaCountsFEP                        bool
	FX                                    string
	AuthIntlEligible                      bool
	BusinessCountry, AuthIntlStart, Tiers string
	SkipInvalid                           bool
	MaxErrors, ReorderBuffer, SortMemory  int64
	MaxRecordBytes                        int64
	Shard, Progress                       string
	KazakhstanPre, NANPCaribbean          string
}

func replaySettingsFrom(v *config) replaySettings {
	return replaySettings{
		InputFormat: v.GetString("input-format"), Regime: v.GetString("regime"), Tariff: v.GetString("tariff"), Timezone: v.GetString("timezone"),
		Map: v.GetStringSlice("map"), BusinessTimezone: v.GetStringSlice("business-timezone"), Values: v.GetStringSlice("value"),
		DefaultCountry: v.GetString("default-country"), TimeFormat: v.GetString("time-format"), Delimiter: v.GetString("delimiter"),
		Sends: v.GetString("sends"), IdentityMap: v.GetString("identity-map"), Me: v.GetStringSlice("me"), DateOrder: v.GetString("date-order"),
		LateReplies: v.GetString("late-replies"), LateReplyCategory: v.GetString("late-reply-category"),
		ServiceQuota: v.GetInt64("service-quota"), FreeTier: v.GetInt64("free-tier"), MexicoFree: v.GetInt64("mexico-free-sessions"),
		FEPWindow: v.GetDuration("fep-window"), FEPReentry: v.GetString("fep-reentry"), QuotaCountsFEP: v.GetBool("quota-counts-fep"), FX: v.GetString("fx"),
		AuthIntlEligible: v.GetBool("auth-intl-eligible"), BusinessCountry: v.GetString("business-country"), AuthIntlStart: v.GetString("auth-intl-start"),
		Tiers: v.GetString("tiers"), SkipInvalid: v.GetBool("skip-invalid"),
		MaxErrors: v.GetInt64("max-errors"), ReorderBuffer: v.GetInt64("reorder-buffer"), SortMemory: v.GetInt64("sort-memory"),
		MaxRecordBytes: v.GetInt64("max-record-bytes"),
		Shard:          v.GetString("shard"), Progress: v.GetString("progress"),
		KazakhstanPre: v.GetString("kazakhstan-before-2026-10"), NANPCaribbean: v.GetString("nanp-caribbean"),
	}
}

// Validate checks every setting, naming each bad one.
func (rs replaySettings) Validate() error {
	_, err := rs.options(nil)
	return err
}

// options are the replay options of the settings, for files; the error
// names every bad setting.
func (rs replaySettings) options(files []string) (*simulateOptions, error) {
	o := &simulateOptions{files: files, tariffFile: rs.Tariff, tiersFile: rs.Tiers, skipInvalid: rs.SkipInvalid,
		maxErrors: int(rs.MaxErrors), reorder: int(rs.ReorderBuffer), sortMemory: int(rs.SortMemory),
		regime: rs.Regime, kzLegacy: rs.KazakhstanPre, nanp: rs.NANPCaribbean, progress: rs.Progress, fepWindow: rs.FEPWindow}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	var err error
	if o.input, err = rs.inputOptions(); err != nil {
		errs = append(errs, err)
	}
	if o.regime != "auto" {
		if _, err := pricing.RegimeByName(o.regime); err != nil {
			errs = append(errs, err)
		}
	}
	if o.location, err = time.LoadLocation(rs.Timezone); err != nil {
		bad("--timezone %q: not an IANA time zone name (e.g. America/Sao_Paulo)", rs.Timezone)
	}
	if o.policy, err = rs.policy(); err != nil {
		errs = append(errs, err)
	}
	switch rs.FEPReentry {
	case "", "after-close":
	case "extend":
		o.fepExtend = true
	default:
		bad("--fep-reentry %q: want after-close or extend", rs.FEPReentry)
	}
	if o.fepWindow <= 0 {
		bad("--fep-window must be positive")
	}
	if rs.FX != "" {
		f, err := pricing.ParseFX(rs.FX)
		if err != nil {
			errs = append(errs, err)
		}
		o.fx = &f
	}
	if o.authIntl, err = rs.authIntl(); err != nil {
		errs = append(errs, err)
	}
	if o.bizLoc, err = businessLocations(rs.BusinessTimezone); err != nil {
		errs = append(errs, err)
	}
	if o.kzLegacy != "Russia" && o.kzLegacy != "Other" {
		bad("--kazakhstan-before-2026-10 %q: want Russia or Other", o.kzLegacy)
	}
	if o.nanp != "Other" && o.nanp != "North America" {
		bad("--nanp-caribbean %q: want Other or \"North America\"", o.nanp)
	}
	if rs.Shard != "" {
		if o.shardI, o.shardN, err = simulate.ParseShard(rs.Shard); err != nil {
			errs = append(errs, err)
		}
	}
	if rs.SortMemory < 1 || rs.SortMemory > maxSortMemory {
		bad("--sort-memory %d: want 1 to %d rows (about 300 bytes each)", rs.SortMemory, maxSortMemory)
	}
	if rs.ReorderBuffer > maxReorder {
		bad("--reorder-buffer %d: want at most %d rows (a log further out of order is sorted in full)", rs.ReorderBuffer, maxReorder)
	}
	if rs.MaxRecordBytes < minRecordBytes || rs.MaxRecordBytes > maxRecordBytes {
		bad("--max-record-bytes %d: want %d to %d", rs.MaxRecordBytes, minRecordBytes, maxRecordBytes)
	}
	if rs.MaxErrors > maxListedErrors {
		bad("--max-errors %d: want at most %d", rs.MaxErrors, maxListedErrors)
	}
	if !contains(progressModes, o.progress) {
		bad("--progress %q: want auto, always or never", o.progress)
	}
	if rs.MaxErrors < 0 || rs.ReorderBuffer < 0 {
		bad("--max-errors and --reorder-buffer must not be negative")
	}
	return o, errors.Join(errs...)
}

// inputOptions are the settings of how logs are read; the error names
// every bad one.
func (rs replaySettings) inputOptions() (msglog.Options, error) {
	o := msglog.Options{MaxRecordBytes: int(rs.MaxRecordBytes), DefaultCountry: strings.ToUpper(rs.DefaultCountry), TimeFormat: rs.TimeFormat, Me: rs.Me, DateOrder: rs.DateOrder}
	var errs []error
	var err error
	if o.Format, err = msglog.ParseFormat(rs.InputFormat); err != nil {
		errs = append(errs, err)
	}
	if o.Map, err = parseMap(rs.Map); err != nil {
		errs = append(errs, err)
	}
	for k := range o.Map {
		if !contains(msglog.Columns, k) {
			errs = append(errs, fmt.Errorf("--map %s: no such column (columns: %s)", k, strings.Join(msglog.Columns, ", ")))
		}
	}
	if o.Values, err = parseValues(rs.Values); err != nil {
		errs = append(errs, err)
	}
	for k := range o.Values {
		if !contains(msglog.Columns, k) {
			errs = append(errs, fmt.Errorf("--value %s: no such column (columns: %s)", k, strings.Join(msglog.Columns, ", ")))
		}
	}
	if o.DefaultCountry != "" && !contains(msglog.DialingCountries(), o.DefaultCountry) {
		errs = append(errs, fmt.Errorf("--default-country %q: want one of %s", rs.DefaultCountry, strings.Join(msglog.DialingCountries(), ", ")))
	}
	if o.TimeFormat != "" {
		if _, err := msglog.ParseTimeFormat(o.TimeFormat); err != nil {
			errs = append(errs, fmt.Errorf("--time-format: %w", err))
		}
	}
	if d := rs.DateOrder; d != "" && d != "auto" && d != "dmy" && d != "mdy" && d != "ymd" {
		errs = append(errs, fmt.Errorf("--date-order %q: want auto, dmy, mdy or ymd", d))
	}
	if rs.Sends != "" {
		if o.Sends, err = readFile(rs.Sends, msglog.ReadSends); err != nil {
			errs = append(errs, fmt.Errorf("--sends: %w", err))
		}
	}
	if rs.IdentityMap != "" {
		if o.Identities, err = readFile(rs.IdentityMap, msglog.ReadIdentities); err != nil {
			errs = append(errs, fmt.Errorf("--identity-map: %w", err))
		}
	}
	switch d := rs.Delimiter; {
	case d == "" || d == "auto":
	case d == "tab" || d == `\t` || d == "\t":
		o.Delimiter = '\t'
	case len(d) == 1 && d != `"` && d != "\n" && d != "\r":
		o.Delimiter = d[0]
	default:
		errs = append(errs, fmt.Errorf("--delimiter %q: want one character (, ; | or tab), or auto", d))
	}
	return o, errors.Join(errs...)
}

// readFile opens path and reads it with read.
func readFile[T any](path string, read func(io.Reader, string) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return read(f, path)
}

// readArg is readFile for a command's argument: "-" is standard input.
func readArg[T any](s *streams, path string, read func(io.Reader, string) (T, error)) (T, error) {
	if path == "-" {
		return read(s.in, path)
	}
	return readFile(path, read)
}

// policy is the settings of the rules the sources leave open.
func (rs replaySettings) policy() (pricing.Policy, error) {
	p := pricing.DefaultPolicy()
	switch rs.LateReplies {
	case "template":
	case "block":
		p.Late = pricing.LateBlock
	default:
		return p, fmt.Errorf("--late-replies %q: want template or block", rs.LateReplies)
	}
	cat, ok := pricing.ParseCategory(rs.LateReplyCategory)
	if !ok || cat == pricing.CatNone {
		return p, fmt.Errorf("--late-reply-category %q: want marketing, utility or authentication", rs.LateReplyCategory)
	}
	p.LateCategory = cat
	p.QuotaCountsFEP = rs.QuotaCountsFEP
	if p.ServiceQuota = rs.ServiceQuota; p.ServiceQuota < 0 {
		return p, errors.New("--service-quota must not be negative")
	}
	p.FreeTier, p.MexicoFreeSessions = rs.FreeTier, rs.MexicoFree
	if p.FreeTier < 0 || p.MexicoFreeSessions < 0 {
		return p, errors.New("--free-tier and --mexico-free-sessions must not be negative")
	}
	return p, nil
}

// authIntl is the settings of the authentication-international rule.
func (rs replaySettings) authIntl() (pricing.AuthIntl, error) {
	a := pricing.AuthIntl{Eligible: rs.AuthIntlEligible, BusinessCountry: strings.ToUpper(rs.BusinessCountry)}
	if bc := a.BusinessCountry; bc != "" && len(bc) != 2 {
		return a, fmt.Errorf("--business-country %q: want an ISO 3166 alpha-2 code", bc)
	}
	if rs.AuthIntlStart != "" {
		d, err := pricing.ParseDay(rs.AuthIntlStart)
		if err != nil {
			return a, fmt.Errorf("--auth-intl-start: %w", err)
		}
		a.Start = d
	}
	return a, nil
}

// businessLocations reads BUSINESS=ZONE items.
func businessLocations(items []string) (map[string]*time.Location, error) {
	var locs map[string]*time.Location
	for _, kv := range items {
		b, zone, ok := strings.Cut(kv, "=")
		loc, err := time.LoadLocation(strings.TrimSpace(zone))
		if !ok || err != nil || strings.TrimSpace(b) == "" {
			return nil, fmt.Errorf("--business-timezone %q: want BUSINESS=ZONE with an IANA zone", kv)
		}
		if locs == nil {
			locs = map[string]*time.Location{}
		}
		if d, msg := msglog.NormalizeNumber(b); msg == "" {
			b = d
		}
		locs[strings.TrimSpace(b)] = loc
	}
	return locs, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// loadTariff reads a user card, by its extension (.csv, else YAML/JSON).
func loadTariff(path string, mk *pricing.Markets) (*pricing.Card, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	o := pricing.CardOptions{Name: filepath.Base(path), Market: mk.Known, KnownColumns: true}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return pricing.ParseCardYAML(f, path, o)
	default:
		return pricing.ParseCardCSV(f, path, o)
	}
}

// loadTiers reads a user's volume-tier table.
func loadTiers(path string, mk *pricing.Markets) (*pricing.Tiers, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return pricing.ParseTiersCSV(f, path, pricing.CardOptions{Market: mk.Known, KnownColumns: true})
}

func runSimulate(s *streams, o *simulateOptions) error {
	return runReplay(s, o, func(out io.Writer) (replay.Sink, error) {
		if o.format == "partial" {
			return &partialSink{o: o, out: out}, nil
		}
		rd, err := render.New(render.Styled(o.format, isTerminal(s.out)), out, o.ledger)
		if err != nil {
			return nil, usageError{err}
		}
		return &simulateSink{o: o, rd: rd}, nil
	})
}

// partialSink writes a shard's mergeable partial result (JSON).
type partialSink struct {
	o   *simulateOptions
	out io.Writer
}

func (c *partialSink) Configure(so *simulate.Options) {
	so.GroupBy = c.o.groupBy
	so.Candidates = true
}

func (c *partialSink) Finish(f replay.Finished) ([]gate.Check, error) {
	shard := "1/1"
	if c.o.shardN > 0 {
		shard = fmt.Sprintf("%d/%d", c.o.shardI, c.o.shardN)
	}
	p := f.Engine.Partial(shard, f.OtherShards, f.Log)
	p.Split = f.Split
	if mask := c.o.mask; mask != nil {
		for i := range p.Candidates {
			p.Candidates[i].Customer = mask.Mask(p.Candidates[i].Customer)
		}
	}
	if err := p.Seal(); err != nil {
		return nil, err
	}
	return nil, json.NewEncoder(c.out).Encode(p)
}

func (c *partialSink) Close()           {}
func (c *partialSink) ResultOnly() bool { return false } // it needs the engine's candidates

// defaultJobs is how many parts a replay runs in on procs cores. One
// replay keeps two cores busy (reading, and replaying), and one part costs
// more CPU than a replay of its share: on 2 cores, 2 parts took
// 1.14-1.28x the time of one replay (bench/README.md).
func defaultJobs(procs int) int {
	if procs < 4 {
		return 1
	}
	return procs / 2
}

// simulateSink renders a simulate run: the ledger as it streams, then the Result.
type simulateSink struct {
	o      *simulateOptions
	rd     render.Renderer
	ledger *replay.AsyncLedger // the ledger's records, rendered beside the replay
}

// ResultOnly says whether the run needs only its Result (no ledger), as
// a replay in parts gives it.
func (c *simulateSink) ResultOnly() bool { return !c.o.ledger }

func (c *simulateSink) Configure(so *simulate.Options) {
	so.GroupBy = c.o.groupBy
	if c.o.ledger {
		loc := c.o.location
		c.ledger = replay.NewAsyncLedger(c.rd)
		mask := c.o.mask
		so.Ledger = func(e *simulate.Entry) error {
			e.Time = e.Time.In(loc)
			if mask != nil {
				e.Customer = mask.Mask(e.Customer)
			}
			return c.ledger.Entry(e)
		}
	}
}

// Close waits for the ledger's rendering if the run ended before Finish.
func (c *simulateSink) Close() {
	if c.ledger != nil {
		c.ledger.Stop()
	}
}

func (c *simulateSink) Finish(f replay.Finished) ([]gate.Check, error) {
	res := f.Result
	cs, err := gate.Evaluate(c.o.thresholds, res.Metrics())
	if err != nil {
		return nil, usageError{err}
	}
	res.Thresholds = cs
	if c.ledger != nil {
		return cs, c.ledger.Finish(res)
	}
	return cs, c.rd.Finish(res)
}
