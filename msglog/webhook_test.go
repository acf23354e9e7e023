package msglog

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// webhookOwn is the traffic of testdata/webhooks.ndjson in wacost's CSV:
// what the webhook reader must make of it (echo1, sent from the Business
// app, is marked Echo by webhookWant).
const webhookOwn = `timestamp,customer,country,business,direction,type,category,status,entry_point,id
2026-10-05T08:00:00Z,919876543210,,106540352242922,in,image,,,,wamid.in2
2026-10-05T13:00:00Z,5511987654321,,106540352242922,in,text,,,ad,wamid.in1
2026-10-05T13:20:00Z,5511987654321,,106540352242922,out,text,,delivered,,wamid.out1
2026-10-06T09:30:00Z,919876543210,,106540352242922,out,template,utility,delivered,,wamid.out2
2026-10-06T12:00:00Z,919876543210,,106540352242922,out,text,,delivered,,wamid.echo1
2026-10-07T10:00:02Z,447700900123,,106540352242922,out,text,,failed,,wamid.out3
2026-10-08T16:00:00Z,BSUID,MX,106540352242922,in,text,,,,wamid.in3
2026-10-08T16:10:00Z,BSUID,MX,106540352242922,out,text,,delivered,,wamid.out4
2026-10-09T11:00:00Z,5511987654321,,106540352242922,out,template,authentication,delivered,,wamid.out5
`

// sameMessages fails t unless got are want in every field a replay reads.
func sameMessages(t *testing.T, name string, got, want []Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d messages, want %d", name, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Customer != w.Customer || g.Country != w.Country || g.Business != w.Business || g.Direction != w.Direction ||
			g.Type != w.Type || g.Template != w.Template || g.Category != w.Category || g.Status != w.Status || g.Failed != w.Failed || g.EntryPoint != w.EntryPoint || g.ID != w.ID || g.Echo != w.Echo {
			t.Errorf("%s message %d:\n got  %+v\n want %+v", name, i+1, g, w)
		}
	}
}

