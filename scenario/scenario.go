// Package scenario describes what-if scenarios and applies them: rate
// overrides and a provider's fees as pricing hooks, and behaviour changes
// (reply delays, recategorised templates) as a transformation of the log
// before it is priced.
//
// It must not import os, cobra, viper or tablewriter.
package scenario

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// Scenario is one named what-if.
type Scenario struct {
	Name string
	// Regime and Tariff replace the run's ("" keeps them).
	Regime string
	Tariff string
	// LateReplies: "" (keep), "template", or "block"/"drop" (not sent, not priced).
	LateReplies string
	Overrides   []Override
	Fees        Fees
	Delay       *Delay
	Cap         time.Duration // replies capped at this delay (0: none)
	Recat       []Recat
}

// Change is a scale (x1.2) or an absolute value (0.05) for a price.
type Change struct {
	Scale   pricing.Money // a factor in millionths when IsScale (x1.2 = 1_200_000)
	Set     pricing.Money
	IsScale bool
}

// Apply changes a price.
func (c Change) Apply(p pricing.Money) pricing.Money {
	if !c.IsScale {
		return c.Set
	}
	return pricing.FX{Rate: c.Scale}.Convert(p)
}

// Override changes the price of some categories in some markets (all
// markets when Markets is empty).
type Override struct {
	Markets []string
	Keys    map[pricing.Key]Change
}

// Fees model a provider's invoice on top of Meta's price.
type Fees struct {
	PerMessage pricing.Money            // each delivered business message
	PerInbound pricing.Money            // each customer message
	Failed     pricing.Money            // each business message that was not delivered
	Markup     map[string]pricing.Money // category -> percent in millionths of 1 (10% = 100_000); "all" for every category
	Monthly    pricing.Money            // per calendar month the log spans
}

// check refuses negative fees: a provider's invoice adds to Meta's.
func (f Fees) check() error {
	for _, fee := range []struct {
		name string
		v    pricing.Money
	}{{"per_message", f.PerMessage}, {"per_inbound", f.PerInbound}, {"failed", f.Failed}, {"monthly", f.Monthly}} {
		if fee.v < 0 {
			return fmt.Errorf("%s %s: a fee is not negative", fee.name, fee.v)
		}
	}
	for _, cat := range slices.Sorted(maps.Keys(f.Markup)) {
		if f.Markup[cat] < 0 {
			return fmt.Errorf("markup.%s: a markup is not negative", cat)
		}
	}
	return nil
}

// Delay changes how long each reply took: scaled (x0.5), shifted (+2h,
// -30m) or set (=15m).
type Delay struct {
	Op    byte // 'x', '+', '='
	Scale pricing.Money
	By    time.Duration
}

func (d Delay) apply(x time.Duration) time.Duration {
	switch d.Op {
	case 'x':
		return time.Duration(pricing.FX{Rate: d.Scale}.Convert(pricing.Money(x/time.Millisecond))) * time.Millisecond
	case '+':
		x += d.By
	case '=':
		x = d.By
	}
	if x < 0 {
		x = 0
	}
	return x
}

// Recat moves templates to another category: by template name, or all of
// one category.
type Recat struct {
	Template string
	Category string
	To       string
}

// Changes says in a few words what a scenario changes, for people.
func (s Scenario) Changes() string {
	var parts []string
	if s.Regime != "" {
		parts = append(parts, "regime "+s.Regime)
	}
	if s.Tariff != "" {
		parts = append(parts, "tariff "+s.Tariff)
	}
	if len(s.Overrides) > 0 {
		parts = append(parts, fmt.Sprintf("%d rate override(s)", len(s.Overrides)))
	}
	if f := s.Fees; f.PerMessage != 0 || f.PerInbound != 0 || f.Failed != 0 || f.Monthly != 0 || len(f.Markup) > 0 {
		parts = append(parts, "provider fees")
	}
	if s.Delay != nil {
		parts = append(parts, "reply delay "+s.Delay.String())
	}
	if s.Cap > 0 {
		parts = append(parts, "replies capped at "+gate.FormatDuration(s.Cap))
	}
	if len(s.Recat) > 0 {
		parts = append(parts, fmt.Sprintf("%d recategorisation(s)", len(s.Recat)))
	}
	if s.LateReplies != "" {
		parts = append(parts, "late replies "+s.LateReplies)
	}
	if len(parts) == 0 {
		return "as logged"
	}
	return strings.Join(parts, ", ")
}

