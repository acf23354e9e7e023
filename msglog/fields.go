package msglog

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/language"

	"github.com/wacost/wacost/internal/swar"
	"github.com/wacost/wacost/window"
)

// fieldSetter validates one raw value into m; it returns a message for a
// RowError, or "".
type fieldSetter func(m *Message, v string, o *Options) string

var setters = map[string]fieldSetter{
	ColTimestamp:  setTimestamp,
	ColCustomer:   setCustomer,
	ColDirection:  setDirection,
	ColType:       setType,
	ColCategory:   func(m *Message, v string, _ *Options) string { m.Category = v; return "" },
	ColCountry:    setCountry,
	ColBusiness:   setBusiness,
	ColEntryPoint: setEntryPoint,
	ColStatus:     setStatus,
	ColID:         func(m *Message, v string, _ *Options) string { return setText(&m.ID, v) },
	ColAgent:      func(m *Message, v string, _ *Options) string { return setText(&m.Agent, v) },
	ColSender:     setSender,
	ColTemplate:   func(m *Message, v string, _ *Options) string { return setText(&m.TemplateName, v) },
	ColTokens:     setTokens,
	ColLabel:      func(m *Message, v string, _ *Options) string { return setText(&m.Label, v) },
	ColInferred:   func(m *Message, v string, _ *Options) string { return setFlag(&m.Inferred, v) },
	ColEcho:       func(m *Message, v string, _ *Options) string { return setFlag(&m.Echo, v) },
	ColProviderCurrency: func(m *Message, v string, _ *Options) string {
		v = strings.TrimSpace(v)
		if v == "" {
			m.ProviderCurrency = 0
			return ""
		}
		if m.ProviderCurrency = ProviderCurrencyIndex(v); m.ProviderCurrency == 0 {
			return strconv.Quote(v) + " is not a currency wacost knows (" + strings.Join(ProviderCurrencies[1:], ", ") + ")"
		}
		return ""
	},
	ColProviderPrice: setProviderPrice,
}

// setFlag reads a yes-or-no column: true, yes or 1; false, no, 0 or empty.
func setFlag(dst *bool, v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "no", "0":
		*dst = false
	case "true", "yes", "1":
		*dst = true
	default:
		return strconv.Quote(v) + " is not true or false"
	}
	return ""
}

// setProviderPrice reads what the provider charged, as a positive decimal
// in provider_currency (which comes before it in Columns, so is set).
func setProviderPrice(m *Message, v string, _ *Options) string {
	v = strings.TrimSpace(v)
	if v == "" {
		m.ProviderPrice = 0
		return ""
	}
	micros, ok := parseMicros(v)
	if !ok || micros < 0 {
		return strconv.Quote(v) + " is not a price (a decimal of at most 6 places, 0 or more)"
	}
	if m.ProviderCurrency == 0 {
		return "a price needs its currency in provider_currency"
	}
	m.ProviderPrice = int32(micros)
	return ""
}

// setTokens reads a Meta Business Agent message's tokens: a whole number
// (0 or empty: not such a message).
func setTokens(m *Message, v string, _ *Options) string {
	v = strings.TrimSpace(v)
	if v == "" {
		m.Tokens = 0
		return ""
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return strconv.Quote(v) + " is not a whole number of tokens (0 to 4294967295)"
	}
	m.Tokens = uint32(n)
	return ""
}

// setText sets a free-text field (an id, an agent, a template's name) to
// v without its surrounding white space, if v is text (textProblem).
func setText(dst *string, v string) string {
	if msg := textProblem(v); msg != "" {
		return msg
	}
	*dst = unguard(strings.TrimSpace(v))
	return ""
}

// textProblem says why v cannot be a text value, or "": invalid UTF-8
// (another encoding, or a file cut mid-character) or a control character
// (NUL, escape, ...; tabs and line breaks are allowed) would reach every output as is,
// and a terminal or a spreadsheet would act on them.
func textProblem(v string) string {
	for i, r := range v {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(v[i:]); n == 1 { // not a U+FFFD written out
				return strconv.Quote(v) + " is not UTF-8 text (byte " + strconv.Itoa(i+1) + ")"
			}
		case r < ' ' && r != '\t' && r != '\n' && r != '\r', r == 0x7f, r >= 0x80 && r < 0xa0:
			return strconv.Quote(v) + " holds a control character (" + fmt.Sprintf("U+%04X", r) + ")"
		}
	}
	return ""
}

