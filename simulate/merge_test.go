package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/stream"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/synth"
)

func synthFrom(t testing.TB, rows int64, seed uint64, start time.Time, days int) []msglog.Message {
	t.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Rows: rows, Seed: seed, Start: start, Days: days}); err != nil {
		t.Fatal(err)
	}
	r, err := msglog.NewReader(&buf, msglog.Options{Name: "synth.csv"})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := stream.SortAll(r, func(err error) error { return err })
	if err != nil {
		t.Fatal(err)
	}
	return sl.Msgs
}

func resultJSONOf(t testing.TB, r Result) string {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shardsEqualWhole runs the log whole, then as n shards merged, and
// compares the two Results in full.
func shardsEqualWhole(t testing.TB, o Options, ms []msglog.Message, n int) (Result, int64) {
	t.Helper()
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms {
		if err := e.Add(&ms[i]); err != nil {
			t.Fatal(err)
		}
	}
	whole := e.Result()
	var parts []Partial
	for i := 1; i <= n; i++ {
		so := o
		so.Candidates = true
		se, _ := New(so)
		var other int64
		for j := range ms {
			if msglog.ShardOf(ms[j].Customer, n) != i {
				other++
				continue
			}
			if err := se.Add(&ms[j]); err != nil {
				t.Fatal(err)
			}
		}
		p := se.Partial(fmt.Sprintf("%d/%d", i, n), other, LogPrint{Messages: int64(len(ms)), Digest: "0123456789abcdef"})
		if err := p.Seal(); err != nil {
			t.Fatal(err)
		}
		// Through JSON, as between machines.
		b, _ := json.Marshal(p)
		var back Partial
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
	}
	var shardFree int64
	for _, p := range parts {
		shardFree += p.Result.Summary.Free
	}
	merged, err := Merge(parts)
	if err != nil {
		t.Fatal(err)
	}
	w, m := resultJSONOf(t, whole), resultJSONOf(t, merged)
	if w != m {
		wl, ml := bytes.Split([]byte(w), []byte("\n")), bytes.Split([]byte(m), []byte("\n"))
		for i := 0; i < len(wl) && i < len(ml); i++ {
			if !bytes.Equal(wl[i], ml[i]) {
				t.Fatalf("merged shards differ from the whole run at line %d:\n whole  %s\n merged %s", i+1, wl[i], ml[i])
			}
		}
		t.Fatalf("merged shards differ from the whole run in length")
	}
	return whole, shardFree
}

func TestShardsMergeToTheWholeRun2026(t *testing.T) {
	// The 2026-10 service quota, small so that the first messages of a
	// business number's month are spread over shards.
	env := newEnv(t)
	o := env.opts()
	o.Policy.ServiceQuota = 7
	o.GroupBy = []string{"month", "market", "category", "day", "business", "regime"}
	ms := synthFrom(t, 20000, 21, time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), 40)
	whole, shardFree := shardsEqualWhole(t, o, ms, 4)
	// Each shard freed its own first 7 a month: more than the whole run's
	// 7, so the merge must have billed the difference.
	if whole.Summary.Billed == 0 || shardFree <= whole.Summary.Free {
		t.Fatalf("the shards' pools must overlap: shards freed %d, the whole run %d", shardFree, whole.Summary.Free)
	}
}

func TestShardsMergeToTheWholeRunConversations(t *testing.T) {
	// The conversation free tiers (any conversation in 2022-02, service in
	// 2023-06, sessions in the 2021 Mexico test) are account-wide pools.
	env := newEnv(t)
	for _, c := range []struct {
		start time.Time
		tier  int64
	}{
		{time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC), 25},
		{time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC), 40},
		{time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC), 30},
	} {
		o := env.opts()
		o.Policy.FreeTier, o.Policy.MexicoFreeSessions = c.tier, c.tier
		o.GroupBy = []string{"day", "business"}
		ms := synthFrom(t, 8000, 5, c.start, 45)
		whole, shardFree := shardsEqualWhole(t, o, ms, 3)
		if shardFree <= whole.Summary.Free {
			t.Fatalf("%s: the free tier must cross shards: %d vs %d", c.start.Format("2006"), shardFree, whole.Summary.Free)
		}
	}
}

