package msglog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// FormatMetaWebhook is the Cloud API's webhook POST bodies as a business
// stores them: one body a line, a JSON array of bodies, or one body a
// file (a directory of them is one input).
const FormatMetaWebhook Format = "meta-webhook"

func init() {
	register(&inputFormat{name: FormatMetaWebhook, aliases: []string{"webhook", "meta"}, sniff: isWebhook,
		open: func(br *bufio.Reader, o Options) (Reader, error) { return newWebhookReader(br, o) }})
}

// FileMark is the line a directory of webhook bodies is read with before
// each of its files: {"wacost_file": NAME}, so that positions name the
// file and its line.
func FileMark(name string) string {
	b, _ := json.Marshal(map[string]string{"wacost_file": name})
	return string(b) + "\n"
}

// isWebhook tells the webhook bodies of the Cloud API from their first
// bytes.
func isWebhook(head []byte) bool {
	return bytes.Contains(head, []byte(`"whatsapp_business_account"`)) ||
		bytes.Contains(head, []byte(`"wacost_file"`)) ||
		bytes.Contains(head, []byte(`"entry"`)) && bytes.Contains(head, []byte(`"changes"`))
}

// Send is what a send log says of a business message the webhooks do
// not: its type, category and template (--sends).
type Send struct{ Type, Category, Template string }

