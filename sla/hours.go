// Package sla measures how fast a business answers on WhatsApp: first
// and next reply times per business and customer, the time left in the
// customer-service window at each reply, late replies (with their cost
// from the simulate engine), customers still waiting, percentiles and
// target breaches, on calendar time or on a business-hours clock.
//
// It must not import os, cobra, viper or tablewriter.
package sla

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// span is an opening period of a day, in minutes after midnight [from, to).
type span struct{ from, to int }

// Schedule is a business's opening hours: a time zone, weekly hours and
// holidays (whole days closed).
type Schedule struct {
	Location *time.Location
	weekly   [7][]span // by time.Weekday
	holidays map[string]bool
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseSchedule builds a schedule from a zone name, weekly hours
// ("mon" -> "09:00-12:30,13:30-18:00"; days not given are closed; "mon-fri"
// sets several days) and holiday dates (YYYY-MM-DD).
func ParseSchedule(zone string, weekly map[string]string, holidays []string) (*Schedule, error) {
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("business-hours timezone %q: not an IANA zone", zone)
	}
	s := &Schedule{Location: loc, holidays: map[string]bool{}}
	for key, spec := range weekly {
		days, err := parseDays(key)
		if err != nil {
			return nil, err
		}
		spans, err := parseSpans(spec)
		if err != nil {
			return nil, fmt.Errorf("business-hours %s: %w", key, err)
		}
		for _, d := range days {
			s.weekly[d] = spans
		}
	}
	for _, h := range holidays {
		// YAML reads an unquoted 2026-12-08 as a timestamp: accept midnight.
		day := h
		if len(h) > 10 && (strings.HasPrefix(h[10:], " 00:00:00") || strings.HasPrefix(h[10:], "T00:00:00")) {
			day = h[:10]
		}
		if _, err := time.Parse("2006-01-02", day); err != nil {
			return nil, fmt.Errorf("business-hours holiday %q: want YYYY-MM-DD", h)
		}
		s.holidays[day] = true
	}
	open := false
	for _, sp := range s.weekly {
		open = open || len(sp) > 0
	}
	if !open {
		return nil, fmt.Errorf("business-hours: no opening hours on any day")
	}
	return s, nil
}

func parseDays(key string) ([]time.Weekday, error) {
	key = strings.ToLower(strings.TrimSpace(key))
	if a, b, ok := strings.Cut(key, "-"); ok {
		from, ok1 := dayNames[a]
		to, ok2 := dayNames[b]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("business-hours: %q is not a day range like mon-fri", key)
		}
		var days []time.Weekday
		for d := from; ; d = (d + 1) % 7 {
			days = append(days, d)
			if d == to {
				return days, nil
			}
		}
	}
	d, ok := dayNames[key]
	if !ok {
		return nil, fmt.Errorf("business-hours: %q is not a day (mon, tue, ..., sun, or a range like mon-fri)", key)
	}
	return []time.Weekday{d}, nil
}

func parseSpans(spec string) ([]span, error) {
	spec = strings.TrimSpace(strings.ToLower(spec))
	if spec == "" || spec == "closed" {
		return nil, nil
	}
	var out []span
	for _, part := range strings.Split(spec, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		from, err1 := clock(a)
		to, err2 := clock(b)
		if !ok || err1 != nil || err2 != nil || to <= from {
			return nil, fmt.Errorf("%q is not a span like 09:00-18:00", part)
		}
		out = append(out, span{from, to})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from < out[j].from })
	return out, nil
}

func clock(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Open returns how much of [a, b) falls inside opening hours. Wall-clock
// spans are placed on each local day, so a daylight-saving change moves
// them with the clock.
func (s *Schedule) Open(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var total time.Duration
	la := a.In(s.Location)
	day := time.Date(la.Year(), la.Month(), la.Day(), 0, 0, 0, 0, s.Location)
	for !day.After(b) {
		if !s.holidays[day.Format("2006-01-02")] {
			for _, sp := range s.weekly[day.Weekday()] {
				from := time.Date(day.Year(), day.Month(), day.Day(), sp.from/60, sp.from%60, 0, 0, s.Location)
				to := time.Date(day.Year(), day.Month(), day.Day(), sp.to/60, sp.to%60, 0, 0, s.Location)
				if from.Before(a) {
					from = a
				}
				if to.After(b) {
					to = b
				}
				if to.After(from) {
					total += to.Sub(from)
				}
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, s.Location)
	}
	return total
}

// Percentile returns the p-th percentile of sorted durations by the
// nearest-rank method: the smallest value with at least p% of the values
// at or below it (rank ceil(p/100 x n)). p in (0, 100].
func Percentile(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100 // ceil(p*n/100)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// Advance returns the instant when d of opening hours have passed since
// from (from itself if d is 0). It walks the opening spans day by day.
func (s *Schedule) Advance(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	left := d
	lf := from.In(s.Location)
	day := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, s.Location)
	for i := 0; i < 3660; i++ { // ten years of days at most
		if !s.holidays[day.Format("2006-01-02")] {
			for _, sp := range s.weekly[day.Weekday()] {
				a := time.Date(day.Year(), day.Month(), day.Day(), sp.from/60, sp.from%60, 0, 0, s.Location)
				b := time.Date(day.Year(), day.Month(), day.Day(), sp.to/60, sp.to%60, 0, 0, s.Location)
				if a.Before(from) {
					a = from
				}
				if !b.After(a) {
					continue
				}
				if span := b.Sub(a); span >= left {
					return a.Add(left)
				} else {
					left -= span
				}
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, s.Location)
	}
	return from.Add(d) // unreachable with any opening hours
}