// plainText reports whether b is printable ASCII (spaces inside, not at
// its ends), which textProblem and strings.TrimSpace leave as it is.
func plainText(b []byte) bool {
	n := len(b)
	if n == 0 {
		return true
	}
	if !plainEnd(b[0]) || !plainEnd(b[n-1]) {
		return false
	}
	i := 0
	for ; i+8 <= n; i += 8 {
		w := swar.Word(b, i)
		if !swar.ASCII(w) || swar.HasLess(w, ' ') || swar.Has(w, 0x7f) {
			return false
		}
	}
	for ; i < n; i++ {
		if b[i] < ' ' || b[i] >= 0x7f {
			return false
		}
	}
	return true
}

func setSender(m *Message, v string, _ *Options) string {
	switch s := strings.ToLower(strings.TrimSpace(v)); s {
	case "", "bot", "human":
		m.Sender = s
	case "ai", "automation", "automated":
		m.Sender = "bot"
	case "agent", "person":
		m.Sender = "human"
	default:
		return strconv.Quote(v) + " is not bot or human"
	}
	return ""
}

// ParseTimestamp reads RFC 3339 with any offset (the T or a space between
// date and time; seconds optional; the offset also as +0000, or UTC, GMT
// or Z after a space), a date-time without offset (taken in loc), RFC 1123
// (Sat, 03 Oct 2026 10:00:00 +0000), or Unix seconds, milliseconds,
// microseconds or nanoseconds (told apart by magnitude: below 1e11
// seconds, below 1e14 milliseconds, below 1e17 microseconds, else
// nanoseconds).
func ParseTimestamp(v string, loc *time.Location) (time.Time, string) {
	if t, ok := fastUTC(v); ok {
		return t, ""
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, "missing"
	}
	if allDigits(v) {
		if len(v) > 19 {
			return time.Time{}, strconv.Quote(v) + " is too large for a Unix time"
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, strconv.Quote(v) + " is too large for a Unix time"
		}
		switch {
		case n < 1e11:
			return time.Unix(n, 0).UTC(), ""
		case n < 1e14:
			return time.UnixMilli(n).UTC(), ""
		case n < 1e17:
			return time.UnixMicro(n).UTC(), ""
		default:
			return time.Unix(0, n).UTC(), ""
		}
	}
	if len(v) > 5 && v[3] == ',' { // RFC 1123, as mail and HTTP write times
		for _, layout := range []string{time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t, zoneWord(v, t)
			}
		}
	}
	s := v
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, z := range []string{" UTC", " GMT", " Z", "UTC", "GMT"} { // a zone written as a word
		if len(s) > 16 && strings.HasSuffix(s, z) {
			s = strings.TrimSuffix(s, z) + "Z"
			break
		}
	}
	if n := len(s); n > 16 && (s[n-5] == '+' || s[n-5] == '-') && allDigits(s[n-4:]) && s[n-6] >= '0' && s[n-6] <= '9' {
		s = s[:n-2] + ":" + s[n-2:] // +0000: an offset without its colon
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, ""
		}
	}
	for _, layout := range []string{localLayout, "2006-01-02T15:04"} {
		if wall, err := time.Parse(layout, s); err == nil {
			return localTime(v, wall, loc)
		}
	}
	return time.Time{}, strconv.Quote(v) + " is not RFC 3339, a date-time, RFC 1123 or Unix seconds/milliseconds (other layouts: --time-format)"
}

const localLayout = "2006-01-02T15:04:05.999999999"

