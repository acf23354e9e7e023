package msglog

import (
	"fmt"
	"strings"
	"time"
)

// strftime maps the directives of ParseTimeFormat to Go layout elements.
var strftime = map[byte]string{
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'e': "_2", 'j': "002",
	'H': "15", 'I': "03", 'M': "04", 'S': "05", 'f': "999999999", 'p': "PM",
	'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday",
	'z': "-0700", 'Z': "MST",
	'F': "2006-01-02", 'T': "15:04:05", 'D': "01/02/06", 'R': "15:04",
	'%': "%",
}

// ParseTimeFormat turns a strftime-style layout into a Go time layout:
// %Y %y %m %d %e %j %H %I %M %S %f (fraction of a second, after a . or ,)
// %p %b %h %B %a %A %z %Z %F %T %D %R and %%. Other characters stand for
// themselves, but for digits and letters that Go would read as part of a
// layout (a literal "1" or "Jan").
func ParseTimeFormat(format string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			if c >= '0' && c <= '9' {
				return "", fmt.Errorf("time format %q: a digit (%c) outside a directive would be read as part of the layout", format, c)
			}
			b.WriteByte(c)
			continue
		}
		if i+1 == len(format) {
			return "", fmt.Errorf("time format %q ends with %%", format)
		}
		i++
		el, ok := strftime[format[i]]
		if !ok {
			return "", fmt.Errorf("time format %q: %%%c is not a directive wacost reads (want %%Y %%m %%d %%H %%M %%S, ...)", format, format[i])
		}
		b.WriteString(el)
	}
	layout := b.String()
	for _, word := range []string{"Jan", "Mon", "MST", "PM", "pm"} {
		if strings.Count(layout, word) > strings.Count(expanded(format), word) {
			return "", fmt.Errorf("time format %q: the text %q outside a directive would be read as part of the layout", format, word)
		}
	}
	if !strings.Contains(layout, "2006") && !strings.Contains(layout, "06") {
		return "", fmt.Errorf("time format %q has no year (%%Y or %%y)", format)
	}
	return layout, nil
}

// expanded is format with its directives as Go elements and its literal
// text removed: what the layout's words may come from.
func expanded(format string) string {
	var b strings.Builder
	for i := 0; i+1 < len(format); i++ {
		if format[i] == '%' {
			b.WriteString(strftime[format[i+1]])
			b.WriteByte(' ')
			i++
		}
	}
	return b.String()
}

// parseTime reads a timestamp: by Options.TimeFormat first, if given,
// else (or if it does not match) as ParseTimestamp does. A layout with no
// zone reads a time in Options.Location, a time its clocks skip being an
// error.
func (o *Options) parseTime(v string) (time.Time, string) {
	if o.timeLayout != "" {
		s := strings.TrimSpace(v)
		if hasZone(o.timeLayout) {
			if t, err := time.Parse(o.timeLayout, s); err == nil {
				return t, zoneWord(v, t)
			}
		} else if wall, err := time.Parse(o.timeLayout, s); err == nil {
			return localTime(v, wall, o.Location)
		}
	}
	return ParseTimestamp(v, o.Location)
}

func hasZone(layout string) bool {
	return strings.Contains(layout, "-0700") || strings.Contains(layout, "MST")
}
