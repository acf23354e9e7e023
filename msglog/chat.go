package msglog

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FormatWhatsAppChat is the WhatsApp app's "Export chat" text, from iOS or
// Android, in the usual locales.
const FormatWhatsAppChat Format = "whatsapp-chat"

func init() {
	register(&inputFormat{name: FormatWhatsAppChat, aliases: []string{"chat"}, sniff: isChat,
		open: func(br *bufio.Reader, o Options) (Reader, error) { return newChatReader(br, o) }})
}

// The two shapes of a message's first line: iOS "[date, time] rest" and
// Android "date, time - rest"; the date d/m/y, m/d/y or y-m-d with / . or
// -, the time 12 or 24 h, with or without seconds.
var (
	chatDate = `(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})`
	chatTime = `(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*([AaPp]\.?\s?[Mm]\.?)?`
	chatIOS  = regexp.MustCompile(`^\[` + chatDate + `,?\s+(?:klo\s+)?` + chatTime + `\]\s*(.*)$`)
	chatAnd  = regexp.MustCompile(`^` + chatDate + `,?\s+` + chatTime + `\s+[-–]\s(.*)$`)
)

// ampmMarks drops the dots and spaces of a.m., p. m. and the like.
var ampmMarks = strings.NewReplacer(".", "", " ", "")

// chatClean drops the invisible marks exports put in lines and turns
// their special spaces into spaces.
var chatClean = strings.NewReplacer("\u200e", "", "\u200f", "", "\u2068", "", "\u2069", "", "\ufeff", "", "\u202f", " ", "\u00a0", " ", "\r", "")

func isChat(head []byte) bool {
	sc := bufio.NewScanner(strings.NewReader(string(head)))
	for sc.Scan() {
		l := strings.TrimSpace(chatClean.Replace(sc.Text()))
		if l == "" {
			continue
		}
		return chatIOS.MatchString(l) || chatAnd.MatchString(l)
	}
	return false
}

// chatLine is one message of an export, its lines joined.
type chatLine struct {
	line         int
	d            [3]int // the date's parts as written
	h, mi, s     int
	ampm         string // "am", "pm" or ""
	author, text string
	system       bool
	dateText     string
}

// chatCalls and chatNotices are the lines iOS writes with an author that
// are no one's message: calls, and the encryption notice.
var (
	chatCalls   = regexp.MustCompile(`(?i)^(missed )?(voice|video) call(, .*)?$`)
	chatNotices = []string{"messages and calls are end-to-end encrypted", "messages to this chat and calls are now secured with end-to-end encryption"}
)

// chatReader reads a whole export, settles its date order, and gives its
// messages: an author named by Options.Me is the business (outbound),
// any other a customer. A customer known by a contact name is keyed by
// it, in the market of Options.DefaultCountry.
type chatReader struct {
	buffered
	o      Options
	system int
	order  string
}

func newChatReader(br *bufio.Reader, o Options) (*chatReader, error) {
	r := &chatReader{o: o}
	lines, err := r.split(br)
	if err != nil {
		return nil, err
	}
	if r.order, err = chatOrder(lines, o.DateOrder); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Name, err)
	}
	if len(o.Me) == 0 {
		return nil, fmt.Errorf("%s: a chat export needs --me NAME: the author who is the business (authors here: %s)", o.Name, r.authorList(lines))
	}
	r.build(lines)
	return r, nil
}

func (r *chatReader) authorList(lines []chatLine) string {
	seen := map[string]bool{}
	var names []string
	for _, l := range lines {
		if !l.system && !seen[l.author] {
			seen[l.author] = true
			names = append(names, strconv.Quote(l.author))
		}
		if len(names) == 5 {
			return strings.Join(names, ", ") + ", ..."
		}
	}
	return strings.Join(names, ", ")
}