func TestShardsMergeToTheWholeRun1M(t *testing.T) {
	if testing.Short() {
		t.Skip("1M rows")
	}
	env := newEnv(t)
	o := env.opts()
	ms := synthFrom(t, 1_000_000, 8, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), 60)
	shardsEqualWhole(t, o, ms, 4)
}

func TestMergeChecks(t *testing.T) {
	env := newEnv(t)
	o := env.opts()
	o.Candidates = true
	e, _ := New(o)
	log := LogPrint{Messages: 10, Digest: "00000000000000aa"}
	p := e.Partial("1/2", 0, log)
	shard := func(p Partial, s string, change func(*Partial)) Partial {
		p.Shard = s
		if change != nil {
			change(&p)
		}
		if err := p.Seal(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p = shard(p, "1/2", nil)
	if _, err := Merge([]Partial{p}); err == nil {
		t.Fatal("a missing shard must be an error")
	}
	if _, err := Merge([]Partial{p, p}); err == nil {
		t.Fatal("a shard twice must be an error")
	}
	for _, c := range []struct {
		name   string
		change func(*Partial)
		want   string
	}{
		{"other settings", func(q *Partial) { q.Result.Settings.Timezone = "Europe/Madrid" }, `shards 1/2 and 2/2 were run with other settings: timezone`},
		{"tiers", func(q *Partial) {
			q.Tiers = &TierTable{Name: "other.csv", Currency: "USD", Rows: []pricing.TierRow{{Market: "India", Key: "utility", From: 1}}}
		}, "another volume-tier table"},
		{"prices", func(q *Partial) { q.Fingerprint.Prices = "ffffffffffffffff" }, "shard 2/2 was priced with other prices than shard 1/2"},
		{"log", func(q *Partial) { q.Fingerprint.Log.Digest = "00000000000000ab" }, "shard 2/2 read another log than shard 1/2 (10 messages, fingerprint 00000000000000ab)"},
	} {
		q := shard(p, "2/2", c.change)
		if _, err := Merge([]Partial{p, q}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	// The odd shard is named: the one that differs from the other two.
	q, r := shard(p, "2/3", nil), shard(p, "3/3", nil)
	p3 := shard(p, "1/3", func(q *Partial) { q.Fingerprint.Log.Messages = 11 })
	if _, err := Merge([]Partial{p3, q, r}); err == nil || !strings.Contains(err.Error(), "shard 1/3 read another log than the other shards") {
		t.Errorf("odd shard: %v", err)
	}
	// A change after sealing (a count raised, a shard cut short) fails
	// the checksum.
	q = shard(p, "2/2", nil)
	q.Result.Summary.Rejected++
	if _, err := Merge([]Partial{p, q}); err == nil || !strings.Contains(err.Error(), "shard 2/2: its checksum does not match") {
		t.Errorf("tampered: %v", err)
	}
	q = shard(p, "2/2", nil)
	q.Checksum = ""
	if _, err := Merge([]Partial{p, q}); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("no checksum: %v", err)
	}
	// Sealed again after the change, it fails the numbers' own checks.
	q = shard(p, "2/2", func(q *Partial) { q.Result.Summary.Messages += 1000 })
	if _, err := Merge([]Partial{p, q}); err == nil || !strings.Contains(err.Error(), "messages, but") {
		t.Errorf("sealed again: %v", err)
	}
	if _, err := Merge([]Partial{p, shard(p, "2/2", nil)}); err != nil {
		t.Errorf("two sealed shards of one run: %v", err)
	}
}

func TestPrefetchEqualsSequential(t *testing.T) {
	// Parsing on a second goroutine gives the same Result as one goroutine.
	env := newEnv(t)
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Rows: 50000, Seed: 31, Start: time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), Days: 30}); err != nil {
		t.Fatal(err)
	}
	run := func(prefetch bool) string {
		r, err := msglog.NewReader(bytes.NewReader(buf.Bytes()), msglog.Options{Name: "p.csv"})
		if err != nil {
			t.Fatal(err)
		}
		var src msglog.Reader = stream.Reorder(r, 4096)
		if prefetch {
			p := stream.Prefetch(src, 256)
			defer p.Stop()
			src = p
		}
		e, _ := New(env.opts())
		if err := Run(e, src, func(err error) error { return err }); err != nil {
			t.Fatal(err)
		}
		return resultJSONOf(t, e.Result())
	}
	if run(true) != run(false) {
		t.Fatal("the two-goroutine path differs from the sequential one")
	}
}

