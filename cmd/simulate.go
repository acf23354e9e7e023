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
	"github.com/spf13/viper"
	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/render"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/window"
)

type simulateOptions struct {
	files       []string
	inputFormat msglog.Format
	columnMap   map[string]string
	regime      string
	tariffFile  string
	location    *time.Location
	policy      pricing.Policy
	fepWindow   time.Duration
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
	// shardSkipped counts the rows left to other shards (set by the replay).
	shardSkipped int64
	nanp         string
	progress     string    // --progress: auto, always or never
	prog         *progress // the progress line of the replay under way, if shown
}

const simulateLong = `Replay message logs through the customer-service window rules and a rate card,
and report every business message as free, billed, blocked or undelivered, with
why and at what cost, plus totals by market, category and regime.

Input: CSV, a JSON array of objects, or NDJSON, from files or stdin ("-" or no
file). Columns (header names case-insensitive, any order, extra columns ignored):
timestamp, customer, direction (required); type, category, country, business,
entry_point, status, id. Rows need not be sorted.

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
	f.StringP("format", "f", "table", "output format: "+strings.Join(render.Formats, ", "))
	f.Bool("ledger", false, "print one record per business message")
	f.StringSlice("group-by", nil, "extra breakdown by: "+strings.Join(simulate.Dimensions, ", "))
	complete(c, "format", render.Formats)
	complete(c, "group-by", simulate.Dimensions)
	addThresholdFlags(c)
	f.BoolP("quiet", "q", false, "do not repeat the result's notes on stderr")
	f.IntP("jobs", "j", 0, "replay CSV files in this many parts side by side, each for a part of the customers, and merge them; summary output only (0: one part per two cores, and one replay on fewer than 4 cores)")
	return c
}

// addReplayFlags registers the flags every command that replays a log
// shares: input, regimes, tariffs and the settings of uncertain rules.
func addReplayFlags(c *cobra.Command) {
	f := c.Flags()
	f.String("input-format", "auto", "input format: auto, csv, json or ndjson")
	f.StringArray("map", nil, "map a column onto a header name of the file: COLUMN=HEADER (repeatable)")
	f.String("regime", "auto", "pricing regime: auto or one of "+strings.Join(pricing.RegimeNames(), ", "))
	f.String("tariff", "", "price every message with this card: a file (CSV, YAML or JSON) or a built-in card's name (wacost tariff list)")
	f.String("timezone", "UTC", "the WhatsApp Business Account's time zone (IANA name): months, quotas and rate dates")
	f.String("late-replies", "template", "free-form messages sent with no window open: template (price as a template) or block")
	f.String("late-reply-category", "utility", "template category a late reply is priced as: marketing, utility or authentication")
	f.Int64("service-quota", 1000, "free service messages per business number per month (regime 2026-10)")
	f.Int64("free-tier", 1000, "free conversations per account per month: any under 2022-02, service under 2023-06")
	f.Int64("mexico-free-sessions", 1000, "monthly free sessions of the 2021 Mexico test (sources say 1,000 or 1,500)")
	f.Duration("fep-window", window.FEP, "length of a free-entry-point window")
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
	f.Int("sort-memory", 250000, "when a full sort is needed: rows held in memory (about 300 bytes each) before sorted runs spill to temporary files")
	f.String("progress", "auto", "show the replay's progress on stderr: auto (on a terminal, unless -q), always (elsewhere, a line every 10s) or never")
	f.String("kazakhstan-before-2026-10", "Russia", "market of Kazakh +7 6xx/7xx numbers before 2026-10-01: Russia or Other")
	complete(c, "input-format", []string{"auto", "csv", "json", "ndjson"})
	complete(c, "progress", progressModes)
	complete(c, "regime", append([]string{"auto"}, pricing.RegimeNames()...))
	complete(c, "late-replies", []string{"template", "block"})
	complete(c, "late-reply-category", []string{"marketing", "utility", "authentication"})
	f.String("nanp-caribbean", "Other", "market of +1 numbers of Caribbean countries Meta does not list (Bahamas, Trinidad, ...): Other or \"North America\"")
	complete(c, "kazakhstan-before-2026-10", []string{"Russia", "Other"})
	complete(c, "nanp-caribbean", []string{"Other", "North America"})
}

func complete(c *cobra.Command, flag string, values []string) {
	_ = c.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// simulateOptionsFrom reads flags, environment and config, and validates
// them; every problem is a usage error.
// replayCommandOptions loads a command's configuration and its shared
// replay options.
func replayCommandOptions(c *cobra.Command, args []string) (*viper.Viper, *simulateOptions, error) {
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
	o.quiet = v.GetBool("quiet")
	if o.jobs = v.GetInt("jobs"); o.jobs < 0 {
		return nil, usagef("--jobs must not be negative")
	} else if o.jobs == 0 {
		o.jobs = defaultJobs(runtime.GOMAXPROCS(0))
	}
	if o.thresholds, err = thresholdsFrom(c, v); err != nil {
		return nil, err
	}
	if err := checkScopes(o.thresholds, o.groupBy, "market", "category"); err != nil {
		return nil, err
	}
	return o, nil
}

// replayOptionsFrom reads the shared replay flags, environment and config,
// and validates them; every problem is a usage error.
func replayOptionsFrom(c *cobra.Command, v *viper.Viper, args []string) (*simulateOptions, error) {
	o := &simulateOptions{files: args, tariffFile: v.GetString("tariff"),
		skipInvalid: v.GetBool("skip-invalid"), maxErrors: v.GetInt("max-errors"), reorder: v.GetInt("reorder-buffer")}
	var err error
	if o.inputFormat, err = msglog.ParseFormat(v.GetString("input-format")); err != nil {
		return nil, usageError{err}
	}
	flagMap, _ := c.Flags().GetStringArray("map")
	if o.columnMap, err = parseMap(v, flagMap); err != nil {
		return nil, err
	}
	for k := range o.columnMap {
		if !contains(msglog.Columns, k) {
			return nil, usagef("--map %s: no such column (columns: %s)", k, strings.Join(msglog.Columns, ", "))
		}
	}
	o.regime = v.GetString("regime")
	if o.regime != "auto" {
		if _, err := pricing.RegimeByName(o.regime); err != nil {
			return nil, usageError{err}
		}
	}
	if o.location, err = time.LoadLocation(v.GetString("timezone")); err != nil {
		return nil, usagef("--timezone %q: not an IANA time zone name (e.g. America/Sao_Paulo)", v.GetString("timezone"))
	}
	o.policy = pricing.DefaultPolicy()
	switch v.GetString("late-replies") {
	case "template":
	case "block":
		o.policy.Late = pricing.LateBlock
	default:
		return nil, usagef("--late-replies %q: want template or block", v.GetString("late-replies"))
	}
	cat, ok := pricing.ParseCategory(v.GetString("late-reply-category"))
	if !ok || cat == pricing.CatNone {
		return nil, usagef("--late-reply-category %q: want marketing, utility or authentication", v.GetString("late-reply-category"))
	}
	o.policy.LateCategory = cat
	if o.policy.ServiceQuota = v.GetInt64("service-quota"); o.policy.ServiceQuota < 0 {
		return nil, usagef("--service-quota must not be negative")
	}
	o.policy.FreeTier, o.policy.MexicoFreeSessions = v.GetInt64("free-tier"), v.GetInt64("mexico-free-sessions")
	if o.policy.FreeTier < 0 || o.policy.MexicoFreeSessions < 0 {
		return nil, usagef("--free-tier and --mexico-free-sessions must not be negative")
	}
	if o.fepWindow = v.GetDuration("fep-window"); o.fepWindow <= 0 {
		return nil, usagef("--fep-window must be positive")
	}
	if fx := v.GetString("fx"); fx != "" {
		f, err := pricing.ParseFX(fx)
		if err != nil {
			return nil, usageError{err}
		}
		o.fx = &f
	}
	o.authIntl = pricing.AuthIntl{Eligible: v.GetBool("auth-intl-eligible"), BusinessCountry: strings.ToUpper(v.GetString("business-country"))}
	if bc := o.authIntl.BusinessCountry; bc != "" && len(bc) != 2 {
		return nil, usagef("--business-country %q: want an ISO 3166 alpha-2 code", bc)
	}
	if st := v.GetString("auth-intl-start"); st != "" {
		d, err := pricing.ParseDay(st)
		if err != nil {
			return nil, usagef("--auth-intl-start: %v", err)
		}
		o.authIntl.Start = d
	}
	o.tiersFile = v.GetString("tiers")
	bz, _ := c.Flags().GetStringArray("business-timezone")
	for _, kv := range bz {
		b, zone, ok := strings.Cut(kv, "=")
		loc, err := time.LoadLocation(strings.TrimSpace(zone))
		if !ok || err != nil || strings.TrimSpace(b) == "" {
			return nil, usagef("--business-timezone %q: want BUSINESS=ZONE with an IANA zone", kv)
		}
		if o.bizLoc == nil {
			o.bizLoc = map[string]*time.Location{}
		}
		if d, msg := msglog.NormalizeNumber(b); msg == "" {
			b = d
		}
		o.bizLoc[strings.TrimSpace(b)] = loc
	}
	o.kzLegacy = v.GetString("kazakhstan-before-2026-10")
	if o.kzLegacy != "Russia" && o.kzLegacy != "Other" {
		return nil, usagef("--kazakhstan-before-2026-10 %q: want Russia or Other", o.kzLegacy)
	}
	o.nanp = v.GetString("nanp-caribbean")
	if o.nanp != "Other" && o.nanp != "North America" {
		return nil, usagef("--nanp-caribbean %q: want Other or \"North America\"", o.nanp)
	}
	if sh := v.GetString("shard"); sh != "" {
		if o.shardI, o.shardN, err = simulate.ParseShard(sh); err != nil {
			return nil, usageError{err}
		}
	}
	if o.sortMemory = v.GetInt("sort-memory"); o.sortMemory < 1 {
		return nil, usagef("--sort-memory must be at least 1")
	}
	if o.progress = v.GetString("progress"); !contains(progressModes, o.progress) {
		return nil, usagef("--progress %q: want auto, always or never", o.progress)
	}
	if o.maxErrors < 0 || o.reorder < 0 {
		return nil, usagef("--max-errors and --reorder-buffer must not be negative")
	}
	return o, nil
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
	o := pricing.CardOptions{Name: filepath.Base(path), Market: mk.Known}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return pricing.ParseCardYAML(f, path, o)
	default:
		return pricing.ParseCardCSV(f, path, o)
	}
}

// rowErrors collects bad rows and lists them on stderr, up to a limit,
// once the pass that found them is the one that counts.
type rowErrors struct {
	w     io.Writer
	max   int
	count int
	first []string
}

func (r *rowErrors) add(err error) {
	r.count++
	if r.count <= r.max {
		r.first = append(r.first, err.Error())
	}
}

func (r *rowErrors) flush(skipped bool) {
	for _, e := range r.first {
		fmt.Fprintf(r.w, "wacost: %s\n", e)
	}
	if r.count > r.max {
		fmt.Fprintf(r.w, "wacost: ... and %d more bad rows\n", r.count-r.max)
	}
	if r.count > 0 && !skipped {
		fmt.Fprintf(r.w, "wacost: %d bad rows; fix them, or run with --skip-invalid to skip and count them\n", r.count)
	}
}

// input is one log to read, re-openable for a second (sorted) pass.
type input struct {
	name  string
	open  func() (io.ReadCloser, error)
	spool *os.File // standard input, copied here while first read
	size  int64    // bytes, -1 if not known (standard input)
}

func openInputs(s *streams, files []string) ([]*input, func(), error) {
	if len(files) == 0 {
		files = []string{"-"}
	}
	var ins []*input
	cleanup := func() {
		for _, in := range ins {
			if in.spool != nil {
				in.spool.Close()
				os.Remove(in.spool.Name())
			}
		}
	}
	stdinUsed := false
	for _, f := range files {
		f := f
		if f == "-" {
			if stdinUsed {
				return nil, cleanup, usagef("standard input (-) given twice")
			}
			stdinUsed = true
			sp, err := os.CreateTemp("", "wacost-stdin-*")
			if err != nil {
				return nil, cleanup, err
			}
			in := &input{name: "stdin", spool: sp, size: -1}
			first := true
			in.open = func() (io.ReadCloser, error) {
				if first {
					first = false
					return io.NopCloser(io.TeeReader(s.in, sp)), nil
				}
				if _, err := sp.Seek(0, io.SeekStart); err != nil {
					return nil, err
				}
				return io.NopCloser(sp), nil
			}
			ins = append(ins, in)
			continue
		}
		st, err := os.Stat(f)
		if err != nil {
			return nil, cleanup, fmt.Errorf("%s: %w", f, errors.Unwrap(err))
		}
		if st.IsDir() {
			return nil, cleanup, fmt.Errorf("%s: is a directory", f)
		}
		ins = append(ins, &input{name: f, size: st.Size(), open: func() (io.ReadCloser, error) {
			fh, err := os.Open(f)
			if err != nil {
				return nil, err
			}
			return newReadAhead(fh), nil
		}})
	}
	return ins, cleanup, nil
}

// spoolMemory is how much output is held in memory before it spills to disk.
var spoolMemory = 32 << 20

func runSimulate(s *streams, o *simulateOptions) error {
	return replay(s, o, func(out io.Writer) (consumer, error) {
		if o.format == "partial" {
			return &partialConsumer{o: o, out: out}, nil
		}
		rd, err := render.New(o.format, out, o.ledger)
		if err != nil {
			return nil, usageError{err}
		}
		return &simulateConsumer{o: o, rd: rd}, nil
	})
}

// partialConsumer writes a shard's mergeable partial result (JSON).
type partialConsumer struct {
	o   *simulateOptions
	out io.Writer
	eng *simulate.Engine
}

func (c *partialConsumer) configure(so *simulate.Options) {
	so.GroupBy = c.o.groupBy
	so.Candidates = true
}

func (c *partialConsumer) engine(e *simulate.Engine) { c.eng = e }

func (c *partialConsumer) finish(res *simulate.Result) ([]gate.Check, error) {
	shard := "1/1"
	if c.o.shardN > 0 {
		shard = fmt.Sprintf("%d/%d", c.o.shardI, c.o.shardN)
	}
	p := c.eng.Partial(shard, c.o.shardSkipped)
	enc := json.NewEncoder(c.out)
	return nil, enc.Encode(p)
}

// defaultJobs is how many parts a replay runs in on procs cores. One
// replay keeps two cores busy (reading, and replaying), and one part costs
// more CPU than a replay of its share: on 2 cores, 2 parts took
// 1.14-1.28x the time of one replay (README, Performance).
func defaultJobs(procs int) int {
	if procs < 4 {
		return 1
	}
	return procs / 2
}

// resultOnly says whether the run needs only its Result (no ledger), as
// a replay in parts gives it.
func (c *simulateConsumer) resultOnly() bool { return c.ledger == nil }

// simulateConsumer renders a simulate run: the ledger as it streams, then the Result.
type simulateConsumer struct {
	o      *simulateOptions
	rd     render.Renderer
	ledger *asyncLedger // the ledger's records, rendered beside the replay
}

func (c *simulateConsumer) configure(so *simulate.Options) {
	so.GroupBy = c.o.groupBy
	if c.o.ledger {
		loc := c.o.location
		c.ledger = newAsyncLedger(c.rd)
		so.Ledger = func(e *simulate.Entry) error {
			e.Time = e.Time.In(loc)
			return c.ledger.Entry(e)
		}
	}
}

// stop waits for the ledger's rendering if the run ended before finish.
func (c *simulateConsumer) stop() {
	if c.ledger != nil {
		c.ledger.stop()
	}
}

func (c *simulateConsumer) finish(res *simulate.Result) ([]gate.Check, error) {
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