func webhookWant(t *testing.T) []Message {
	own := strings.ReplaceAll(webhookOwn, "BSUID", "5215512345678")
	want, errs := readAll(t, own, Options{Name: "own.csv"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i := range want {
		if want[i].Customer == "5215512345678" {
			want[i].Customer = "user.93737AbcDef0123"
		}
		want[i].Echo = want[i].ID == "wamid.echo1"
	}
	return want
}

// The webhook sample (statuses out of order, read without delivered, a
// duplicate, a batched body, a BSUID-only user, CRLF lines) reads to the
// messages of the same traffic in wacost's CSV, as NDJSON, as a JSON
// array of bodies and gzipped; Meta's label is kept, and what was
// inferred from it is marked.
func TestWebhookSample(t *testing.T) {
	nd, err := os.ReadFile("../testdata/webhooks.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	want := webhookWant(t)
	var bodies []json.RawMessage
	for _, l := range strings.Split(strings.TrimSpace(string(nd)), "\n") {
		bodies = append(bodies, json.RawMessage(strings.TrimSpace(l)))
	}
	array, _ := json.MarshalIndent(bodies, "", "  ")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(nd)
	zw.Close()
	for name, in := range map[string]string{"webhooks.ndjson": string(nd), "bodies.json": string(array), "webhooks.ndjson.gz": gz.String()} {
		got, errs := readAll(t, in, Options{Name: name})
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		sameMessages(t, name, got, want)
		byID := map[string]Message{}
		for _, m := range got {
			byID[m.ID] = m
		}
		if m := byID["wamid.out1"]; m.Label != "PMP free_entry_point service" || !m.Inferred {
			t.Errorf("%s: out1 label %q inferred %v", name, m.Label, m.Inferred)
		}
		if m := byID["wamid.in1"]; m.Inferred || m.Label != "" {
			t.Errorf("%s: an inbound message is not inferred", name)
		}
	}
}

// A send log says the type, category and template; a category update
// moves a template's category from its time on; an identity map joins a
// BSUID to its number; a BSUID with no country is a bad row.
func TestWebhookSendsAndIdentities(t *testing.T) {
	nd, _ := os.ReadFile("../testdata/webhooks.ndjson")
	sends, err := ReadSends(strings.NewReader("id,type,category,template\nwamid.out2,template,utility,order_update\nwamid.out3,template,marketing,weekend_sale\nwamid.out6,template,utility,order_update\n"), "sends.csv")
	if err != nil {
		t.Fatal(err)
	}
	late := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.out6","status":"delivered","timestamp":"1791540000","recipient_id":"919876543210","pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"marketing"}}]}}]}]}` + "\n"
	ids := map[string]string{"user.93737AbcDef0123": "5215512345678"}
	got, errs := readAll(t, string(nd)+late, Options{Name: "w.ndjson", Sends: sends, Identities: ids})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	byID := map[string]Message{}
	for _, m := range got {
		byID[m.ID] = m
	}
	if m := byID["wamid.out2"]; m.Category != "utility" || m.TemplateName != "order_update" || m.Inferred {
		t.Errorf("out2, sent before order_update became marketing: %+v", m)
	}
	if m := byID["wamid.out6"]; m.Category != "marketing" {
		t.Errorf("out6, sent after order_update became marketing: %+v", m)
	}
	if m := byID["wamid.out3"]; !m.Template || m.Category != "marketing" || !m.Failed {
		t.Errorf("out3 from the send log: %+v", m)
	}
	if m := byID["wamid.out4"]; m.Customer != "5215512345678" || m.Country != "" {
		t.Errorf("a BSUID joined to its number: %+v", m)
	}
	noCountry := `{"entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"from":"","from_user_id":"user.X","id":"wamid.z","timestamp":"1791540000","type":"text"}]}}]}]}` + "\n"
	if _, errs := readAll(t, noCountry, Options{Name: "b.ndjson"}); len(errs) != 1 || !strings.Contains(errs[0], `b.ndjson:1: customer: BSUID "user.X" has no phone number and no country_code`) {
		t.Errorf("a BSUID without a country: %v", errs)
	}
	for in, want := range map[string]string{
		"id,type\nw1,tempalte\n":                "sends.csv:2: type:",
		"id,type,category\nw1,template,promo\n": "sends.csv:2: category:",
		"type\ntext\n":                          "no id column",
		"id\nw1\nw1\n":                          `"w1" is listed twice`,
	} {
		if _, err := ReadSends(strings.NewReader(in), "sends.csv"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("send log %q: %v, want %s", in, err, want)
		}
	}
}

// Bad bodies and statuses are bad rows with their lines; the others are read.
func TestWebhookBadRows(t *testing.T) {
	good := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"from":"5511987654321","id":"wamid.a","timestamp":"1791540000","type":"text"}]}}]}]}`
	in := good + "\n" +
		`{"object":"page","entry":[]}` + "\n" +
		`[1,2]` + "\n" +
		`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.b","status":"sent","timestamp":"soon","recipient_id":"5511987654321"}]}}]}]}` + "\n" +
		`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.c","status":"lost","timestamp":"1791540000","recipient_id":"5511987654321"}]}}]}]}` + "\n" +
		`{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"07700900123","id":"wamid.d","timestamp":"1791540000","type":"text"}]}}]}]}` + "\n"
	ms, errs := readAll(t, in, Options{Name: "w.ndjson"})
	want := []string{`w.ndjson:2: object: "page"`, `w.ndjson:3: not a webhook body`, `w.ndjson:3: not a webhook body`, `w.ndjson:4: timestamp: "soon"`, `w.ndjson:5: status: "lost"`, `w.ndjson:6: customer:`}
	if len(errs) != len(want) {
		t.Fatalf("%d messages, errors %v", len(ms), errs)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d: %s, want %s", i, errs[i], w)
		}
	}
}