func TestShardsMergeToTheWholeRunTiers(t *testing.T) {
	// Volume tiers with small bands, so that each month's utility and
	// authentication volumes cross bands with messages from every shard;
	// also converted to EUR (rounded per message) and grouped.
	env := newEnv(t)
	var tbl strings.Builder
	tbl.WriteString("# currency: USD\nmarket,category,from,to,rate,discount\n")
	for _, mk := range []string{"India", "Brazil", "Indonesia", "Mexico", "Germany", "Rest of Africa"} {
		for _, cat := range []string{"utility", "authentication"} {
			fmt.Fprintf(&tbl, "%s,%s,1,20,,0\n%s,%s,21,60,,-25%%\n%s,%s,61,,0.0009,\n", mk, cat, mk, cat, mk, cat)
		}
	}
	tt, err := pricing.ParseTiersCSV(strings.NewReader(tbl.String()), "tiers.csv", pricing.CardOptions{Market: env.mk.Known})
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range []*pricing.FX{nil, {To: "EUR", Rate: 923457}} {
		o := env.opts()
		o.Tiers, o.FX = tt, fx
		o.Policy.ServiceQuota = 9
		o.GroupBy = []string{"month", "market", "category", "day", "business"}
		ms := synthFrom(t, 20000, 23, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC), 70)
		whole, _ := shardsEqualWhole(t, o, ms, 4)
		// The bands must have mattered: list prices differ from the result.
		o.Tiers = nil
		e, _ := New(o)
		for i := range ms {
			if err := e.Add(&ms[i]); err != nil {
				t.Fatal(err)
			}
		}
		if list := e.Result(); list.Summary.Cost == whole.Summary.Cost {
			t.Fatalf("the tiers changed nothing (%s)", list.Summary.Cost)
		}
	}
}

// Shards run with other settings do not merge, and the error names the
// setting and the shard that is not like the others.
func TestMergeNamesTheOddSetting(t *testing.T) {
	part := func(i int, s Settings) Partial {
		return Partial{Format: PartialFormat, Shard: fmt.Sprintf("%d/3", i), Result: Result{Settings: s}}
	}
	base := Settings{Regime: "auto", Timezone: "UTC", AuthIntl: "not eligible"}
	odd := base
	odd.AuthIntl = "eligible, business in BR"
	err := checkParts([]Partial{part(1, odd), part(2, base), part(3, base)}, false)
	if err == nil || err.Error() != `shard 1/3 was run with auth_intl "eligible, business in BR", the other shards with "not eligible"` {
		t.Errorf("odd first shard: %v", err)
	}
	tz := base
	tz.BusinessTimezones = "acme=Asia/Tokyo"
	if err := checkParts([]Partial{part(1, base), part(2, base), part(3, tz)}, false); err == nil || !strings.Contains(err.Error(), `shard 3/3 was run with business_timezones "acme=Asia/Tokyo"`) {
		t.Errorf("business time zones: %v", err)
	}
	if err := checkParts([]Partial{part(1, base), part(2, base), part(3, base)}, false); err != nil {
		t.Errorf("alike: %v", err)
	}
}

func TestShardsMergeToTheWholeRunQuotaCountsFEP(t *testing.T) {
	// Service messages in entry point windows use up the quota too: they
	// take places in the pool across shards but are never billed by it.
	env := newEnv(t)
	o := env.opts()
	o.Policy.ServiceQuota = 300
	o.Policy.QuotaCountsFEP = true
	o.GroupBy = []string{"month", "market", "category", "business"}
	ms := synthFrom(t, 20000, 23, time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC), 40)
	whole, _ := shardsEqualWhole(t, o, ms, 4)
	o.Policy.QuotaCountsFEP = false
	_, plain := replay(t, o, ms)
	if whole.Summary.Cost <= plain.Summary.Cost {
		t.Fatalf("counting entry point service messages toward the quota changed nothing: %s against %s", whole.Summary.Cost, plain.Summary.Cost)
	}
}
