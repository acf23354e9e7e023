package msglog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// FormatTwilio is Twilio's message logs: the Console's CSV export, and
// the Message resource as JSON (an API page {"messages": [...]}, or one
// message a line as BulkExport writes them, gzipped or not).
const FormatTwilio Format = "twilio"

func init() {
	register(&inputFormat{name: FormatTwilio, sniff: isTwilio,
		open: func(br *bufio.Reader, o Options) (Reader, error) { return newTwilioReader(br, o) }})
}

// twilioCSVHeader is the Console export's header (Messaging logs).
var twilioCSVHeader = []string{"From", "To", "Body", "Status", "SentDate", "ApiVersion", "NumSegments", "ErrorCode", "AccountSid", "Sid", "Direction", "Price", "PriceUnit"}

// isTwilio tells a Twilio log from its first bytes: the Console's header,
// or JSON with a Message resource's account_sid and direction.
func isTwilio(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return bytes.Contains(head, []byte(`"account_sid"`)) && bytes.Contains(head, []byte(`"direction"`)) && bytes.Contains(head, []byte(`"sid"`))
	}
	line, _, _ := bytes.Cut(t, []byte("\n"))
	line = bytes.TrimSpace(line)
	for _, col := range []string{"From", "To", "Status", "SentDate", "Sid", "Direction"} {
		if !bytes.Contains(line, []byte(col)) {
			return false
		}
	}
	return true
}

// twilioReader reads either shape of a Twilio log into messages: the
// customer is From on inbound rows and To on the others, the business
// the other side; whatsapp: prefixes are dropped.
type twilioReader struct {
	o Options
	// CSV
	cr   *csv.Reader
	cols map[string]int
	// JSON
	dec    *json.Decoder
	li     *lineIndex
	page   []json.RawMessage // the messages of an array or API page not read yet
	pageAt []int             // their lines
	isJSON bool
}

func newTwilioReader(br *bufio.Reader, o Options) (*twilioReader, error) {
	first, err := firstByte(br)
	if err != nil {
		return nil, err
	}
	r := &twilioReader{o: o}
	if first == '{' || first == '[' {
		r.isJSON = true
		r.li = &lineIndex{r: br}
		r.dec = json.NewDecoder(r.li)
		r.dec.UseNumber()
		return r, nil
	}
	r.cr = csv.NewReader(br)
	r.cr.FieldsPerRecord = -1
	r.cr.LazyQuotes = true
	header, err := r.cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", o.Name, err)
	}
	r.cols = headerIndex(header)
	for _, need := range []string{"from", "to", "status", "sentdate", "direction"} {
		if _, ok := r.cols[need]; !ok {
			return nil, fmt.Errorf("%s:1: header: no %q column (a Twilio Console export has %s)", o.Name, need, strings.Join(twilioCSVHeader, ","))
		}
	}
	return r, nil
}

func (r *twilioReader) Read(m *Message) error {
	if r.isJSON {
		return r.readJSON(m)
	}
	rec, line, err := nextRecord(r.cr)
	if err == io.EOF {
		return io.EOF
	} else if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &RowError{File: r.o.Name, Line: line, Msg: pe.Err.Error()}
		}
		return fmt.Errorf("%s: %w", r.o.Name, err)
	}
	get := func(name string) string { return cell(rec, r.cols, name) }
	return r.build(line, twilioRow{from: get("from"), to: get("to"), status: get("status"), sent: get("sentdate"),
		direction: get("direction"), sid: get("sid"), errorCode: get("errorcode"), price: get("price"), unit: get("priceunit")}, m)
}

// twilioRow is one message of either shape.
type twilioRow struct {
	from, to, status, sent, direction, sid, errorCode string
	price, unit                                       string // Twilio's charge (negative) and its currency
}

// twilioStatuses maps Twilio's statuses to wacost's: a message Twilio
// could not hand over (undelivered, failed, canceled) is failed, and Meta
// bills no failed message.
var twilioStatuses = map[string]string{
	"received": "", "receiving": "", "accepted": "accepted", "scheduled": "accepted", "queued": "accepted",
	"sending": "sent", "sent": "sent", "delivered": "delivered", "read": "read",
	"undelivered": "failed", "failed": "failed", "canceled": "failed",
}

func (r *twilioReader) build(line int, t twilioRow, m *Message) error {
	var vals [numColumns]string
	var has [numColumns]bool
	set := func(k int, v string) { vals[k], has[k] = v, true }
	dir := strings.ToLower(t.direction)
	customer, business := t.to, t.from
	switch {
	case dir == "inbound":
		customer, business = t.from, t.to
		set(colDirection, "in")
	case strings.HasPrefix(dir, "outbound"): // outbound-api, outbound-reply, outbound-call
		set(colDirection, "out")
	case dir == "":
		return &RowError{File: r.o.Name, Line: line, Field: "direction", Msg: "missing"}
	default:
		return &RowError{File: r.o.Name, Line: line, Field: "direction", Msg: strconv.Quote(t.direction) + " is not inbound, outbound-api, outbound-reply or outbound-call"}
	}
	if !strings.HasPrefix(strings.ToLower(customer), "whatsapp:") {
		return &RowError{File: r.o.Name, Line: line, Field: "customer", Msg: strconv.Quote(customer) + " is not a whatsapp: address (an SMS or another channel)"}
	}
	set(colCustomer, customer)
	set(colBusiness, business)
	status, ok := twilioStatuses[strings.ToLower(t.status)]
	if !ok {
		return &RowError{File: r.o.Name, Line: line, Field: "status", Msg: strconv.Quote(t.status) + " is not a Twilio message status"}
	}
	set(colStatus, status)
	set(colTimestamp, t.sent)
	set(colID, t.sid)
	if s, ok := r.o.Sends[t.sid]; ok && has[colDirection] && vals[colDirection] == "out" { // what the export does not say
		set(colType, s.Type)
		set(colCategory, s.Category)
		set(colTemplate, s.Template)
	}
	if err := buildInto(&r.o, line, &vals, &has, m, nil); err != nil {
		return err
	}
	if m.Failed && t.errorCode != "" {
		m.Label = "error " + t.errorCode // Twilio's code of the failure
	}
	return r.setPrice(line, t.price, t.unit, m)
}