// split reads the export into its messages: a line that does not start
// with a date continues the one before.
func (r *chatReader) split(br *bufio.Reader) ([]chatLine, error) {
	var out []chatLine
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), r.o.maxRecord())
	n := 0
	for sc.Scan() {
		n++
		l := chatClean.Replace(sc.Text())
		m := chatIOS.FindStringSubmatch(l)
		if m == nil {
			m = chatAnd.FindStringSubmatch(l)
		}
		if m == nil {
			if len(out) > 0 {
				out[len(out)-1].text += "\n" + l
			} else if strings.TrimSpace(l) != "" {
				r.errs = append(r.errs, &RowError{File: r.o.Name, Line: n, Msg: "not a message line of a chat export (want [date, time] author: text, or date, time - author: text)"})
			}
			continue
		}
		c := chatLine{line: n, dateText: m[1] + "/" + m[2] + "/" + m[3]}
		for i := range 3 {
			c.d[i], _ = strconv.Atoi(m[1+i])
		}
		c.h, _ = strconv.Atoi(m[4])
		c.mi, _ = strconv.Atoi(m[5])
		c.s, _ = strconv.Atoi(m[6])
		c.ampm = strings.ToLower(ampmMarks.Replace(m[7]))
		rest := m[8]
		if author, text, ok := strings.Cut(rest, ": "); ok {
			c.author, c.text = strings.TrimSpace(author), text
		} else {
			c.system, c.text = true, rest
		}
		low := strings.ToLower(strings.TrimSpace(c.text))
		if chatCalls.MatchString(low) {
			c.system = true
		}
		for _, s := range chatNotices {
			if strings.HasPrefix(low, s) {
				c.system = true
			}
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", r.o.Name, n+1, err)
	}
	return out, nil
}

// chatOrder settles the date order: given (dmy, mdy, ymd), else ymd for a
// four-digit first part, else from a part over 12; a file that cannot
// tell is refused.
func chatOrder(lines []chatLine, given string) (string, error) {
	switch given {
	case "dmy", "mdy", "ymd":
		return given, nil
	case "", "auto":
	default:
		return "", fmt.Errorf("date order %q: want auto, dmy, mdy or ymd", given)
	}
	var ymd, dayFirst, monthFirst bool
	for _, l := range lines {
		switch {
		case l.d[0] > 31:
			ymd = true
		case l.d[0] > 12:
			dayFirst = true
		case l.d[1] > 12:
			monthFirst = true
		}
	}
	switch {
	case ymd:
		return "ymd", nil
	case dayFirst && monthFirst:
		return "", fmt.Errorf("some dates have a day first and others a month first: give --date-order dmy or mdy")
	case dayFirst:
		return "dmy", nil
	case monthFirst:
		return "mdy", nil
	case len(lines) == 0:
		return "dmy", nil
	}
	return "", fmt.Errorf("no date has a day over 12, so day/month/year cannot be told from month/day/year: give --date-order dmy or mdy")
}

// when is a message's time, as the phone's clock showed it.
func (r *chatReader) when(c *chatLine) (time.Time, string) {
	var y, mo, d int
	switch r.order {
	case "dmy":
		d, mo, y = c.d[0], c.d[1], c.d[2]
	case "mdy":
		mo, d, y = c.d[0], c.d[1], c.d[2]
	default:
		y, mo, d = c.d[0], c.d[1], c.d[2]
	}
	if y < 100 {
		y += 2000
	}
	h := c.h
	switch c.ampm {
	case "am", "pm":
		if h < 1 || h > 12 {
			return time.Time{}, strconv.Quote(c.dateText) + ": hour " + strconv.Itoa(h) + " on a 12-hour clock"
		}
		h %= 12
		if c.ampm == "pm" {
			h += 12
		}
	case "":
	default:
		return time.Time{}, "unknown AM/PM mark"
	}
	if y < MinYear || y > MaxYear {
		return time.Time{}, strconv.Quote(c.dateText) + " is in " + strconv.Itoa(y) + ", outside the years " + strconv.Itoa(MinYear) + " to " + strconv.Itoa(MaxYear)
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) || h > 23 || c.mi > 59 || c.s > 59 {
		return time.Time{}, strconv.Quote(c.dateText) + " read as " + r.order + " is not a date and time"
	}
	wall := time.Date(y, time.Month(mo), d, h, c.mi, c.s, 0, time.UTC)
	return localTime(wall.Format(localLayout), wall, r.o.Location)
}