func (d Delay) String() string {
	switch d.Op {
	case 'x':
		return "x" + strings.TrimSuffix(strings.TrimRight(d.Scale.String(), "0"), ".")
	case '+':
		if d.By < 0 {
			return d.By.String()
		}
		return "+" + d.By.String()
	}
	return "=" + d.By.String()
}

// ParseDelay parses x0.5, +2h, -30m or =15m.
func ParseDelay(s string) (*Delay, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty")
	}
	switch s[0] {
	case 'x', 'X':
		m, err := pricing.ParseMoney(s[1:])
		if err != nil || m < 0 {
			return nil, fmt.Errorf("%q: want a factor like x0.5", s)
		}
		return &Delay{Op: 'x', Scale: m}, nil
	case '+', '-', '=':
		d, err := parseDur(strings.TrimPrefix(strings.TrimPrefix(s, "+"), "="))
		if err != nil {
			return nil, fmt.Errorf("%q: want +DUR, -DUR or =DUR, e.g. +2h", s)
		}
		op := s[0]
		if op == '-' {
			op = '+'
		}
		return &Delay{Op: op, By: d}, nil
	}
	return nil, fmt.Errorf("%q: want x0.5, +2h, -30m or =15m", s)
}

func parseDur(s string) (time.Duration, error) {
	neg := strings.HasPrefix(s, "-")
	t := strings.TrimPrefix(s, "-")
	var d time.Duration
	var err error
	if strings.HasSuffix(t, "d") && !strings.ContainsAny(t[:len(t)-1], "hms") {
		var n int
		_, err = fmt.Sscanf(t, "%dd", &n)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(t)
	}
	if neg {
		d = -d
	}
	return d, err
}

// ParseChange parses x1.2 (scale) or 0.05 (a price).
func ParseChange(s string) (Change, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "x") || strings.HasPrefix(s, "X") {
		m, err := pricing.ParseMoney(s[1:])
		if err != nil || m < 0 {
			return Change{}, fmt.Errorf("%q: want a factor like x1.2", s)
		}
		return Change{Scale: m, IsScale: true}, nil
	}
	m, err := pricing.ParseMoney(s)
	if err != nil || m < 0 {
		return Change{}, fmt.Errorf("%q: want a price like 0.05 or a factor like x1.2", s)
	}
	return Change{Set: m}, nil
}

// parsePercent parses 10% or 0.1 into millionths of 1.
func parsePercent(s string) (pricing.Money, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "%") {
		m, err := pricing.ParseMoney(strings.TrimSuffix(s, "%"))
		if err != nil {
			return 0, fmt.Errorf("%q is not a percentage", s)
		}
		return m / 100, nil
	}
	m, err := pricing.ParseMoney(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a percentage (10%%) or a fraction (0.1)", s)
	}
	return m, nil
}

// parseRecat reads "template order_update -> marketing" or "category utility -> marketing".
func parseRecat(s string) (Recat, error) {
	from, to, ok := strings.Cut(s, "->")
	kind, name, ok2 := strings.Cut(strings.TrimSpace(from), " ")
	to = strings.ToLower(strings.TrimSpace(to))
	if !ok || !ok2 {
		return Recat{}, fmt.Errorf("%q: want \"template NAME -> CATEGORY\" or \"category CATEGORY -> CATEGORY\"", s)
	}
	if c, ok := pricing.ParseCategory(to); !ok || c == pricing.CatNone {
		return Recat{}, fmt.Errorf("%q: %q is not marketing, utility or authentication", s, to)
	}
	name = strings.TrimSpace(name)
	switch strings.ToLower(kind) {
	case "template":
		return Recat{Template: name, To: to}, nil
	case "category":
		if c, ok := pricing.ParseCategory(name); !ok || c == pricing.CatNone {
			return Recat{}, fmt.Errorf("%q: %q is not a template category", s, name)
		}
		return Recat{Category: strings.ToLower(name), To: to}, nil
	}
	return Recat{}, fmt.Errorf("%q: want \"template NAME -> CATEGORY\" or \"category CATEGORY -> CATEGORY\"", s)
}