func FuzzWebhook(f *testing.F) {
	nd, _ := os.ReadFile("../testdata/webhooks.ndjson")
	f.Add(string(nd))
	f.Add(`[{"entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"w","status":"read","timestamp":1,"recipient_id":"","recipient_user_id":"user.1"}],"contacts":[{"user_id":"user.1","profile":{"country_code":"ZZ"}}]}}]}]}]`)
	f.Add(`{"entry":[{"changes":[{"value":{"messages":[{"from":"5511987654321","group_id":"G","id":"g","timestamp":"1788256800","type":"text"},{"from":"5511987654321","id":"s","timestamp":"1788256900","type":"system","system":{"type":"user_changed_number","new_wa_id":"5511912345678"}}],"statuses":[{"id":"m","status":"delivered","timestamp":"1788256850","recipient_id":"G","recipient_type":"group","recipient_participant_id":"919876543210"}]}}]}]}`)
	countryOf := func(d string) string {
		if strings.HasPrefix(d, "55") {
			return "BR"
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, in string) {
		readsAccepted(t, in, Options{Name: "f", Format: FormatMetaWebhook, CountryOf: countryOf}, func(m *Message) {
			if strings.HasPrefix(m.Customer, "user.") || strings.HasPrefix(m.Customer, "group:") {
				if m.Country == "" {
					t.Fatalf("a BSUID or group customer without a country: %+v", m)
				}
				m.Customer = "5511987654321" // the rest of the message is checked as any
			}
		})
	})
}

// A send log or identity map that encoding/csv cannot read is an error
// naming its line, not a crash (csv.Reader.FieldPos panics after one).
func TestSideFilesWithBadQuotes(t *testing.T) {
	if _, err := ReadSends(strings.NewReader("id,type\nw1,text\n\"w2\"x,text\n"), "s.csv"); err == nil || !strings.HasPrefix(err.Error(), "s.csv:3: ") {
		t.Errorf("send log: %v", err)
	}
	if _, err := ReadIdentities(strings.NewReader("user.1,5511987654321\n\"user.2\"x,5511987654322\n"), "i.csv"); err == nil || !strings.HasPrefix(err.Error(), "i.csv:2: ") {
		t.Errorf("identity map: %v", err)
	}
}

// Identity changes chain (A became B, B became C: A's and B's messages are
// C's), a number given to someone else after its owner left it stays that
// someone's, and a BSUID change carries the country its contact gave.
func TestWebhookMovesChain(t *testing.T) {
	body := func(value string) string {
		return `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9"},` + value + `}}]}]}` + "\n"
	}
	in := func(from, id, ts string) string {
		return body(`"messages":[{"from":"` + from + `","id":"` + id + `","timestamp":"` + ts + `","type":"text"}]`)
	}
	change := func(from, to, ts string) string {
		return body(`"messages":[{"from":"` + from + `","id":"s","timestamp":"` + ts + `","type":"system","system":{"type":"user_changed_number","new_wa_id":"` + to + `"}}]`)
	}
	log := in("5511900000001", "a1", "1788256100") + change("5511900000001", "5511900000002", "1788256200") +
		in("5511900000002", "b1", "1788256300") + change("5511900000002", "5511900000003", "1788256400") +
		in("5511900000001", "x1", "1788256500") + // the old number, someone else's now
		body(`"contacts":[{"user_id":"user.A","profile":{"country_code":"IN"}}],"messages":[{"from":"","from_user_id":"user.A","id":"u1","timestamp":"1788256600","type":"text"}]`) +
		body(`"messages":[{"from":"","from_user_id":"user.A","id":"s","timestamp":"1788256700","type":"system","system":{"type":"user_changed_user_id","new_user_id":"user.B"}}]`) +
		body(`"messages":[{"from":"","from_user_id":"user.A","id":"s","timestamp":"1788256701","type":"system","system":{"type":"user_identity_changed"}}]`)
	ms, errs := readAll(t, log, Options{Name: "m.ndjson", CountryOf: func(d string) string { return map[string]string{"55": "BR"}[d[:2]] }})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := map[string]string{}
	for _, m := range ms {
		got[m.ID] = m.Customer + " " + m.Country
	}
	want := map[string]string{"a1": "5511900000003 ", "b1": "5511900000003 ", "x1": "5511900000001 ", "u1": "user.B IN"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("customers %v, want %v", got, want)
	}
}
