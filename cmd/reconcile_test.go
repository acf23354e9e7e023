package cmd

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

const (
	recLog      = "../testdata/reconcile/meta-webhooks.ndjson"
	recAltered  = "../testdata/reconcile/meta-webhooks-altered.ndjson"
	recSends    = "../testdata/reconcile/meta-sends.csv"
	recPoints   = "../testdata/reconcile/pricing-analytics.json"
	recPointsX  = "../testdata/reconcile/pricing-analytics-altered.json"
	recGoodArgs = "--analytics=" + recPoints
)

type recDoc struct {
	Compared, Agree, Disagree int64
	NoLabel                   int64 `json:"no_label"`
	Agreement                 float64
	Cost                      struct{ Wacost, Meta, Delta string }
	Reclassified              struct {
		Count int64
		Delta string
	}
	Causes []struct {
		Cause string
		Count int64
		Delta string
	}
	Disagreements []struct {
		ID, Cause, Customer, Delta string
		Wacost, Meta               struct{ Decision, Category, Kind string }
	}
	Analytics *struct {
		Rows, Agree, Differ int64
		Differing           []struct {
			Country, Category string
			MetaVolume        int64 `json:"meta_volume"`
			WacostVolume      int64 `json:"wacost_volume"`
		}
	}
	Provider *struct {
		Messages               int64
		Provider, Meta, Margin string
	}
	Settings []struct{ Name, Value string }
}

func reconcileJSON(t *testing.T, args ...string) (recDoc, run) {
	t.Helper()
	r := wacost(t, "", append(append([]string{"reconcile"}, args...), "-f", "json", "-q")...)
	var d recDoc
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("%v: exit %d, %v\n%s%s", args, r.code, err, r.stdout, r.stderr)
	}
	return d, r
}

// Every label of the hand-written log follows the rules: 9 delivered
// business messages compared, all agree; the cost is Brazil's marketing
// (0.0625) and utility (0.0068) and the UK's authentication (0.0220) on
// card 2025-07: 0.0913 on both sides; the 9 analytics points agree.
func TestReconcileAgrees(t *testing.T) {
	d, r := reconcileJSON(t, recLog, recGoodArgs, "--threshold", "agreement>=99.5%", "--threshold", "analytics.differ==0")
	if r.code != 0 || d.Compared != 9 || d.Agree != 9 || d.Disagree != 0 || d.Agreement != 1 || d.Cost.Wacost != "0.091300" || d.Cost.Meta != "0.091300" || d.Cost.Delta != "0.000000" {
		t.Fatalf("exit %d: %+v", r.code, d)
	}
	if a := d.Analytics; a == nil || a.Rows != 9 || a.Agree != 9 || a.Differ != 0 {
		t.Fatalf("analytics %+v", d.Analytics)
	}
	// With the send log the same: the labels agree with the types and
	// categories the business logged.
	if d2, _ := reconcileJSON(t, recLog, "--sends", recSends); d2.Agree != 9 || d2.Disagree != 0 {
		t.Fatalf("with the send log: %+v", d2)
	}
}