// zoneWord is the error of a time parsed with a zone abbreviation (a MST
// layout) that time.Parse could not place: it reads an unknown one (PST,
// BRT) as UTC, which would move the time silently. "" for UTC, GMT, UT.
func zoneWord(v string, t time.Time) string {
	name, off := t.Zone()
	if off != 0 || name == "UTC" || name == "GMT" || name == "UT" || name == "Z" {
		return ""
	}
	return strconv.Quote(v) + ": the zone " + strconv.Quote(name) + " has no offset wacost can know; write the offset (+0000)"
}

// localTime is the instant at which loc's clocks show wall (read as UTC
// from v). A time the clocks skip (a gap where they go forward) is an
// error naming the zone; a time they show twice (where they go back) is
// the earlier of the two instants.
func localTime(v string, wall time.Time, loc *time.Location) (time.Time, string) {
	if loc == time.UTC {
		return wall, ""
	}
	t, _ := time.ParseInLocation(localLayout, wall.Format(localLayout), loc)
	var first time.Time
	for _, probe := range []time.Duration{-12 * time.Hour, 0, 12 * time.Hour} {
		_, off := t.Add(probe).Zone()
		c := wall.Add(-time.Duration(off) * time.Second)
		if sameWall(c.In(loc), wall) && (first.IsZero() || c.Before(first)) {
			first = c
		}
	}
	if first.IsZero() {
		return time.Time{}, strconv.Quote(v) + " does not exist in " + loc.String() + ": the clocks skip it (a change to summer time)"
	}
	return first.In(loc), ""
}

// sameWall says whether t shows the wall clock w (read as UTC).
func sameWall(t, w time.Time) bool {
	y, mo, d := t.Date()
	wy, wmo, wd := w.Date()
	return y == wy && mo == wmo && d == wd && t.Hour() == w.Hour() && t.Minute() == w.Minute() && t.Second() == w.Second() && t.Nanosecond() == w.Nanosecond()
}

// fastUTC reads the commonest shape, 2006-01-02T15:04:05Z, without the
// general parser; anything else (or any impossible date) returns false.
func fastUTC(v string) (time.Time, bool) {
	if !utcShape(v) {
		return time.Time{}, false
	}
	y, mo, d := digits(v, 0, 4), digits(v, 5, 7), digits(v, 8, 10)
	sec, ok := clock(v)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || !ok {
		return time.Time{}, false
	}
	if d > daysIn(time.Month(mo), y) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, 0, 0, sec, 0, time.UTC), true
}

// utcShape reports whether v is shaped 2006-01-02T15:04:05Z.
func utcShape(v string) bool {
	return len(v) == 20 && v[4] == '-' && v[7] == '-' && v[10] == 'T' && v[13] == ':' && v[16] == ':' && v[19] == 'Z'
}

// clock reads the 15:04:05 of a utcShape timestamp as seconds into its day.
func clock(v string) (int, bool) {
	h, mi, se := digits(v, 11, 13), digits(v, 14, 16), digits(v, 17, 19)
	if h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return 0, false
	}
	return h*3600 + mi*60 + se, true
}

// digits reads v[i:j] as a decimal number, -1 if it is not one.
func digits(v string, i, j int) int {
	x := 0
	for ; i < j; i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return -1
		}
		x = x*10 + int(c-'0')
	}
	return x
}

func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func setTimestamp(m *Message, v string, o *Options) string {
	t, msg := o.parseTime(v)
	if msg == "" {
		// WhatsApp Business began in 2018; a year far off is a broken
		// export (a zero time, a wrong unit), and the window engine keeps
		// instants as int64 nanoseconds.
		if y := t.Year(); y < MinYear || y > MaxYear {
			return strconv.Quote(v) + " is in " + strconv.Itoa(y) + ", outside the years " + strconv.Itoa(MinYear) + " to " + strconv.Itoa(MaxYear)
		}
	}
	m.Time = t
	return msg
}

// The years a message's timestamp may fall in.
const (
	MinYear = 2000
	MaxYear = 2199
)

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeNumber strips "+", spaces, dashes, dots and parentheses from a
// phone number and checks that 6 to 15 digits remain (E.164 allows 15). A
// leading 00 is the international prefix, as "+" is; a "whatsapp:" or
// "tel:" prefix (as Twilio and links write numbers) is dropped. A number
// written as a decimal (919876543210.0, as a spreadsheet or a JSON float
// writes it) or with a sign is refused: its digits would name another
// customer.
func NormalizeNumber(v string) (string, string) {
	d, _, msg := normalize(v)
	return d, msg
}

