package gate

import (
	"bytes"
	"encoding/xml"
	"math/big"
	"strings"
	"testing"
)

func rat(s string) *big.Rat { r, _ := new(big.Rat).SetString(s); return r }

func TestParse(t *testing.T) {
	cases := []struct {
		in, scope, metric, op, limit, unit string
	}{
		{"first_reply.p95<=4h", "", "first_reply.p95", "<=", "14400", "s"},
		{"breach_rate<2%", "", "breach_rate", "<", "1/50", "%"},
		{"late_replies==0", "", "late_replies", "==", "0", ""},
		{"cost<=500", "", "cost", "<=", "500", ""},
		{" cost.marketing < 120.5 ", "", "cost.marketing", "<", "241/2", ""},
		{"market=Brazil:first_reply.p90<1h30m", "market=brazil", "first_reply.p90", "<", "5400", "s"},
		{"business=1555,market=India:cost>=0.25", "business=1555,market=india", "cost", ">=", "1/4", ""},
		{"next_reply.max!=2d", "", "next_reply.max", "!=", "172800", "s"},
	}
	for _, c := range cases {
		th, err := Parse(c.in, false)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if th.Scope != c.scope || th.Metric != c.metric || th.Op != c.op || th.Limit.Cmp(rat(c.limit)) != 0 || th.Unit != c.unit {
			t.Errorf("%q: %+v (limit %s)", c.in, th, th.Limit.RatString())
		}
	}
	for _, bad := range []string{"", "cost", "cost<", "cost<<5", "cost<5x", "market:cost<5", "=x:cost<5", "Cost=<5", "first_reply.p95<=4hours", "cost<1e3"} {
		if _, err := Parse(bad, false); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func metrics() Metrics {
	m := Metrics{}
	m.Set("", "cost", Value{rat("500"), Money})
	m.Set("", "first_reply.p95", Value{rat("14400"), Duration})
	m.Set("", "breach_rate", Value{rat("1/50"), Ratio})
	m.Set("market=brazil", "cost", Value{rat("120"), Money})
	return m
}

func TestEvaluateExactBoundaries(t *testing.T) {
	for _, c := range []struct {
		expr string
		pass bool
	}{
		{"cost<=500", true}, {"cost<500", false}, {"cost==500", true}, {"cost!=500", false}, {"cost>499.999999", true},
		{"first_reply.p95<=4h", true}, {"first_reply.p95<4h", false}, {"first_reply.p95<=239m59s", false},
		{"breach_rate<2%", false}, {"breach_rate<=2%", true}, {"breach_rate<0.0201", true},
		{"market=Brazil:cost<120", false}, {"market=brazil:cost<=120", true},
		{"market=India:cost<1", true}, // nothing measured for India: passes, marked missing
	} {
		th, err := Parse(c.expr, false)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := Evaluate([]Threshold{th}, metrics())
		if err != nil {
			t.Fatal(err)
		}
		if cs[0].Pass != c.pass {
			t.Errorf("%s: pass=%v, want %v (%s)", c.expr, cs[0].Pass, c.pass, cs[0].Describe)
		}
	}
	th, _ := Parse("colst<5", false)
	if _, err := Evaluate([]Threshold{th}, metrics()); err == nil || !strings.Contains(err.Error(), "unknown metric") {
		t.Errorf("a misspelt metric must be an error: %v", err)
	}
	th, _ = Parse("first_reply.p95<5%", false)
	if _, err := Evaluate([]Threshold{th}, metrics()); err == nil {
		t.Error("a duration compared with a percentage must be an error")
	}
}

func TestWarnAndFailed(t *testing.T) {
	crossed, _ := Parse("cost<100", false)
	warned, _ := Parse("cost<200", true)
	ok, _ := Parse("cost<1000", false)
	cs, _ := Evaluate([]Threshold{warned, ok}, metrics())
	if Failed(cs) {
		t.Fatal("a crossed warning must not fail")
	}
	cs, _ = Evaluate([]Threshold{crossed, warned, ok}, metrics())
	if !Failed(cs) {
		t.Fatal("a crossed threshold fails")
	}
	var b bytes.Buffer
	Report(&b, cs)
	if !strings.Contains(b.String(), "threshold crossed: cost<100: measured 500") || !strings.Contains(b.String(), "warning: cost<200") || strings.Contains(b.String(), "cost<1000") {
		t.Fatalf("report:\n%s", b.String())
	}
}

func TestJUnitParsesBack(t *testing.T) {
	a, _ := Parse("cost<100", false)
	b, _ := Parse("cost<200", true)
	c, _ := Parse("first_reply.p95<=4h", false)
	cs, _ := Evaluate([]Threshold{a, b, c}, metrics())
	var buf bytes.Buffer
	if err := JUnit(&buf, "wacost", cs); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	s := doc.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || s.Skipped != 1 || s.Cases[0].Failure == nil || s.Cases[0].Failure.Message != "measured 500" || s.Cases[2].Failure != nil {
		t.Fatalf("%+v\n%s", s, buf.String())
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    Value
		want string
	}{
		{Value{rat("11520"), Duration}, "3h12m"}, {Value{rat("45"), Duration}, "45s"}, {Value{rat("90"), Duration}, "1m30s"},
		{Value{rat("187200"), Duration}, "2d04h"}, {Value{rat("1/40"), Ratio}, "2.5%"}, {Value{rat("12.34"), Money}, "12.34"},
	} {
		if got := c.v.Format(); got != c.want {
			t.Errorf("%v: %q, want %q", c.v.V, got, c.want)
		}
	}
}