// set applies one key: value of a scenario; both the file and one-off
// --scenario specs go through it.
func (s *Scenario) set(key, val string, list []string) error {
	var err error
	switch key {
	case "regime":
		if _, err := pricing.RegimeByName(val); err != nil {
			return err
		}
		s.Regime = val
	case "tariff":
		s.Tariff = val
	case "late_replies":
		switch val {
		case "template", "block", "drop":
			s.LateReplies = val
		default:
			return fmt.Errorf("%q: want template, block or drop", val)
		}
	case "reply_delay":
		s.Delay, err = ParseDelay(val)
	case "reply_cap":
		s.Cap, err = parseDur(val)
		if err == nil && s.Cap <= 0 {
			err = fmt.Errorf("%q: want a positive duration", val)
		}
	case "recategorize":
		for _, r := range list {
			rc, err := parseRecat(r)
			if err != nil {
				return err
			}
			s.Recat = append(s.Recat, rc)
		}
	default:
		return fmt.Errorf("unknown key (want regime, tariff, overrides, fees, reply_delay, reply_cap, recategorize, late_replies)")
	}
	return err
}

// File is a parsed scenario file.
type File struct{ Scenarios []Scenario }

// Parse reads a scenario file:
//
//	scenarios:
//	  - name: baseline
//	  - name: faster replies
//	    reply_delay: x0.5
//	  - name: BSP invoice
//	    fees: {per_message: 0.005, failed: 0.001, markup: {marketing: 10%}, monthly: 50}
//	  - name: Brazil +20%
//	    overrides:
//	      - markets: [Brazil]
//	        marketing: x1.2
//
// Errors name the file, line and key.
func Parse(r io.Reader, file string, knownMarket func(string) (string, bool)) (*File, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err == io.EOF {
		return nil, fmt.Errorf("%s: empty: want a mapping with a scenarios list", file)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	ferr := func(n *yaml.Node, key string, err error) error {
		return fmt.Errorf("%s:%d: %s: %w", file, n.Line, key, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: want a mapping with a scenarios list", file)
	}
	root := doc.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "scenarios" {
			list = root.Content[i+1]
		} else {
			return nil, ferr(root.Content[i], root.Content[i].Value, errors.New("unknown key (want scenarios)"))
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, fmt.Errorf("%s: scenarios: want a non-empty list", file)
	}
	f := &File{}
	names := map[string]int{}
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			return nil, ferr(item, "scenarios", errors.New("each scenario is a mapping with a name"))
		}
		var s Scenario
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			key := strings.ToLower(k.Value)
			var err error
			switch key {
			case "name":
				s.Name = strings.TrimSpace(v.Value)
			case "overrides":
				err = s.parseOverrides(v, knownMarket)
			case "fees":
				err = s.parseFees(v)
			case "recategorize":
				var items []string
				if v.Kind != yaml.SequenceNode {
					err = errors.New("want a list like [\"template order_update -> marketing\"]")
					break
				}
				for _, x := range v.Content {
					items = append(items, x.Value)
				}
				err = s.set(key, "", items)
			default:
				if v.Kind != yaml.ScalarNode {
					err = errors.New("want a single value")
					break
				}
				err = s.set(key, v.Value, nil)
			}
			if err != nil {
				return nil, ferr(k, key, err)
			}
		}
		if s.Name == "" {
			return nil, ferr(item, "name", errors.New("every scenario needs a name"))
		}
		if line, dup := names[s.Name]; dup {
			return nil, ferr(item, "name", fmt.Errorf("%q is used twice (first on line %d)", s.Name, line))
		}
		names[s.Name] = item.Line
		f.Scenarios = append(f.Scenarios, s)
	}
	return f, nil
}

// overrideMarkets reads an override's market or list of markets, as
// knownMarket (if set) names them.
func overrideMarkets(val *yaml.Node, knownMarket func(string) (string, bool)) ([]string, error) {
	names := []string{val.Value}
	if val.Kind == yaml.SequenceNode {
		names = nil
		for _, x := range val.Content {
			names = append(names, x.Value)
		}
	}
	var out []string
	for _, n := range names {
		canon, ok := n, true
		if knownMarket != nil {
			canon, ok = knownMarket(n)
		}
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not a WhatsApp pricing market", val.Line, n)
		}
		out = append(out, canon)
	}
	return out, nil
}