// ReadSends reads a send log: a CSV with an id column and any of type,
// category and template (wacost's column names, any case).
func ReadSends(r io.Reader, name string) (map[string]Send, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	col := headerIndex(header)
	if _, ok := col[ColID]; !ok {
		return nil, fmt.Errorf("%s:1: header: no id column (a send log has id and any of type, category, template)", name)
	}
	sends := map[string]Send{}
	for {
		rec, line, err := nextRecord(cr)
		if err == io.EOF {
			return sends, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		get := func(c string) string { return cell(rec, col, c) }
		id := get(ColID)
		if id == "" {
			return nil, fmt.Errorf("%s:%d: id: missing", name, line)
		}
		if _, twice := sends[id]; twice {
			return nil, fmt.Errorf("%s:%d: id: %q is listed twice", name, line, id)
		}
		var m Message
		if msg := setType(&m, get(ColType), nil); msg != "" {
			return nil, fmt.Errorf("%s:%d: type: %s", name, line, msg)
		}
		m.Category, m.Direction = get(ColCategory), Outbound
		if f, msg := check(&m); msg != "" {
			return nil, fmt.Errorf("%s:%d: %s: %s", name, line, f, msg)
		}
		sends[id] = Send{Type: m.Type, Category: m.Category, Template: get(ColTemplate)}
	}
}

// ReadIdentities reads an identity map: a CSV of bsuid,number rows that
// joins business-scoped user ids to phone numbers (ID-01).
func ReadIdentities(r io.Reader, name string) (map[string]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	ids := map[string]string{}
	for n := 0; ; n++ {
		rec, line, err := nextRecord(cr)
		if err == io.EOF {
			return ids, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if n == 0 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "bsuid") {
			continue // a header
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("%s:%d: %d fields: want bsuid,number", name, line, len(rec))
		}
		d, msg := NormalizeNumber(rec[1])
		if msg != "" {
			return nil, fmt.Errorf("%s:%d: number: %s", name, line, msg)
		}
		ids[strings.TrimSpace(rec[0])] = d
	}
}

// The webhook bodies' fields that wacost reads.
type (
	whBody struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string  `json:"field"`
				Value whValue `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
		File *string `json:"wacost_file"`
	}
	whValue struct {
		Metadata struct {
			Display string `json:"display_phone_number"`
			PhoneID string `json:"phone_number_id"`
		} `json:"metadata"`
		Contacts []struct {
			WaID    string `json:"wa_id"`
			UserID  string `json:"user_id"`
			Profile struct {
				CountryCode string `json:"country_code"`
			} `json:"profile"`
		} `json:"contacts"`
		Messages []whMessage `json:"messages"`
		Statuses []whStatus  `json:"statuses"`
		Echoes   []whEcho    `json:"message_echoes"`
		// template_category_update
		TemplateName    string  `json:"message_template_name"`
		NewCategory     string  `json:"new_category"`
		CategoryUpdated flexStr `json:"category_update_timestamp"`
	}
	whMessage struct {
		From       string `json:"from"`
		FromUserID string `json:"from_user_id"`
		GroupID    string `json:"group_id"`
		System     *struct {
			Type      string `json:"type"`
			NewWaID   string `json:"new_wa_id"`
			WaID      string `json:"wa_id"` // older payloads: the new number
			NewUserID string `json:"new_user_id"`
			UserID    string `json:"user_id"`
		} `json:"system"`
		ID        string  `json:"id"`
		Timestamp flexStr `json:"timestamp"`
		Type      string  `json:"type"`
		Referral  *struct {
			SourceType string `json:"source_type"`
		} `json:"referral"`
	}
	// whEcho is a message the business sent from the WhatsApp Business
	// app (smb_message_echoes, coexistence).
	whEcho struct {
		From     string  `json:"from"`
		To       string  `json:"to"`
		ToUserID string  `json:"to_user_id"`
		ID       string  `json:"id"`
		Time     flexStr `json:"timestamp"`
		Type     string  `json:"type"`
	}
	whStatus struct {
		ID              string  `json:"id"`
		Status          string  `json:"status"`
		Timestamp       flexStr `json:"timestamp"`
		RecipientID     string  `json:"recipient_id"`
		RecipientUserID string  `json:"recipient_user_id"`
		RecipientType   string  `json:"recipient_type"`
		Participant     string  `json:"recipient_participant_id"`
		Pricing         *struct {
			Billable *bool  `json:"billable"`
			Model    string `json:"pricing_model"`
			Type     string `json:"type"`
			Category string `json:"category"`
		} `json:"pricing"`
		Errors []struct {
			Code int `json:"code"`
		} `json:"errors"`
	}
)

// flexStr is a JSON string or number, as text (webhook timestamps are
// strings, a stored log may have made them numbers).
type flexStr string

func (f *flexStr) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexStr(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexStr(n.String())
	return nil
}

// whOut is a business message as its statuses tell it, merged by id.
type whOut struct {
	id, business, customer, bsuid, country string
	at                                     int64 // the earliest status's Unix time
	atText                                 string
	delivered, failed                      bool
	label                                  string // Meta's pricing label
	pos                                    Pos
	errors                                 []int
}

// webhookReader reads every body of its input, then gives its messages in
// replay order: a message's statuses may come anywhere in a log, so each
// business message is known only once all are read. It holds the log's
// messages in memory (about 300 bytes each).
type webhookReader struct {
	buffered
	o      Options
	outs   map[string]*whOut
	order  []string // outs' keys, in the order first seen
	recats map[string][]recat
	// moves are the identity changes (ID-02) by the identity left;
	// system counts the system messages that moved no one.
	moves  map[string][]move
	system int
	// moved is how many messages of how many customers moved (ID-02).
	moved, movedCustomers int
	// numbers are the businesses' display phone numbers, by phone-number id.
	numbers map[string]string
	// countries are the country codes of the contacts seen, by wa_id
	// and BSUID (a status may come without its contact).
	countries map[string]string
}

// move is a customer's change of identity (ID-02): from a time on, the
// customer is to.
type move struct {
	at int64
	to string
}

// recat is a template's category from a time on (CAT-01).
type recat struct {
	at       int64
	category string
}

func newWebhookReader(br *bufio.Reader, o Options) (*webhookReader, error) {
	r := &webhookReader{o: o, outs: map[string]*whOut{}, recats: map[string][]recat{}, moves: map[string][]move{}, countries: map[string]string{}, numbers: map[string]string{}}
	if err := r.readAll(br); err != nil {
		return nil, err
	}
	r.finish()
	return r, nil
}

// readAll reads the input's bodies: one a line, or JSON arrays of them.
func (r *webhookReader) readAll(br *bufio.Reader) error {
	li := &lineIndex{r: br}
	dec := json.NewDecoder(li)
	file, base := r.o.Name, 0 // the file a line is in, and the line it starts on
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s:%d: JSON syntax: %w", file, li.lines()-base, err)
		}
		line := li.lineAt(dec.InputOffset()-int64(len(raw))) - base
		bodies, lines := []json.RawMessage{raw}, []int{line}
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
			var err error
			if bodies, lines, err = arrayElements(raw, line, ""); err != nil {
				r.errs = append(r.errs, &RowError{File: file, Line: line, Msg: err.Error()})
				continue
			}
		}
		for i, b := range bodies {
			var body whBody
			if err := json.Unmarshal(b, &body); err != nil {
				r.errs = append(r.errs, &RowError{File: file, Line: lines[i], Msg: "not a webhook body: " + notObject(b, err)})
				continue
			}
			if body.File != nil { // a directory's next file
				file, base = *body.File, li.lineAt(dec.InputOffset())
				continue
			}
			r.body(&body, Pos{File: file, Line: lines[i], Seq: int64(r.o.Index)<<40 | int64(len(r.msgs)+len(r.order))})
		}
	}
}

// body takes the messages, statuses and category updates of one body.
func (r *webhookReader) body(b *whBody, pos Pos) {
	if b.Object != "" && b.Object != "whatsapp_business_account" {
		r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "object", Msg: strconv.Quote(b.Object) + " is not whatsapp_business_account"})
		return
	}
	for _, e := range b.Entry {
		for _, c := range e.Changes {
			v := &c.Value
			business := v.Metadata.PhoneID
			if business == "" {
				business = e.ID
			} else if d, msg := NormalizeNumber(plus(v.Metadata.Display)); msg == "" && d != business {
				r.numbers[business] = d
			}
			countries := r.countries
			for _, ct := range v.Contacts {
				for _, k := range []string{ct.WaID, ct.UserID} {
					if k != "" && ct.Profile.CountryCode != "" {
						countries[k] = ct.Profile.CountryCode
					}
				}
			}
			switch c.Field {
			case "template_category_update":
				r.recategorize(v, pos)
			}
			for i := range v.Echoes {
				r.echo(&v.Echoes[i], business, countries, pos)
			}
			for i := range v.Messages {
				r.inbound(&v.Messages[i], business, countries, pos)
			}
			for i := range v.Statuses {
				r.status(&v.Statuses[i], business, countries, pos)
			}
		}
	}
}

func (r *webhookReader) recategorize(v *whValue, pos Pos) {
	t, err := strconv.ParseInt(string(v.CategoryUpdated), 10, 64)
	if v.TemplateName == "" || v.NewCategory == "" || err != nil {
		return // announced ahead, or not a change wacost can place
	}
	r.recats[v.TemplateName] = append(r.recats[v.TemplateName], recat{at: t, category: strings.ToLower(v.NewCategory)})
}

// who is a message's customer: its number, else its BSUID joined to a
// number by the identity map, else the BSUID with its country.
func (r *webhookReader) who(number, bsuid string, countries map[string]string) (customer, id, country string) {
	if number != "" {
		return number, "", ""
	}
	if n, ok := r.o.Identities[bsuid]; ok {
		return n, "", ""
	}
	return "", bsuid, countries[bsuid]
}

func (r *webhookReader) inbound(wm *whMessage, business string, countries map[string]string, pos Pos) {
	if wm.Type == "system" {
		r.systemMessage(wm, countries, pos) // not a message of the customer's
		return
	}
	var vals [numColumns]string
	var has [numColumns]bool
	set := func(k int, v string) { vals[k], has[k] = v, true }
	customer, bsuid, country := r.who(wm.From, wm.FromUserID, countries)
	if wm.GroupID != "" {
		customer, bsuid, country = r.inGroup(wm.GroupID, customer, bsuid, country)
	}
	set(colTimestamp, string(wm.Timestamp))
	set(colCustomer, plus(customer))
	set(colDirection, "in")
	set(colBusiness, business)
	set(colID, wm.ID)
	typ := wm.Type
	if !messageTypes[typ] {
		typ = "unknown" // a type newer than wacost's list: inbound, it prices nothing
	}
	set(colType, typ)
	if country != "" {
		set(colCountry, country)
	}
	if ref := wm.Referral; ref != nil {
		switch ref.SourceType {
		case "ad":
			set(colEntryPoint, "ad")
		case "post":
			set(colEntryPoint, "page")
		}
	}
	var m Message
	if err := r.build(pos, &vals, &has, bsuid, &m); err != nil {
		r.errs = append(r.errs, err)
		return
	}
	r.msgs = append(r.msgs, m)
}

// echo takes a message sent from the Business app: a business message
// that answers the customer but is not priced through the API (Echo).
func (r *webhookReader) echo(we *whEcho, business string, countries map[string]string, pos Pos) {
	var vals [numColumns]string
	var has [numColumns]bool
	set := func(k int, v string) { vals[k], has[k] = v, true }
	customer, bsuid, country := r.who(we.To, we.ToUserID, countries)
	set(colTimestamp, string(we.Time))
	set(colCustomer, plus(customer))
	set(colDirection, "out")
	set(colBusiness, business)
	set(colID, we.ID)
	set(colStatus, "delivered")
	typ := we.Type
	if !messageTypes[typ] || typ == "template" || typ == "hsm" {
		typ = "text" // not priced: its kind matters to nothing
	}
	set(colType, typ)
	if country != "" {
		set(colCountry, country)
	}
	var m Message
	if err := r.build(pos, &vals, &has, bsuid, &m); err != nil {
		r.errs = append(r.errs, err)
		return
	}
	m.Echo = true
	r.msgs = append(r.msgs, m)
}

// systemMessage takes a system message: a change of number or of BSUID
// moves the customer to a new identity (ID-02), with the windows; others
// (a security notice) move no one.
func (r *webhookReader) systemMessage(wm *whMessage, countries map[string]string, pos Pos) {
	sys := wm.System
	if sys == nil {
		r.system++
		return
	}
	var from, to string
	switch sys.Type {
	case "user_changed_number", "customer_changed_number":
		from, to = wm.From, firstOf(sys.NewWaID, sys.WaID)
		if from != "" && to != "" {
			var msg string
			if from, msg = NormalizeNumber(plus(from)); msg != "" {
				r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "from", Msg: msg})
				return
			}
			if to, msg = NormalizeNumber(plus(to)); msg != "" {
				r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "system.new_wa_id", Msg: msg})
				return
			}
		}
	case "user_changed_user_id":
		from, to = wm.FromUserID, firstOf(sys.NewUserID, sys.UserID)
		if n, ok := r.o.Identities[from]; ok {
			from = n
		}
		if msg := textProblem(to); msg != "" {
			r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "system.new_user_id", Msg: msg})
			return
		}
		if n, ok := r.o.Identities[to]; ok {
			to = n
		} else if c := countries[from]; c != "" && countries[to] == "" {
			countries[to] = c // the same person, in the same country
		}
	default:
		r.system++
		return
	}
	if from == "" || to == "" {
		r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "system", Msg: sys.Type + " without the identity left and the new one"})
		return
	}
	t, err := strconv.ParseInt(string(wm.Timestamp), 10, 64)
	if err != nil {
		r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "timestamp", Msg: strconv.Quote(string(wm.Timestamp)) + " is not a Unix time"})
		return
	}
	if from != to {
		r.moves[from] = append(r.moves[from], move{at: t, to: to})
	}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// inGroup is a group member's message as the group's (G-10): one window
// for the whole group, the member's market kept as its country. Without
// a way to tell a number's country (Options.CountryOf), members keep
// windows of their own.
func (r *webhookReader) inGroup(group, customer, bsuid, country string) (string, string, string) {
	if customer != "" {
		if r.o.CountryOf == nil {
			return customer, bsuid, country
		}
		country = r.o.CountryOf(strings.TrimPrefix(customer, "+"))
	}
	if country == "" {
		return customer, bsuid, country
	}
	return "", "group:" + group, country
}

// moveIdentities replays every message of a customer who changed number
// or BSUID (ID-02) under the identity they changed to, so that their
// windows go with them: a message of X sent before X became Y is Y's (and
// of whatever Y became after). Each keeps the market of the identity it
// was sent to.
func (r *webhookReader) moveIdentities() (msgs, customers int) {
	if len(r.moves) == 0 {
		return 0, 0
	}
	for _, list := range r.moves {
		slices.SortStableFunc(list, func(a, b move) int { return int(a.at - b.at) })
	}
	moved := map[string]bool{}
	for i := range r.msgs {
		m := &r.msgs[i]
		id, bound := m.Customer, m.Time.Unix()
		for hop := 0; hop < 64; hop++ {
			k := slices.IndexFunc(r.moves[id], func(mv move) bool { return mv.at > bound })
			if k < 0 {
				break
			}
			mv := r.moves[id][k]
			id, bound = mv.to, mv.at
		}
		if id == m.Customer {
			continue
		}
		moved[m.Customer] = true
		msgs++
		country := m.Country
		if country == "" && r.o.CountryOf != nil {
			if c := r.o.CountryOf(m.Customer); c != "" && (!isDigits(id) || r.o.CountryOf(id) != c) {
				country = c // the market of the number it was sent to
			}
		}
		if country == "" && !isDigits(id) {
			country = r.countries[id]
		}
		m.Customer, m.CustomerKey = id, 0
		if k, ok := NumberKey(id); ok {
			m.CustomerKey = k
		}
		m.SetCountry(country)
	}
	return msgs, len(moved)
}

func isDigits(s string) bool {
	_, ok := NumberKey(s)
	return ok
}

// build is buildInto, for a customer known only by a BSUID (with a
// country for its market) too.
func (r *webhookReader) build(pos Pos, vals *[numColumns]string, has *[numColumns]bool, bsuid string, m *Message) error {
	if bsuid == "" {
		if err := buildInto(&r.o, pos.Line, vals, has, m, nil); err != nil {
			return err
		}
		m.Pos = pos
		return nil
	}
	if !has[colCountry] {
		return &RowError{File: pos.File, Line: pos.Line, Field: "customer", Msg: "BSUID " + strconv.Quote(bsuid) + " has no phone number and no country_code: its market is unknown (join it to a number with --identity-map)"}
	}
	has[colCustomer] = false
	*m = Message{}
	for k := 0; k < numColumns; k++ {
		if has[k] {
			if err := setColumn(&r.o, pos.Line, k, vals[k], m, nil); err != nil {
				return err
			}
		}
	}
	m.Customer, m.Pos = bsuid, pos
	return finishRow(&r.o, pos.Line, m)
}

// status merges one status into its message: the earliest time, whether
// it was delivered or failed, Meta's pricing label. A group message is one
// message a member (G-10).
func (r *webhookReader) status(s *whStatus, business string, countries map[string]string, pos Pos) {
	key := s.ID
	number, bsuid := s.RecipientID, s.RecipientUserID
	group := ""
	if s.RecipientType == "group" {
		key, number, bsuid, group = s.ID+"/"+s.Participant, s.Participant, "", s.RecipientID
	}
	if s.ID == "" {
		r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "id", Msg: "a status without a message id"})
		return
	}
	t, err := strconv.ParseInt(string(s.Timestamp), 10, 64)
	if err != nil {
		r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "timestamp", Msg: strconv.Quote(string(s.Timestamp)) + " is not a Unix time"})
		return
	}
	switch s.Status {
	case "sent", "delivered", "read", "played", "failed":
	default:
		r.errs = append(r.errs, &RowError{File: pos.File, Line: pos.Line, Field: "status", Msg: strconv.Quote(s.Status) + " is not sent, delivered, read, played or failed"})
		return
	}
	o, ok := r.outs[key]
	if !ok {
		customer, bs, country := r.who(number, bsuid, countries)
		if group != "" {
			customer, bs, country = r.inGroup(group, customer, bs, country)
		}
		o = &whOut{id: s.ID, business: business, customer: customer, bsuid: bs, country: country, at: t, atText: string(s.Timestamp), pos: pos}
		r.outs[key] = o
		r.order = append(r.order, key)
	}
	if t < o.at {
		o.at, o.atText = t, string(s.Timestamp)
	}
	if o.country == "" && o.bsuid != "" {
		o.country = countries[o.bsuid]
	}
	switch s.Status {
	case "delivered", "read", "played":
		o.delivered = true
	case "failed":
		o.failed = true
		for _, e := range s.Errors {
			o.errors = append(o.errors, e.Code)
		}
	}
	if p := s.Pricing; p != nil && o.label == "" {
		typ := p.Type
		if typ == "" && p.Billable != nil { // older webhooks: billable alone says it
			typ = map[bool]string{true: "billable", false: "not_billable"}[*p.Billable]
		}
		o.label = strings.Join(strings.Fields(p.Model+" "+typ+" "+strings.ToLower(p.Category)), " ")
	}
}

// plus writes a webhook's number (always with its calling code, never
// with a +) as international.
func plus(number string) string {
	if number == "" || strings.HasPrefix(number, "+") {
		return number
	}
	return "+" + number
}

// BusinessNumbers are the display phone numbers of the log's businesses,
// by the phone-number id that names them.
func (r *webhookReader) BusinessNumbers() map[string]string { return r.numbers }

// Notes says what the log could not tell: which business messages' type
// and category were inferred, and what was not priced.
func (r *webhookReader) Notes() []string {
	var notes []string
	var pmp, cbp, none int
	for i := range r.msgs {
		m := &r.msgs[i]
		if !m.Inferred {
			continue
		}
		switch {
		case strings.HasPrefix(m.Label, "CBP"):
			cbp++
		case m.Label == "", strings.HasPrefix(m.Label, "error "):
			none++
		default:
			pmp++
		}
	}
	if pmp > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d business message(s) have the type and category of Meta's pricing label (a template category: a template of it; service: a free-form message), with no send log (--sends) to say them", r.o.Name, pmp))
	}
	if cbp > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d business message(s) of the conversation era have only their conversation's label: a business-initiated one is taken for a template, others for free-form messages (--sends says them)", r.o.Name, cbp))
	}
	if none > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d business message(s) have no pricing label (failed, or not billed) and no send log entry: taken for free-form messages", r.o.Name, none))
	}
	if r.moved > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d message(s) of %d customer(s) who changed number or BSUID (system user_changed_number, user_changed_user_id) are replayed under the identity they changed to, so their windows go with them (ID-02); each keeps the market of the number it was sent to", r.o.Name, r.moved, r.movedCustomers))
	}
	if r.system > 0 {
		notes = append(notes, fmt.Sprintf("%s: %d system message(s) (identity notices) are not messages of the customer's: read past", r.o.Name, r.system))
	}
	return notes
}

// finish turns the merged statuses into business messages and puts every
// message in replay order.
func (r *webhookReader) finish() {
	for _, list := range r.recats {
		slices.SortStableFunc(list, func(a, b recat) int { return int(a.at - b.at) })
	}
	for _, key := range r.order {
		o := r.outs[key]
		var vals [numColumns]string
		var has [numColumns]bool
		set := func(k int, v string) { vals[k], has[k] = v, true }
		set(colTimestamp, o.atText)
		set(colCustomer, plus(o.customer))
		set(colDirection, "out")
		set(colBusiness, o.business)
		set(colID, o.id)
		switch {
		case o.delivered:
			set(colStatus, "delivered")
		case o.failed:
			set(colStatus, "failed")
		default:
			set(colStatus, "sent")
		}
		if o.country == "" && o.bsuid != "" {
			o.country = r.countries[o.bsuid]
		}
		if o.country != "" {
			set(colCountry, o.country)
		}
		typ, category, template, inferred := r.kind(o)
		set(colType, typ)
		set(colCategory, category)
		set(colTemplate, template)
		var m Message
		if err := r.build(o.pos, &vals, &has, o.bsuid, &m); err != nil {
			r.errs = append(r.errs, err)
			continue
		}
		m.Label, m.Inferred = o.label, inferred
		if m.Label == "" && o.failed && len(o.errors) > 0 { // no label: the failure's codes say why
			codes := make([]string, len(o.errors))
			for i, c := range o.errors {
				codes[i] = strconv.Itoa(c)
			}
			m.Label = "error " + strings.Join(codes, " ")
		}
		r.msgs = append(r.msgs, m)
	}
	r.outs, r.order = nil, nil
	r.moved, r.movedCustomers = r.moveIdentities()
	slices.SortStableFunc(r.msgs, func(a, b Message) int {
		switch {
		case Less(&a, &b):
			return -1
		case Less(&b, &a):
			return 1
		}
		return 0
	})
	slices.SortStableFunc(r.errs, func(a, b error) int {
		var x, y *RowError
		errors.As(a, &x)
		errors.As(b, &y)
		return x.Line - y.Line
	})
}

// kind is a business message's type, category and template: from the
// send log if it has the message, else inferred from Meta's label (a
// template category means a template of that category; service, a
// free-form message; in the conversation era the label is the
// conversation's: a business-initiated one was opened by a template).
func (r *webhookReader) kind(o *whOut) (typ, category, template string, inferred bool) {
	if s, ok := r.o.Sends[o.id]; ok {
		category = s.Category
		if list := r.recats[s.Template]; s.Template != "" && len(list) > 0 {
			for _, rc := range list { // the category in force when it was sent (CAT-01)
				if rc.at <= o.at {
					category = rc.category
				}
			}
		}
		return s.Type, category, s.Template, false
	}
	fields := strings.Fields(o.label)
	cat := ""
	if len(fields) > 0 {
		cat = fields[len(fields)-1]
	}
	switch cat = strings.TrimPrefix(cat, "group_"); cat {
	case "marketing", "marketing_lite":
		return "template", "marketing", "", true
	case "utility":
		return "template", "utility", "", true
	case "authentication", "authentication-international", "authentication_international":
		return "template", "authentication", "", true
	case "business_initiated":
		return "template", "", "", true
	}
	return "text", "", "", true // service, user_initiated, referral_conversion, no label
}
