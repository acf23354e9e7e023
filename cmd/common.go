package cmd

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/sla"
)

// formatFrom reads --format and checks it against a command's formats.
func formatFrom(v *config, formats []string) (string, error) {
	f := strings.ToLower(v.GetString("format"))
	if !contains(formats, f) {
		return "", usagef("--format %q: want %s", f, strings.Join(formats, ", "))
	}
	return f, nil
}

// nowFrom reads --now (zero when not given).
func nowFrom(v *config, loc *time.Location) (time.Time, error) {
	now := v.GetString("now")
	if now == "" {
		return time.Time{}, nil
	}
	t, msg := msglog.ParseTimestamp(now, loc)
	if msg != "" {
		return time.Time{}, usagef("--now: %s", msg)
	}
	return t, nil
}

// businessHoursFrom reads the config's business-hours section: the
// schedule (nil when there is none) and how to say it to people.
func businessHoursFrom(v *config) (*sla.Schedule, string, error) {
	bh := v.hours
	if bh == nil {
		return nil, "", nil
	}
	sched, err := sla.ParseSchedule(bh.Timezone, bh.Weekly, bh.Holidays)
	if err != nil {
		return nil, "", usageError{err}
	}
	var days []string
	for d, h := range bh.Weekly {
		days = append(days, d+" "+h)
	}
	sort.Strings(days)
	desc := sched.Location.String() + ": " + strings.Join(days, "; ")
	if len(bh.Holidays) > 0 {
		desc += fmt.Sprintf("; %d holidays", len(bh.Holidays))
	}
	return sched, desc, nil
}