func (s *Scenario) parseOverrides(v *yaml.Node, knownMarket func(string) (string, bool)) error {
	if v.Kind != yaml.SequenceNode {
		return errors.New("want a list of {markets: [...], CATEGORY: x1.2 or PRICE}")
	}
	for _, o := range v.Content {
		if o.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: want a mapping", o.Line)
		}
		ov := Override{Keys: map[pricing.Key]Change{}}
		for i := 0; i+1 < len(o.Content); i += 2 {
			k, val := o.Content[i], o.Content[i+1]
			switch strings.ToLower(k.Value) {
			case "market", "markets":
				markets, err := overrideMarkets(val, knownMarket)
				if err != nil {
					return err
				}
				ov.Markets = append(ov.Markets, markets...)
			default:
				key, ok := pricing.ParseKey(k.Value)
				if !ok {
					return fmt.Errorf("line %d: %q is not a price key (marketing, utility, authentication, service, ...)", k.Line, k.Value)
				}
				c, err := ParseChange(val.Value)
				if err != nil {
					return fmt.Errorf("line %d: %w", val.Line, err)
				}
				ov.Keys[key] = c
			}
		}
		if len(ov.Keys) == 0 {
			return fmt.Errorf("line %d: an override changes at least one price key", o.Line)
		}
		s.Overrides = append(s.Overrides, ov)
	}
	return nil
}

func (s *Scenario) parseFees(v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return errors.New("want {per_message, per_inbound, failed, markup, monthly}")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		var err error
		switch strings.ToLower(k.Value) {
		case "per_message":
			s.Fees.PerMessage, err = pricing.ParseMoney(val.Value)
		case "per_inbound":
			s.Fees.PerInbound, err = pricing.ParseMoney(val.Value)
		case "failed":
			s.Fees.Failed, err = pricing.ParseMoney(val.Value)
		case "monthly":
			s.Fees.Monthly, err = pricing.ParseMoney(val.Value)
		case "markup":
			s.Fees.Markup = map[string]pricing.Money{}
			if val.Kind == yaml.ScalarNode {
				p, err := parsePercent(val.Value)
				if err != nil {
					return fmt.Errorf("line %d: %w", val.Line, err)
				}
				s.Fees.Markup["all"] = p
				continue
			}
			for j := 0; j+1 < len(val.Content); j += 2 {
				p, err := parsePercent(val.Content[j+1].Value)
				if err != nil {
					return fmt.Errorf("line %d: %w", val.Content[j+1].Line, err)
				}
				s.Fees.Markup[strings.ToLower(val.Content[j].Value)] = p
			}
		default:
			return fmt.Errorf("line %d: %q: want per_message, per_inbound, failed, markup or monthly", k.Line, k.Value)
		}
		if err != nil {
			return fmt.Errorf("line %d: %s: %w", val.Line, k.Value, err)
		}
	}
	return s.Fees.check()
}

// ParseSpec reads a one-off scenario: "NAME:key=value,key=value". Keys are
// those of the file's scenarios, plus rate.CATEGORY (every market),
// per_message, per_inbound, failed, monthly and markup.CATEGORY.
func ParseSpec(spec string) (Scenario, error) {
	name, rest, _ := strings.Cut(spec, ":")
	s := Scenario{Name: strings.TrimSpace(name)}
	if s.Name == "" {
		return s, fmt.Errorf("--scenario %q: want NAME:key=value,..., e.g. faster:reply_delay=x0.5", spec)
	}
	if strings.TrimSpace(rest) == "" {
		return s, nil
	}
	given := map[string]bool{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok {
			return s, fmt.Errorf("--scenario %q: %q is not key=value", spec, kv)
		}
		if given[k] && k != "recategorize" { // two changes of one key would compound
			return s, fmt.Errorf("--scenario %q: %s given twice", spec, k)
		}
		given[k] = true
		var err error
		switch {
		case strings.HasPrefix(k, "rate."):
			key, ok := pricing.ParseKey(strings.TrimPrefix(k, "rate."))
			if !ok {
				err = fmt.Errorf("%q is not a price key", strings.TrimPrefix(k, "rate."))
				break
			}
			var c Change
			if c, err = ParseChange(v); err == nil {
				s.Overrides = append(s.Overrides, Override{Keys: map[pricing.Key]Change{key: c}})
			}
		case strings.HasPrefix(k, "markup."):
			if s.Fees.Markup == nil {
				s.Fees.Markup = map[string]pricing.Money{}
			}
			s.Fees.Markup[strings.TrimPrefix(k, "markup.")], err = parsePercent(v)
		case k == "per_message":
			s.Fees.PerMessage, err = pricing.ParseMoney(v)
		case k == "per_inbound":
			s.Fees.PerInbound, err = pricing.ParseMoney(v)
		case k == "failed":
			s.Fees.Failed, err = pricing.ParseMoney(v)
		case k == "monthly":
			s.Fees.Monthly, err = pricing.ParseMoney(v)
		case k == "recategorize":
			err = s.set(k, "", []string{v})
		default:
			err = s.set(k, v, nil)
		}
		if err != nil {
			return s, fmt.Errorf("--scenario %q: %s: %w", spec, k, err)
		}
	}
	if err := s.Fees.check(); err != nil {
		return s, fmt.Errorf("--scenario %q: %w", spec, err)
	}
	return s, nil
}