// The altered copy changes four labels; reconciling finds exactly those,
// each with its cause and what it costs (card 2025-07):
//
//	a1  free service in the window, labelled billed service: unknown, 0
//	    (the card has no service price before 2026-10)
//	a4  the utility template of the send log, labelled billed marketing:
//	    category (a reclassified template), 0.0625 - 0.0068 = 0.0557
//	b3  authentication inside India's free entry point window, labelled
//	    billed: entry_point, 0.0014
//	c1  utility 30 s before the UK customer's window closes, labelled
//	    billed: window_edge, 0.0220
//
// Meta's total is 0.0913 + 0.0791 = 0.1704. Of the altered analytics,
// Brazil's marketing volume (2 against 1) and the UK's authentication
// cost (0.03 against 0.022, 36% off) differ; Brazil's 0.06252 against
// 0.0625 (0.03% off) is within the tolerance.
func TestReconcileFindsTheChangedLabels(t *testing.T) {
	d, r := reconcileJSON(t, recAltered, "--sends", recSends, "--analytics", recPointsX, "--threshold", "agreement>=99.5%", "--warn", "cost.delta<=0")
	if r.code != 3 || !strings.Contains(r.stderr, "threshold crossed: agreement>=99.5%: measured 55.5556%") {
		t.Errorf("a crossed agreement threshold exits 3 and says so: exit %d %s", r.code, r.stderr)
	}
	if d.Compared != 9 || d.Agree != 5 || d.Disagree != 4 || d.Cost.Meta != "0.170400" || d.Cost.Delta != "0.079100" {
		t.Fatalf("%+v", d)
	}
	var got []string
	for _, x := range d.Disagreements {
		got = append(got, x.ID+" "+x.Cause+" "+x.Delta+" "+x.Wacost.Decision+"/"+x.Meta.Decision+" "+x.Wacost.Category+"/"+x.Meta.Category)
	}
	sort.Strings(got)
	want := []string{"wamid.a1 unknown 0.000000 free/billed service/service", "wamid.a4 category 0.055700 billed/billed utility/marketing",
		"wamid.b3 entry_point 0.001400 free/billed authentication/authentication", "wamid.c1 window_edge 0.022000 free/billed utility/utility"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("disagreements:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var causes []string
	for _, c := range d.Causes {
		causes = append(causes, c.Cause+"="+c.Delta)
	}
	if strings.Join(causes, " ") != "category=0.055700 entry_point=0.001400 window_edge=0.022000 unknown=0.000000" || d.Reclassified.Count != 1 || d.Reclassified.Delta != "0.055700" {
		t.Fatalf("causes %v, reclassified %+v", causes, d.Reclassified)
	}
	a := d.Analytics
	if a == nil || a.Rows != 9 || a.Agree != 7 || a.Differ != 2 || a.Differing[0].Country != "BR" || a.Differing[0].MetaVolume != 2 ||
		a.Differing[0].WacostVolume != 1 || a.Differing[1].Country != "GB" || a.Differing[1].Category != "AUTHENTICATION" {
		t.Fatalf("analytics %+v", a)
	}
	// Without the send log the types come from the labels themselves: the
	// reclassified template is taken for the marketing one Meta says.
	if d2, _ := reconcileJSON(t, recAltered); d2.Disagree != 3 {
		t.Fatalf("without the send log: %+v", d2)
	}
	// A tighter edge puts c1 down to no known cause; masked customers.
	d3, _ := reconcileJSON(t, recAltered, "--sends", recSends, "--edge", "10s", "--mask-customers")
	for _, x := range d3.Disagreements {
		if x.ID == "wamid.c1" && x.Cause != "unknown" {
			t.Errorf("--edge 10s: c1's cause %s", x.Cause)
		}
		if strings.Contains(x.Customer, "5511") || strings.Contains(x.Customer, "4477") {
			t.Errorf("--mask-customers shows %s", x.Customer)
		}
	}
}

// Every report says which readings it used.
func TestReconcileSaysItsReadings(t *testing.T) {
	d, _ := reconcileJSON(t, recLog, "--fep-reentry", "extend", "--service-quota", "0", "--quota-counts-fep")
	got := map[string]string{}
	for _, s := range d.Settings {
		got[s.Name] = s.Value
	}
	if !strings.HasPrefix(got["entry point re-entry (PMP-08b)"], "extend") || !strings.HasPrefix(got["service quota"], "none") ||
		!strings.HasPrefix(got["service messages in an entry point window"], "free, and counted") {
		t.Fatalf("settings %v", got)
	}
	d, _ = reconcileJSON(t, recLog)
	for _, s := range d.Settings {
		got[s.Name] = s.Value
	}
	if !strings.HasPrefix(got["entry point re-entry (PMP-08b)"], "after-close") || !strings.Contains(got["service quota"], "UNCONFIRMED") {
		t.Fatalf("default settings %v", got)
	}
	for _, bad := range [][]string{{recLog, "--tolerance", "150%"}, {recLog, "--analytics", recSends}, {recLog, "--fep-reentry", "sometimes"}, {}} {
		if r := wacost(t, "", append([]string{"reconcile"}, bad...)...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage) %s", bad, r.code, r.stderr)
		}
	}
}

// A Twilio log carries the provider's price and no Meta labels: nothing is
// compared (4 delivered business messages have no label), and the
// provider's figures stand beside wacost's Meta fees for
// the same messages: Twilio charged 0.0481 over 7 messages for what Meta's
// rules price at 0.0302.
func TestReconcileProviderFigures(t *testing.T) {
	d, r := reconcileJSON(t, "../testdata/twilio-export.csv")
	if r.code != 0 || d.Compared != 0 || d.NoLabel != 4 || d.Provider == nil || d.Provider.Messages != 7 || d.Provider.Provider != "0.048100" ||
		d.Provider.Meta != "0.030200" || d.Provider.Margin != "0.017900" {
		t.Fatalf("exit %d %+v provider %+v", r.code, d, d.Provider)
	}
}

func TestReconcileOutputs(t *testing.T) {
	r := wacost(t, "", "reconcile", recAltered, "--sends", recSends, "--analytics", recPointsX, "-q")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	golden(t, "reconcile.table.txt", r.stdout)
	for _, f := range []string{"csv", "markdown", "html", "junit"} {
		r := wacost(t, "", "reconcile", recAltered, "--sends", recSends, "-q", "-f", f, "--mask-customers")
		if r.code != 0 || strings.Contains(r.stdout, "5511987654321") || !strings.Contains(r.stdout+f, "wamid.a4") && f != "junit" {
			t.Errorf("%s: exit %d, masked? %s", f, r.code, r.stdout)
		}
	}
}

// generate --format meta-webhook writes the synthetic log as webhooks
// labelled by wacost's own pricing: the same bytes every run; read back,
// it prices as the CSV it came from (late free-form replies, priced as
// utility templates, come back as the utility templates they were priced
// as); and it reconciles to 100%.
func TestGenerateWebhooks(t *testing.T) {
	args := []string{"generate", "--rows", "3000", "--seed", "5", "--days", "10"}
	a := wacost(t, "", append(args, "--format", "meta-webhook")...)
	b := wacost(t, "", append(args, "--format", "meta-webhook")...)
	if a.code != 0 || a.stdout != b.stdout || !strings.HasPrefix(a.stdout, `{"object":"whatsapp_business_account"`) {
		t.Fatalf("exit %d, same bytes %v: %.200s %s", a.code, a.stdout == b.stdout, a.stdout, a.stderr)
	}
	dir := t.TempDir()
	wh, csv := dir+"/w.ndjson", dir+"/w.csv"
	writeFile(t, wh, a.stdout)
	writeFile(t, csv, wacost(t, "", append(args, "--format", "csv")...).stdout)
	var x, y map[string]any
	json.Unmarshal([]byte(summaryOf(t, "simulate", wh)), &x)
	json.Unmarshal([]byte(summaryOf(t, "simulate", csv)), &y)
	for _, k := range []string{"outbound", "free", "billed", "undelivered", "cost"} {
		if x[k] != y[k] || x[k] == nil {
			t.Errorf("%s: %v from the webhooks, %v from the CSV", k, x[k], y[k])
		}
	}
	d, r := reconcileJSON(t, wh)
	if r.code != 0 || d.Compared < 1000 || d.Disagree != 0 {
		t.Fatalf("exit %d %+v", r.code, d)
	}
	// The conversation eras: every message carries its conversation's
	// label (billable, category; referral_conversion for an entry point).
	for _, start := range []string{"2022-05-01", "2024-03-01"} {
		f := dir + "/cbp-" + start + ".ndjson"
		writeFile(t, f, wacost(t, "", "generate", "--rows", "3000", "--seed", "5", "--days", "10", "--start", start, "--format", "meta-webhook").stdout)
		if d, r := reconcileJSON(t, f); r.code != 0 || d.Compared < 1000 || d.Disagree != 0 || d.Cost.Delta != "0.000000" {
			t.Errorf("%s: exit %d %+v", start, r.code, d)
		}
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The HTML report is one self-contained page with every table.
func TestReconcileHTML(t *testing.T) {
	r := wacost(t, "", "reconcile", recAltered, "--sends", recSends, "--analytics", recPointsX, "-q", "-f", "html")
	page := r.stdout
	if r.code != 0 || strings.Contains(page, "<script") || strings.Contains(page, "http") || strings.Contains(page, "<link") {
		t.Fatalf("exit %d: not a self-contained page", r.code)
	}
	for _, s := range []string{"Disagreements by likely cause", "wamid.a4", "window_edge", "Meta&#39;s analytics: 9 data points, 7 agree, 2 differ", "Readings used", "Notes"} {
		if !strings.Contains(page, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
}

// Analytics by volume tier, with no tier table: tiers are left aside and
// the report says so; the points still agree.
func TestReconcileTiersLeftAside(t *testing.T) {
	b, err := os.ReadFile(recPoints)
	if err != nil {
		t.Fatal(err)
	}
	f := t.TempDir() + "/tiered.json"
	writeFile(t, f, strings.Replace(string(b), `"pricing_category": "AUTHENTICATION"`, `"pricing_category": "AUTHENTICATION", "tier": "0:750000"`, -1))
	r := wacost(t, "", "reconcile", recLog, "--analytics", f, "-f", "json", "-q")
	var d recDoc
	json.Unmarshal([]byte(r.stdout), &d)
	if r.code != 0 || d.Analytics == nil || d.Analytics.Differ != 0 || !strings.Contains(r.stdout, "tiers were left aside") || !strings.Contains(string(b), `"pricing_category": "AUTHENTICATION"`) {
		t.Fatalf("exit %d %s", r.code, r.stdout)
	}
}

// A webhook log names its business by phone-number id; the analytics'
// phone_number is the display number, which the log's metadata gives
// (the ledger's business_number): points by phone match by it.
func TestReconcileAnalyticsByPhone(t *testing.T) {
	b, _ := os.ReadFile(recPoints)
	dir := t.TempDir()
	for phone, differ := range map[string]int64{"15550100001": 0, "+1 555 010 0002": 9} {
		f := dir + "/by-phone.json"
		writeFile(t, f, strings.ReplaceAll(string(b), `"country":`, `"phone_number": "`+phone+`", "country":`))
		d, r := reconcileJSON(t, recLog, "--analytics", f)
		if r.code != 0 || d.Analytics == nil || d.Analytics.Rows != 9 || d.Analytics.Differ != differ {
			t.Errorf("phone %s: exit %d %+v", phone, r.code, d.Analytics)
		}
	}
	led := wacost(t, "", "simulate", recLog, "--ledger", "-f", "csv", "-q")
	if !strings.HasSuffix(strings.Split(led.stdout, "\n")[1], ",15550100001") {
		t.Errorf("the ledger's business_number: %s", strings.Split(led.stdout, "\n")[1])
	}
}