// normalize is NormalizeNumber, saying too whether the number was written
// as international (with + or 00).
func normalize(v string) (digits string, explicit bool, msg string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", false, "missing"
	}
	if allDigits(v) && len(v) >= 6 && len(v) <= 15 && !strings.HasPrefix(v, "00") {
		return v, false, ""
	}
	w := v
	for _, scheme := range []string{"whatsapp:", "tel:"} {
		if len(w) > len(scheme) && strings.EqualFold(w[:len(scheme)], scheme) {
			w = strings.TrimSpace(w[len(scheme):])
		}
	}
	if w == "" {
		return "", false, strconv.Quote(v) + " is not a phone number"
	}
	if w[0] == '-' {
		return "", false, strconv.Quote(v) + " is not a phone number: it has a sign"
	}
	if i := strings.LastIndexByte(w, '.'); i > 0 && allDigits(w[:i]) && allDigits(w[i+1:]) && strings.Trim(w[i+1:], "0") == "" {
		return "", false, strconv.Quote(v) + " is a phone number written as a decimal number: write it without the decimals"
	}
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '+' && i == 0, c == ' ', c == '-', c == '.', c == '(', c == ')':
		default:
			return "", false, strconv.Quote(v) + " is not a phone number (digits, optional +, spaces and dashes)"
		}
	}
	d := b.String()
	explicit = w[0] == '+'
	if strings.HasPrefix(d, "00") && w[0] != '+' { // 00: the international prefix
		d, explicit = d[2:], true
	}
	if strings.HasPrefix(d, "00") { // no country code starts with 0: 00 after + or 00 is no number
		return "", false, strconv.Quote(v) + " is not a phone number: 00 where its country code should be"
	}
	if explicit && strings.HasPrefix(d, "0") {
		return "", false, strconv.Quote(v) + " is not a phone number: no calling code starts with 0"
	}
	if len(d) < 6 || len(d) > 15 {
		return "", false, strconv.Quote(v) + " has " + strconv.Itoa(len(d)) + " digits; a number with its country code has 6 to 15"
	}
	return d, explicit, ""
}

// setCustomer reads the customer's number. One written without + or 00
// is read as the --default-country writes numbers (Options.DefaultCountry)
// if one is given, else it must look international (international).
func setCustomer(m *Message, v string, o *Options) string {
	if id, ok := strings.CutPrefix(strings.TrimSpace(v), IDPrefix); ok {
		// A customer known by an id, not a number (a BSUID, a group):
		// its market comes from the country column.
		if msg := textProblem(id); msg != "" {
			return msg
		}
		if id = unguard(strings.TrimSpace(id)); id == "" {
			return strconv.Quote(v) + " names no id after " + IDPrefix
		}
		m.Customer = id
		m.CustomerKey, _ = NumberKey(id)
		return ""
	}
	d, explicit, msg := normalize(v)
	if msg == "" && !explicit {
		if dc := o.dialing; dc != nil {
			var ok bool
			if d, ok = dc.withCountry(d); !ok {
				msg = strconv.Quote(v) + " is neither a number of " + dc.country + " nor one with its calling code"
			}
		} else if ok, why := international(d); !ok {
			d, msg = "", nationalError(v, why)
		}
	}
	if msg != "" {
		return msg
	}
	m.Customer = d
	m.CustomerKey, _ = NumberKey(d)
	return ""
}

func setBusiness(m *Message, v string, _ *Options) string {
	if msg := textProblem(v); msg != "" {
		return msg
	}
	v = unguard(strings.TrimSpace(v))
	if v == "" {
		m.Business = DefaultBusiness
		return ""
	}
	if d, msg := NormalizeNumber(v); msg == "" {
		m.Business = d
	} else {
		m.Business = v // a phone-number id or a name
	}
	return ""
}