// RateHook returns the engine hook for the scenario's overrides (nil if none).
func (s Scenario) RateHook() func(string, pricing.Key, pricing.Money) pricing.Money {
	if len(s.Overrides) == 0 {
		return nil
	}
	return func(market string, k pricing.Key, p pricing.Money) pricing.Money {
		for _, o := range s.Overrides {
			c, ok := o.Keys[k]
			if !ok || (len(o.Markets) > 0 && !containsFold(o.Markets, market)) {
				continue
			}
			p = c.Apply(p)
		}
		return p
	}
}

func containsFold(s []string, v string) bool {
	for _, x := range s {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// FeeHook returns the engine hook for the scenario's per-message fees
// (nil if none): per delivered business message, per customer message, per
// undelivered business message, and the markup on Meta's price.
func (s Scenario) FeeHook() func(*msglog.Message, *simulate.Entry) pricing.Money {
	f := s.Fees
	if f.PerMessage == 0 && f.PerInbound == 0 && f.Failed == 0 && len(f.Markup) == 0 {
		return nil
	}
	return func(m *msglog.Message, e *simulate.Entry) pricing.Money {
		if m.Direction == msglog.Inbound {
			return f.PerInbound
		}
		var fee pricing.Money
		switch e.Decision {
		case pricing.Free, pricing.Billed:
			fee += f.PerMessage
		case pricing.Undelivered:
			fee += f.Failed
		}
		pct, ok := f.Markup[e.Category]
		if !ok {
			pct = f.Markup["all"]
		}
		if pct != 0 {
			fee += pricing.FX{Rate: pct}.Convert(e.Cost)
		}
		return fee
	}
}

// MonthlyFees is the fixed monthly fee times the calendar months from
// first to last (inclusive) in loc.
func (s Scenario) MonthlyFees(first, last time.Time, loc *time.Location) pricing.Money {
	if s.Fees.Monthly == 0 || first.IsZero() {
		return 0
	}
	a, b := first.In(loc), last.In(loc)
	months := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month()) + 1
	return s.Fees.Monthly * pricing.Money(months)
}

// Transform applies the behaviour changes to a log in replay order and
// returns a new log in replay order (the input is not changed).
//
// A reply is the first delivered business message after a customer's
// unanswered message; its delay is measured from that customer message.
// When the delay changes by D, the business messages that follow it
// before the customer writes again move by D too, so each burst keeps its
// shape. Recategorisation applies to templates by name or category.
func (s Scenario) Transform(in []msglog.Message) []msglog.Message {
	out := append([]msglog.Message(nil), in...)
	for i := range out {
		s.recategorize(&out[i])
	}
	if s.Delay == nil && s.Cap == 0 {
		return out
	}
	type pk struct{ b, c string }
	type state struct {
		waiting bool
		since   time.Time
		shift   time.Duration // applied to the rest of the burst
	}
	st := map[pk]*state{}
	for i := range out {
		m := &out[i]
		k := pk{m.Business, m.Customer}
		p := st[k]
		if p == nil {
			p = &state{}
			st[k] = p
		}
		if m.Direction == msglog.Inbound {
			if !p.waiting {
				p.waiting, p.since = true, m.Time
			}
			p.shift = 0
			continue
		}
		if p.waiting && !m.Failed {
			d := m.Time.Sub(p.since)
			nd := d
			if s.Delay != nil {
				nd = s.Delay.apply(nd)
			}
			if s.Cap > 0 && nd > s.Cap {
				nd = s.Cap
			}
			p.shift = nd - d
			p.waiting = false
		}
		m.Time = m.Time.Add(p.shift)
	}
	sort.SliceStable(out, func(i, j int) bool { return msglog.Less(&out[i], &out[j]) })
	return out
}
