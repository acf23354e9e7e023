package reconcile

import (
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

func TestMetaVerdict(t *testing.T) {
	for label, want := range map[string]string{
		"PMP regular marketing":                    "billed marketing",
		"PMP regular authentication-international": "billed authentication_international",
		"PMP free_customer_service utility":        "free utility (service_window)",
		"PMP free_entry_point service":             "free service (entry_point)",
		"PMP regular group_marketing":              "billed marketing",
		"PMP regular marketing_lite":               "billed marketing",
		"CBP billable business_initiated":          "billed business_initiated",
		"CBP not_billable referral_conversion":     "free (entry_point)",
		"CBP not_billable service":                 "free service",
		"PMP free_something_new service":           "free service (free_something_new)",
		"PMP regular general_purpose_ai":           "billed general_purpose_ai",
		"error 131049":                             "",
		"":                                         "",
		"CBP":                                      "",
	} {
		v, _, ok := MetaVerdict(label)
		got := ""
		if ok {
			got = v.String()
		}
		if got != want {
			t.Errorf("%q: %q, want %q", label, got, want)
		}
	}
}

// check runs messages (inbound ones with only a time) through a checker.
func check(t *testing.T, o Options, msgs []msglog.Message, ents []simulate.Entry) Report {
	t.Helper()
	c := New(o)
	for i := range msgs {
		if err := c.Visit(&msgs[i], &ents[i]); err != nil {
			t.Fatal(err)
		}
	}
	return c.Report("USD")
}

// The causes: a disagreement next to a regime switch, or with Meta's
// model of the other regime, is regime_switch; wacost's free quota
// against Meta's billed service is quota; a failed message is not
// compared; a message without a label is counted apart.
func TestCauses(t *testing.T) {
	at := func(s string) time.Time { x, _ := time.Parse(time.RFC3339, s); return x }
	in := func(ts string) msglog.Message {
		return msglog.Message{Time: at(ts), Direction: msglog.Inbound, Customer: "5511987654321", Business: "b", ID: "in"}
	}
	out := func(ts, id, label string) msglog.Message {
		return msglog.Message{Time: at(ts), Direction: msglog.Outbound, Customer: "5511987654321", Business: "b", ID: id, Label: label}
	}
	free := simulate.Entry{Decision: pricing.Free, Category: "service", Reason: pricing.ReasonCSW}
	msgs := []msglog.Message{
		in("2025-06-30T23:00:00Z"), out("2025-07-01T00:30:00Z", "switch", "PMP regular service"),
		in("2025-09-01T10:00:00Z"), out("2025-09-01T11:00:00Z", "model", "CBP billable service"),
		in("2026-10-05T10:00:00Z"), out("2026-10-05T11:00:00Z", "quota", "PMP regular service"),
		out("2026-10-05T11:01:00Z", "failed", "error 131049"), out("2026-10-05T11:02:00Z", "nolabel", ""),
	}
	ents := []simulate.Entry{{}, free, {}, free, {}, {Decision: pricing.Free, Category: "service", Reason: pricing.ReasonFreeQuota},
		{Decision: pricing.Undelivered, Reason: pricing.ReasonFailed}, free}
	r := check(t, Options{Edge: time.Minute}, msgs, ents)
	got := map[string]string{}
	for _, d := range r.Disagrees {
		got[d.ID] = d.Cause
	}
	if got["switch"] != CauseRegime || got["model"] != CauseRegime || got["quota"] != CauseQuota || len(got) != 3 {
		t.Fatalf("causes %v", got)
	}
	if r.Compared != 3 || r.NotDelivered != 1 || r.NoLabel != 1 || r.Agreement != 0 {
		t.Fatalf("report %+v", r)
	}
}

// The conversation era: a message inside a billed conversation shares
// its verdict (Meta labels every message of it billable), and Meta's
// charge is the conversation's, once.
func TestConversationShares(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	msgs := []msglog.Message{
		{Time: t0, Direction: msglog.Outbound, Customer: "5511987654321", ID: "open", Label: "CBP billable marketing"},
		{Time: t0.Add(time.Hour), Direction: msglog.Outbound, Customer: "5511987654321", ID: "in-conv", Label: "CBP billable marketing"},
	}
	ents := []simulate.Entry{
		{Decision: pricing.Billed, Category: "marketing", Reason: pricing.ReasonConversation, Conversation: "c1", Cost: 62500, Card: "x", Market: "Brazil"},
		{Decision: pricing.Free, Category: "marketing", Reason: pricing.ReasonConversationOpen, Conversation: "c1", Card: "x", Market: "Brazil"},
	}
	price := func(card, market, cat string) (pricing.Money, bool) { return 62500, true }
	r := check(t, Options{Price: price}, msgs, ents)
	if r.Agree != 2 || r.Cost.Meta != 62500 || r.Cost.Wacost != 62500 {
		t.Fatalf("%+v", r)
	}
}

func TestReadAnalytics(t *testing.T) {
	edge := `{"data":[{"data_points":[{"start":1749193200,"end":1749279600,"country":"IN","pricing_type":"FREE_CUSTOMER_SERVICE","pricing_category":"SERVICE","volume":2,"cost":0},
		{"start":1749106800,"end":1749193200,"country":"IN","tier":"0:750000","pricing_type":"REGULAR","pricing_category":"AUTHENTICATION_INTERNATIONAL","volume":2,"cost":4.6}]}],"paging":{}}`
	pts, err := ReadAnalytics(strings.NewReader(edge), "edge.json")
	if err != nil || len(pts) != 2 || pts[1].Cost != 4_600_000 || !pts[1].HasCost || pts[1].Category != "AUTHENTICATION_INTERNATIONAL" || pts[0].Kind != KindPricing {
		t.Fatalf("%v %+v", err, pts)
	}
	conv := `{"conversation_analytics":{"data":[{"data_points":[{"start":1685602800,"end":1688194800,"conversation":1558,"phone_number":"15550458206","country":"US","conversation_type":"FREE_ENTRY","conversation_direction":"UNKNOWN","conversation_category":"AUTHENTICATION","cost":15.58}]}]},
		"analytics":{"phone_numbers":["15550458206"],"granularity":"DAY","data_points":[{"start":1685602800,"end":1685689200,"sent":10,"delivered":9}]}}`
	pts, err = ReadAnalytics(strings.NewReader(conv), "c.json")
	if err != nil || len(pts) != 2 || pts[0].Type != "FREE_ENTRY_POINT" || pts[0].Volume != 1558 || pts[0].Cost != 15_580_000 ||
		pts[1].Kind != KindMessaging || pts[1].Volume != 10 || pts[1].Delivered != 9 || pts[1].HasCost {
		t.Fatalf("%v %+v", err, pts)
	}
	for _, bad := range []string{`[]`, `{"x":1}`, `{"pricing_analytics":{"data":[{"data_points":[{"start":2,"end":1,"volume":1}]}]}}`,
		`{"pricing_analytics":{"data":[{"data_points":[{"start":1,"end":2}]}]}}`, `{"pricing_analytics":{"data":[{"data_points":[{"start":1,"end":2,"volume":1,"cost":"x"}]}]}}`} {
		if _, err := ReadAnalytics(strings.NewReader(bad), "bad.json"); err == nil || !strings.HasPrefix(err.Error(), "bad.json: ") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	for s, want := range map[string]pricing.Money{"4.6": 4_600_000, "0.0118000001": 11_800, "1e-3": 1000, "0.0000005": 1, "-0.0000005": -1, "0": 0} {
		if got, ok := micros(s); !ok || got != want {
			t.Errorf("micros(%s) = %d, want %d", s, got, want)
		}
	}
}

// The messaging analytics count every business message sent (blocked
// ones never were) and those delivered.
func TestMessagingAnalytics(t *testing.T) {
	t0 := time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC)
	var msgs []msglog.Message
	var ents []simulate.Entry
	for i, d := range []pricing.Outcome{pricing.Billed, pricing.Free, pricing.Undelivered, pricing.Blocked} {
		msgs = append(msgs, msglog.Message{Time: t0.Add(time.Duration(i) * time.Minute), Direction: msglog.Outbound, Customer: "5511987654321", Business: "+1 555 0100"})
		ents = append(ents, simulate.Entry{Decision: d, Category: "utility"})
	}
	day := t0.Truncate(24 * time.Hour).Unix()
	pts := []Point{{Kind: KindMessaging, Start: day, End: day + 86400, Volume: 3, Delivered: 2}, {Kind: KindMessaging, Start: day, End: day + 86400, Phone: "15550100", Volume: 3, Delivered: 2},
		{Kind: KindMessaging, Start: day, End: day + 86400, Country: "BR", Volume: 3, Delivered: 1}}
	r := check(t, Options{Analytics: pts, CountryOf: func(string) string { return "BR" }}, msgs, ents)
	if a := r.Analytics; a.Agree != 2 || a.Differ != 1 || a.Differing[0].WacostDelivered != 2 {
		t.Fatalf("%+v", r.Analytics)
	}
}

// FuzzAnalytics: any bytes are an analytics response or an error naming
// the file; every point read has an interval and a count that is not
// negative, and a cost only when the response gave one.
func FuzzAnalytics(f *testing.F) {
	f.Add(`{"pricing_analytics":{"data":[{"data_points":[{"start":1,"end":2,"country":"BR","pricing_type":"REGULAR","pricing_category":"MARKETING","volume":1,"cost":0.0625}]}]}}`)
	f.Add(`{"conversation_analytics":{"data":[{"data_points":[{"start":1,"end":2,"conversation":3,"conversation_type":"FREE_ENTRY","cost":1e-3}]}]},"analytics":{"data_points":[{"start":1,"end":2,"sent":2,"delivered":1}]}}`)
	f.Add(`{"data":[{"data_points":[{"start":"1","end":2,"volume":-1}]}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		pts, err := ReadAnalytics(strings.NewReader(in), "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json: ") {
				t.Fatalf("an error not naming the file: %v", err)
			}
			return
		}
		for _, p := range pts {
			if p.End <= p.Start || p.Volume < 0 || p.Delivered < 0 || p.File != "f.json" || (!p.HasCost && p.Cost != 0) {
				t.Fatalf("point %+v", p)
			}
		}
		compareAnalytics(pts, map[string][]fact{}, 0.005) // never panics
	})
}

// A data point's tier is compared only when the run priced with tiers:
// without, the points of two bands are both checked against every
// message of their other dimensions.
func TestAnalyticsTier(t *testing.T) {
	t0 := time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC)
	msgs := []msglog.Message{{Time: t0, Direction: msglog.Outbound, Customer: "919876543210", Business: "b", Label: "PMP regular utility"}}
	day := t0.Truncate(24 * time.Hour).Unix()
	pt := func(tier string) Point {
		return Point{Kind: KindPricing, Start: day, End: day + 86400, Type: "REGULAR", Category: "UTILITY", Tier: tier, Volume: 1, Cost: 1400, HasCost: true}
	}
	pts := []Point{pt("1:250000"), pt("250001:MAX")}
	for _, c := range []struct {
		tiers         bool
		tier          string
		agree, differ int64
	}{{false, "", 2, 0}, {true, "1:250000", 1, 1}} {
		ents := []simulate.Entry{{Decision: pricing.Billed, Category: "utility", Reason: pricing.ReasonTemplate, Cost: 1400, Tier: c.tier}}
		r := check(t, Options{Analytics: pts, Tiers: c.tiers}, msgs, ents)
		if r.Analytics.Agree != c.agree || r.Analytics.Differ != c.differ {
			t.Errorf("tiers %v: %+v", c.tiers, r.Analytics)
		}
	}
	if pts[0].Tier != "1:250000" {
		t.Error("the checker changed its caller's points")
	}
}
