// Package gate evaluates CI thresholds ("first_reply.p95<=4h",
// "market=Brazil:cost<120") against a run's metrics, exactly: every value
// is a rational number (money in currency units, durations in seconds,
// rates as fractions), so no threshold is decided by float rounding.
//
// Grammar:
//
//	threshold := [scope ":"] metric op value
//	scope     := dim "=" name { "," dim "=" name }
//	metric    := name { "." name }          e.g. cost, cost.marketing, first_reply.p95
//	op        := "<" | "<=" | ">" | ">=" | "==" | "!="
//	value     := number [unit]              unit: % (of 1), s m h d (durations), or none
//
// It must not import os, cobra, viper or tablewriter.
package gate

import (
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Kind says how a metric's value is written.
type Kind uint8

// Metric kinds.
const (
	Count    Kind = iota // a number of things
	Money                // currency units
	Duration             // seconds
	Ratio                // a fraction, written as a percent
)

// Value is a metric's exact value.
type Value struct {
	V    *big.Rat
	Kind Kind
}

// CountOf is a count's value.
func CountOf(n int64) Value { return Value{V: big.NewRat(n, 1), Kind: Count} }

// MoneyOf is an amount's value, from millionths of the currency unit (as
// wacost's money is kept).
func MoneyOf(micros int64) Value { return Value{V: big.NewRat(micros, 1_000_000), Kind: Money} }

// Format writes the value for people: 3h12m, 2.5%, 12.34.
func (v Value) Format() string {
	switch v.Kind {
	case Duration:
		f, _ := v.V.Float64()
		return FormatDuration(time.Duration(f * float64(time.Second)))
	case Ratio:
		p := new(big.Rat).Mul(v.V, big.NewRat(100, 1))
		return strings.TrimSuffix(strings.TrimRight(p.FloatString(4), "0"), ".") + "%"
	case Money:
		return strings.TrimSuffix(strings.TrimRight(v.V.FloatString(6), "0"), ".")
	}
	return strings.TrimSuffix(strings.TrimRight(v.V.FloatString(6), "0"), ".")
}

// FormatDuration writes a duration the short way people read it: 45s,
// 12m, 3h12m, 2d4h.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%dm", s/60)
		}
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
}

// Metrics is what a run measured: metric name -> scope -> value. The
// whole run's scope is "".
type Metrics map[string]map[string]Value

// Set records a value.
func (m Metrics) Set(scope, name string, v Value) {
	if m[name] == nil {
		m[name] = map[string]Value{}
	}
	m[name][scope] = v
}

// Names lists the metric names, sorted.
func (m Metrics) Names() []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Threshold is one parsed expression.
type Threshold struct {
	Expr   string
	Scope  string // canonical "dim=name,dim=name", "" for the whole run
	Metric string
	Op     string
	Limit  *big.Rat
	Unit   string // "", "%", "s", ...
	Warn   bool   // a warning: reported, never failing
}

var exprRE = regexp.MustCompile(`^\s*(?:([^:<>!]+):)?\s*([a-z_][a-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*([-+]?[0-9]*\.?[0-9]+(?:[a-z%]+[0-9]*)*)\s*$`)

// Parse parses one threshold expression.
func Parse(expr string, warn bool) (Threshold, error) {
	m := exprRE.FindStringSubmatch(strings.ToLower(expr))
	if m == nil {
		return Threshold{}, fmt.Errorf("threshold %q: want [scope:]metric op value, e.g. first_reply.p95<=4h, cost<500, market=brazil:breach_rate<2%%", expr)
	}
	t := Threshold{Expr: strings.TrimSpace(expr), Metric: m[2], Op: m[3], Warn: warn}
	if m[1] != "" {
		scope, err := canonicalScope(m[1], expr)
		if err != nil {
			return Threshold{}, err
		}
		t.Scope = scope
	}
	v, unit, err := parseValue(m[4])
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %w", expr, err)
	}
	t.Limit, t.Unit = v, unit
	return t, nil
}

// canonicalScope sorts and lower-cases "market=Brazil,business=1555".
func canonicalScope(s, expr string) (string, error) {
	var parts []string
	for _, p := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("threshold %q: scope %q: want dim=name, e.g. market=Brazil", expr, p)
		}
		parts = append(parts, strings.ToLower(strings.TrimSpace(k))+"="+strings.ToLower(strings.TrimSpace(v)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ","), nil
}

// Scope builds the canonical scope key of a group (dims and values in pairs).
func Scope(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, strings.ToLower(pairs[i])+"="+strings.ToLower(pairs[i+1]))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