func setDirection(m *Message, v string, _ *Options) string {
	switch v { // the usual spellings, before trimming and lower-casing
	case "in":
		m.Direction = Inbound
		return ""
	case "out":
		m.Direction = Outbound
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "in", "inbound":
		m.Direction = Inbound
	case "out", "outbound":
		m.Direction = Outbound
	case "":
		return "missing"
	default:
		return strconv.Quote(v) + " is not in, out, inbound or outbound"
	}
	return ""
}

func setType(m *Message, v string, _ *Options) string {
	switch v { // the usual spellings, before trimming and lower-casing
	case "text":
		m.Type, m.Template = v, false
		return ""
	case "template":
		m.Type, m.Template = v, true
		return ""
	}
	t := strings.ToLower(strings.TrimSpace(v))
	switch t {
	case "":
		t = "text"
	case "hsm": // the pre-2022 name of templates
		t = "template"
	}
	if !messageTypes[t] {
		return strconv.Quote(v) + " is not a message type (template, text, image, audio, video, document, sticker, location, contacts, interactive, button, reaction, order, system, ...)"
	}
	m.Type, m.Template = t, t == "template"
	return ""
}

// messageTypes are the types of the Cloud API's messages (its webhooks'
// messages[].type and the send API's type), and template. A type outside
// them is a typing error (tempalte) that would otherwise be priced as a
// free-form message.
var messageTypes = map[string]bool{
	"template": true, "text": true, "image": true, "audio": true, "video": true, "document": true,
	"sticker": true, "location": true, "contacts": true, "interactive": true, "button": true,
	"reaction": true, "order": true, "system": true, "unsupported": true, "unknown": true,
	"request_welcome": true,
}

func setCountry(m *Message, v string, _ *Options) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if len(v) != 2 || !isLetter(v[0]) || !isLetter(v[1]) {
		return strconv.Quote(v) + " is not an ISO 3166 alpha-2 code"
	}
	u := strings.ToUpper(v)
	if !countryCodes[int(u[0]-'A')*26+int(u[1]-'A')] {
		return strconv.Quote(v) + " is not the ISO 3166 code of a country"
	}
	m.Country = u
	return ""
}

// countryCodes marks the two-letter codes of countries (ISO 3166-1
// alpha-2, as golang.org/x/text knows them), by (first-'A')*26+second-'A':
// ZZ, XX or EU is no country, so no market can be found for it.
var countryCodes = func() (ok [26 * 26]bool) {
	for i := range ok {
		r, err := language.ParseRegion(string([]byte{'A' + byte(i/26), 'A' + byte(i%26)}))
		ok[i] = err == nil && r.IsCountry()
	}
	return ok
}()

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func setEntryPoint(m *Message, v string, _ *Options) string {
	if v == "" {
		m.EntryPoint = window.EntryNone
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "none":
		m.EntryPoint = window.EntryNone
	case "ad", "ctwa":
		m.EntryPoint = window.EntryAd
	case "page":
		m.EntryPoint = window.EntryPage
	default:
		return strconv.Quote(v) + " is not ad or page"
	}
	return ""
}

var statuses = map[string]bool{"": true, "accepted": true, "sent": true, "delivered": true, "read": true, "played": true, "failed": true}

func setStatus(m *Message, v string, _ *Options) string {
	switch v { // the usual spellings, before trimming and lower-casing
	case "", "delivered", "read", "sent":
		m.Status, m.Failed = v, false
		return ""
	}
	s := strings.ToLower(strings.TrimSpace(v))
	if !statuses[s] {
		return strconv.Quote(v) + " is not accepted, sent, delivered, read, played or failed"
	}
	m.Status, m.Failed = s, s == "failed"
	return ""
}

// finish checks what needs several fields, once a row is read, and
// vouches for the message's category and country (Message.Facts).
func finish(m *Message) (field, msg string) {
	if field, msg = check(m); msg == "" {
		m.vouch()
	}
	return field, msg
}