// setPrice keeps Twilio's Price (what it charged, written as a negative
// amount) as the provider's figure of m, in its PriceUnit.
func (r *twilioReader) setPrice(line int, price, unit string, m *Message) error {
	price, unit = strings.TrimSpace(price), strings.TrimSpace(unit)
	if price == "" {
		return nil // not priced yet (queued), or free
	}
	c := ProviderCurrencyIndex(unit)
	if c == 0 {
		if unit == "" {
			return &RowError{File: r.o.Name, Line: line, Field: "PriceUnit", Msg: "missing, with a Price of " + strconv.Quote(price)}
		}
		return &RowError{File: r.o.Name, Line: line, Field: "PriceUnit", Msg: strconv.Quote(unit) + " is not a currency wacost knows (" + strings.Join(ProviderCurrencies[1:], ", ") + ")"}
	}
	micros, ok := parseMicros(price)
	if !ok {
		return &RowError{File: r.o.Name, Line: line, Field: "Price", Msg: strconv.Quote(price) + " is not an amount (at most 6 decimals, below 2,147 a message)"}
	}
	m.ProviderPrice, m.ProviderCurrency = int32(-micros), c
	return nil
}

// parseMicros reads a plain decimal ("-0.00500", "0.0085", "1") as
// millionths, within what an int32 holds.
func parseMicros(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 6 || len(whole) > 4 {
		return 0, false
	}
	var v int64
	for _, part := range []string{whole, frac + strings.Repeat("0", 6-len(frac))} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
			v = v*10 + int64(part[i]-'0')
		}
	}
	if v > math.MaxInt32 {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// twilioJSON is the Message resource's fields that wacost reads.
type twilioJSON struct {
	Sid         string      `json:"sid"`
	DateSent    *string     `json:"date_sent"`
	DateCreated *string     `json:"date_created"`
	Direction   string      `json:"direction"`
	From        string      `json:"from"`
	To          string      `json:"to"`
	Status      string      `json:"status"`
	ErrorCode   json.Number `json:"error_code"`
	Price       json.Number `json:"price"`
	PriceUnit   string      `json:"price_unit"`
}

func (r *twilioReader) readJSON(m *Message) error {
	for len(r.page) == 0 {
		var raw json.RawMessage
		if err := r.dec.Decode(&raw); err == io.EOF {
			return io.EOF
		} else if err != nil {
			return fmt.Errorf("%s:%d: JSON syntax: %w", r.o.Name, r.li.lines(), err)
		}
		line := r.li.lineAt(r.dec.InputOffset() - int64(len(raw)))
		key := ""
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '[' {
			var probe struct {
				Messages *[]json.RawMessage `json:"messages"`
			}
			if err := json.Unmarshal(raw, &probe); err != nil || probe.Messages == nil {
				return r.buildJSON(raw, line, m) // one message
			}
			key = "messages" // an API page
		}
		var err error
		if r.page, r.pageAt, err = arrayElements(raw, line, key); err != nil {
			return fmt.Errorf("%s:%d: %w", r.o.Name, line, err)
		}
	}
	raw, line := r.page[0], r.pageAt[0]
	r.page, r.pageAt = r.page[1:], r.pageAt[1:]
	return r.buildJSON(raw, line, m)
}

func (r *twilioReader) buildJSON(raw json.RawMessage, line int, m *Message) error {
	var t twilioJSON
	if err := json.Unmarshal(raw, &t); err != nil {
		return &RowError{File: r.o.Name, Line: line, Msg: notObject(raw, err)}
	}
	sent := ""
	switch {
	case t.DateSent != nil && *t.DateSent != "":
		sent = *t.DateSent
	case t.DateCreated != nil: // not sent yet (queued, failed): when it was made
		sent = *t.DateCreated
	}
	return r.build(line, twilioRow{from: t.From, to: t.To, status: t.Status, sent: sent, direction: t.Direction, sid: t.Sid, errorCode: t.ErrorCode.String(),
		price: t.Price.String(), unit: t.PriceUnit}, m)
}

// arrayElements are the elements of an array in raw (raw itself if key is
// "", else the array at raw's top-level key) with their lines, raw
// starting on line first.
func arrayElements(raw []byte, first int, key string) ([]json.RawMessage, []int, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	if key != "" {
		if _, err := d.Token(); err != nil { // {
			return nil, nil, err
		}
		for {
			k, err := d.Token()
			if err != nil {
				return nil, nil, err
			}
			if k == key {
				break
			}
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				return nil, nil, err
			}
		}
	}
	if t, err := d.Token(); err != nil || t != json.Delim('[') {
		return nil, nil, errors.New("want an array of messages")
	}
	var elems []json.RawMessage
	var lines []int
	for d.More() {
		var e json.RawMessage
		if err := d.Decode(&e); err != nil {
			return nil, nil, err
		}
		end := int(d.InputOffset())
		elems = append(elems, e)
		lines = append(lines, first+bytes.Count(raw[:end-len(e)], []byte("\n")))
	}
	return elems, lines, nil
}