var durUnits = map[string]int64{"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

func parseValue(s string) (*big.Rat, string, error) {
	i := 0
	for i < len(s) && (s[i] == '-' || s[i] == '+' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9')) {
		i++
	}
	num, unit := s[:i], s[i:]
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return nil, "", fmt.Errorf("%q is not a number", num)
	}
	switch {
	case unit == "":
		return r, "", nil
	case unit == "%":
		return r.Quo(r, big.NewRat(100, 1)), "%", nil
	}
	// Durations: 4h, 90m, 1h30m, 2d.
	total := new(big.Rat)
	rest := s
	for rest != "" {
		j := 0
		for j < len(rest) && (rest[j] == '.' || (rest[j] >= '0' && rest[j] <= '9') || rest[j] == '-' || rest[j] == '+') {
			j++
		}
		k := j
		for k < len(rest) && rest[k] >= 'a' && rest[k] <= 'z' {
			k++
		}
		n, ok := new(big.Rat).SetString(rest[:j])
		mult, known := durUnits[rest[j:k]]
		if !ok || !known || j == 0 {
			return nil, "", fmt.Errorf("%q is not a number, a percent or a duration (s, m, h, d, w)", s)
		}
		total.Add(total, n.Mul(n, big.NewRat(mult, 1)))
		rest = rest[k:]
	}
	return total, "s", nil
}

// Check is one threshold's outcome.
type Check struct {
	Expr     string `json:"threshold"`
	Metric   string `json:"metric"`
	Scope    string `json:"scope"`
	Value    string `json:"value"`   // as measured, for people
	Numeric  string `json:"numeric"` // exact, in seconds, currency units or a fraction
	Pass     bool   `json:"pass"`
	Warn     bool   `json:"warn"`
	Missing  bool   `json:"missing"` // the metric has no value (e.g. no replies in the scope)
	Describe string `json:"message"`
}

// Evaluate checks thresholds against metrics. A threshold whose metric is
// unknown is an error (a typo must not pass); one whose scope has no
// value (nothing measured there) passes and says so.
func Evaluate(ts []Threshold, m Metrics) ([]Check, error) {
	checks := make([]Check, 0, len(ts))
	for _, t := range ts {
		byScope, ok := m[t.Metric]
		if !ok {
			return nil, fmt.Errorf("threshold %q: unknown metric %q (known: %s)", t.Expr, t.Metric, strings.Join(m.Names(), ", "))
		}
		c := Check{Expr: t.Expr, Metric: t.Metric, Scope: t.Scope, Warn: t.Warn}
		v, ok := byScope[t.Scope]
		if !ok {
			c.Pass, c.Missing, c.Value = true, true, "none"
			c.Describe = fmt.Sprintf("%s: no value measured for %s", t.Expr, orAll(t.Scope))
			checks = append(checks, c)
			continue
		}
		if v.Kind == Duration && t.Unit == "%" || v.Kind == Ratio && t.Unit == "s" {
			return nil, fmt.Errorf("threshold %q: %s is a %s, not a %s", t.Expr, t.Metric, kindName(v.Kind), unitName(t.Unit))
		}
		cmp := v.V.Cmp(t.Limit)
		switch t.Op {
		case "<":
			c.Pass = cmp < 0
		case "<=":
			c.Pass = cmp <= 0
		case ">":
			c.Pass = cmp > 0
		case ">=":
			c.Pass = cmp >= 0
		case "==":
			c.Pass = cmp == 0
		case "!=":
			c.Pass = cmp != 0
		}
		c.Value, c.Numeric = v.Format(), v.V.FloatString(6)
		verdict := "ok"
		if !c.Pass {
			verdict = "CROSSED"
			if t.Warn {
				verdict = "warning"
			}
		}
		c.Describe = fmt.Sprintf("%s: %s (measured %s)", t.Expr, verdict, c.Value)
		checks = append(checks, c)
	}
	return checks, nil
}

func orAll(s string) string {
	if s == "" {
		return "the whole run"
	}
	return s
}

func kindName(k Kind) string {
	return [...]string{"count", "money amount", "duration", "rate"}[k]
}

func unitName(u string) string {
	if u == "%" {
		return "percentage"
	}
	return "duration"
}

// Failed reports whether any non-warning threshold was crossed.
func Failed(cs []Check) bool {
	for _, c := range cs {
		if !c.Pass && !c.Warn {
			return true
		}
	}
	return false
}

// Report writes the crossed thresholds and warnings, one a line.
func Report(w io.Writer, cs []Check) {
	for _, c := range cs {
		switch {
		case !c.Pass && !c.Warn:
			fmt.Fprintf(w, "wacost: threshold crossed: %s: measured %s\n", c.Expr, c.Value)
		case !c.Pass:
			fmt.Fprintf(w, "wacost: warning: %s: measured %s\n", c.Expr, c.Value)
		case c.Missing:
			fmt.Fprintf(w, "wacost: threshold not measured: %s: nothing in this scope (a misspelt name?); it passes\n", c.Expr)
		}
	}
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitFailure `xml:"skipped,omitempty"`
	Output    string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnit writes one test case per threshold: crossed thresholds fail,
// warnings and unmeasured ones are reported as skipped with their message.
func JUnit(w io.Writer, suite string, cs []Check) error {
	s := junitSuite{Name: suite, Tests: len(cs)}
	for _, c := range cs {
		tc := junitCase{Name: c.Expr, Classname: suite, Output: c.Describe}
		switch {
		case !c.Pass && !c.Warn:
			s.Failures++
			tc.Failure = &junitFailure{Message: "measured " + c.Value, Type: "threshold", Text: c.Describe}
		case !c.Pass || c.Missing:
			s.Skipped++
			tc.Skipped = &junitFailure{Message: c.Describe}
		}
		s.Cases = append(s.Cases, tc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