// check is finish but for vouching.
func check(m *Message) (field, msg string) {
	if m.Business == "" {
		m.Business = DefaultBusiness
	}
	if m.Type == "" {
		m.Type = "text"
	}
	if m.Direction == Inbound {
		if m.Echo {
			return ColEcho, "a customer's message is not an echo of the Business app"
		}
		m.Inferred = false
		if m.Tokens != 0 {
			return ColTokens, "a customer's message has no Business Agent tokens"
		}
		m.Category, m.Status, m.Failed, m.Sender, m.Agent = "", "", false, "", ""
		return "", ""
	}
	m.EntryPoint = window.EntryNone
	if m.Template && m.Tokens != 0 {
		return ColTokens, "a template is not a Business Agent message (tokens belong to free-form replies)"
	}
	if !m.Template {
		m.Category = ""
		return "", ""
	}
	c := m.Category
	switch c { // the usual spellings, before trimming and lower-casing
	case "marketing", "utility", "authentication":
		return "", ""
	}
	c = strings.ToLower(strings.TrimSpace(c))
	switch c {
	case "", "marketing", "utility", "authentication":
	case "authentication_international", "authentication-international":
		c = "authentication"
	default:
		return ColCategory, strconv.Quote(m.Category) + " is not marketing, utility or authentication"
	}
	m.Category = c
	return "", ""
}

// setUsual sets column k from b if b is one of its usual spellings (what
// its setter would read the same way), and reports whether it did.
func setUsual(o *Options, k int, b []byte, m *Message, v *values) bool {
	if o.valueAt[k] != nil {
		return false // a value map may read a usual spelling otherwise
	}
	switch k {
	case colTimestamp:
		if t, ok := v.sameDay(unsafe.String(unsafe.SliceData(b), len(b))); ok {
			m.Time = t
			return true
		}
	case colBusiness:
		if biz, ok := v.business(unsafe.String(unsafe.SliceData(b), len(b))); ok {
			m.Business = biz
			return true
		}
	case colCustomer:
		// 6 to 15 digits read as international, with no default country to
		// read them by (a 0 first is a trunk prefix, or 00 the
		// international one: the setter decides).
		if key, ok := numberKey(b); ok && len(b) >= 6 && b[0] != '0' && o.dialing == nil {
			if ok, _ := international(b); ok {
				m.Customer, m.CustomerKey = v.ids.Str(b), key
				return true
			}
		}
	case colID:
		if plainText(b) && (len(b) == 0 || b[0] != '\'') { // (a ' may guard a formula: the setter reads it)
			m.ID = v.ids.Str(b)
			return true
		}
	case colDirection:
		switch string(b) {
		case "in":
			m.Direction = Inbound
			return true
		case "out":
			m.Direction = Outbound
			return true
		}
	case colType:
		switch string(b) {
		case "text":
			m.Type, m.Template = "text", false
			return true
		case "template":
			m.Type, m.Template = "template", true
			return true
		case "image", "interactive", "video", "audio", "document", "sticker", "location", "contacts", "reaction", "button":
			m.Type, m.Template = v.str(colType, b), false
			return true
		}
	case colCategory:
		switch string(b) {
		case "":
			m.Category = ""
			return true
		case "marketing":
			m.Category = "marketing"
			return true
		case "utility":
			m.Category = "utility"
			return true
		case "authentication":
			m.Category = "authentication"
			return true
		}
	case colStatus:
		switch string(b) {
		case "":
			m.Status, m.Failed = "", false
			return true
		case "delivered":
			m.Status, m.Failed = "delivered", false
			return true
		case "read":
			m.Status, m.Failed = "read", false
			return true
		case "sent":
			m.Status, m.Failed = "sent", false
			return true
		case "failed":
			m.Status, m.Failed = "failed", true
			return true
		}
	case colEntryPoint:
		switch string(b) {
		case "":
			m.EntryPoint = window.EntryNone
			return true
		case "page":
			m.EntryPoint = window.EntryPage
			return true
		case "ad":
			m.EntryPoint = window.EntryAd
			return true
		}
	}
	return false
}

// plainEnd reports whether c, at an end of a value, is one that
// strings.TrimSpace keeps: a printable ASCII byte other than a space.
func plainEnd(c byte) bool { return c > ' ' && c < 0x7f }
