package pricing

import (
	"fmt"
	"time"
)

// Day is a calendar date in the account's time zone, as yyyymmdd
// (20261001). Rate cards, regimes and market tables change at local
// midnight of the WhatsApp Business Account (G-09), so they compare Days.
type Day int32

// DayOf returns the calendar date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day(y*10000 + int(m)*100 + d)
}

// MustDay builds a Day; it panics on an impossible date (for constants).
func MustDay(y int, m time.Month, d int) Day {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		panic(fmt.Sprintf("pricing: bad day %d-%d-%d", y, m, d))
	}
	return Day(y*10000 + int(m)*100 + d)
}

// ParseDay parses "2006-01-02".
func ParseDay(s string) (Day, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return DayOf(t, time.UTC), nil
}

// String renders the day as 2006-01-02.
func (d Day) String() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// Month returns the day's month as "2006-01".
func (d Day) Month() string { return d.String()[:7] }

// AddDays returns the calendar day n days later (earlier for negative n).
func (d Day) AddDays(n int) Day {
	t := time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 12, 0, 0, 0, time.UTC)
	return DayOf(t.AddDate(0, 0, n), time.UTC)
}