// chatMedia tells an attachment line's type.
func chatMedia(text string) string {
	low := strings.ToLower(strings.TrimSpace(text))
	switch {
	case strings.Contains(low, "-photo-"), strings.HasPrefix(low, "img-"), strings.HasPrefix(low, "image omitted"):
		return "image"
	case strings.Contains(low, "-video-"), strings.HasPrefix(low, "vid-"), strings.HasPrefix(low, "video omitted"), strings.HasPrefix(low, "gif omitted"):
		return "video"
	case strings.Contains(low, "-audio-"), strings.HasPrefix(low, "ptt-"), strings.HasPrefix(low, "aud-"), strings.HasPrefix(low, "audio omitted"):
		return "audio"
	case strings.Contains(low, "-sticker-"), strings.HasPrefix(low, "stk-"), strings.HasPrefix(low, "sticker omitted"):
		return "sticker"
	case strings.HasPrefix(low, "<attached:"), strings.Contains(low, "(file attached)"), strings.Contains(low, "(arquivo anexado)"),
		strings.HasPrefix(low, "<media omitted>"), strings.HasPrefix(low, "document omitted"):
		return "document"
	}
	return "text"
}

func (r *chatReader) isMe(author string) bool {
	for _, me := range r.o.Me {
		if strings.EqualFold(strings.TrimSpace(me), author) {
			return true
		}
	}
	return false
}

// build turns the export's messages into wacost's. A business message
// answers the customer who wrote last (the first customer of the chat
// before anyone has).
func (r *chatReader) build(lines []chatLine) {
	first := ""
	for _, c := range lines {
		if !c.system && !r.isMe(c.author) {
			first = c.author
			break
		}
	}
	current := first
	business := strings.TrimSpace(r.o.Me[0]) // as the file writes it, if it does
	for _, c := range lines {
		if !c.system && r.isMe(c.author) {
			business = c.author
			break
		}
	}
	for _, c := range lines {
		if c.system {
			r.system++
			continue
		}
		var m Message
		t, msg := r.when(&c)
		if msg != "" {
			r.errs = append(r.errs, &RowError{File: r.o.Name, Line: c.line, Field: "timestamp", Msg: msg})
			continue
		}
		customer := c.author
		m.Direction = Inbound
		if r.isMe(c.author) {
			m.Direction, customer, m.Status = Outbound, current, "delivered"
			if customer == "" {
				r.errs = append(r.errs, &RowError{File: r.o.Name, Line: c.line, Field: "customer", Msg: "a business message in a chat with no customer's message"})
				continue
			}
		} else {
			current = c.author
		}
		m.Time, m.Business, m.ID = t, business, r.o.Name+":"+strconv.Itoa(c.line)
		m.Pos = Pos{File: r.o.Name, Line: c.line, Seq: int64(r.o.Index)<<40 | int64(c.line)}
		if msg := setType(&m, chatMedia(c.text), &r.o); msg != "" {
			r.errs = append(r.errs, &RowError{File: r.o.Name, Line: c.line, Field: "type", Msg: msg})
			continue
		}
		if err := r.customer(&m, customer, c.line); err != nil {
			r.errs = append(r.errs, err)
			continue
		}
		if f, msg := finish(&m); msg != "" {
			r.errs = append(r.errs, &RowError{File: r.o.Name, Line: c.line, Field: f, Msg: msg})
			continue
		}
		r.msgs = append(r.msgs, m)
	}
}

// customer sets m's customer from an author: a number as written (with
// --default-country for a national one), else a contact name, keyed by
// it, in --default-country's market.
func (r *chatReader) customer(m *Message, author string, line int) error {
	if strings.HasPrefix(strings.TrimSpace(author), "+") {
		if msg := setCustomer(m, author, &r.o); msg != "" {
			return &RowError{File: r.o.Name, Line: line, Field: "customer", Msg: msg}
		}
		return nil
	}
	if r.o.dialing == nil {
		return &RowError{File: r.o.Name, Line: line, Field: "customer", Msg: strconv.Quote(author) + " is a contact's name, with no number to find a market by: give --default-country"}
	}
	if msg := textProblem(author); msg != "" {
		return &RowError{File: r.o.Name, Line: line, Field: "customer", Msg: msg}
	}
	m.Customer, m.Country = "contact:"+author, r.o.dialing.country
	return nil
}

// Notes says what a chat export cannot tell.
func (r *chatReader) Notes() []string {
	notes := []string{fmt.Sprintf("%s: a chat export read with dates %s: it has no templates, categories or delivery statuses; business messages are taken for delivered free-form ones, and a late one is priced as the template it would have had to be", r.o.Name, r.order)}
	if r.system > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d system line(s) (calls, encryption notices, group events) are no one's message and are not priced", r.o.Name, r.system))
	}
	return notes
}
