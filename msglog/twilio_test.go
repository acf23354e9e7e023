package msglog

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The Twilio sample, as the Console's CSV, as an API page and as
// BulkExport's gzipped NDJSON, reads to the same messages as the same
// traffic written in wacost's CSV.
func TestTwilioShapesReadAlike(t *testing.T) {
	own, err := os.ReadFile("../testdata/twilio-export.wacost.csv") // the same traffic in wacost's CSV
	if err != nil {
		t.Fatal(err)
	}
	want, errs := readAll(t, string(own), Options{Name: "own.csv"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	csvIn, err := os.ReadFile("../testdata/twilio-export.csv")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("../testdata/twilio-messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Messages []json.RawMessage }
	json.Unmarshal(page, &doc)
	var nd bytes.Buffer
	zw := gzip.NewWriter(&nd)
	for _, m := range doc.Messages {
		var c bytes.Buffer
		json.Compact(&c, m)
		zw.Write(append(c.Bytes(), '\n'))
	}
	zw.Close()
	for name, in := range map[string]string{"twilio-export.csv": string(csvIn), "twilio-messages.json": string(page), "bulk.json.gz": nd.String()} {
		got, errs := readAll(t, in, Options{Name: name})
		if len(errs) > 0 || len(got) != len(want) {
			t.Fatalf("%s: %d messages, errors %v", name, len(got), errs)
		}
		for i := range want {
			g, w := got[i], want[i]
			if !g.Time.Equal(w.Time) || g.Customer != w.Customer || g.Business != w.Business || g.Direction != w.Direction || g.Status != w.Status || g.ID != w.ID || g.Failed != w.Failed {
				t.Errorf("%s message %d: %+v\nwant %+v", name, i+1, g, w)
			}
		}
	}
}

// Twilio's own values are read as wacost's, and what is not WhatsApp or
// not Twilio's is a bad row naming its field.
func TestTwilioRows(t *testing.T) {
	h := "From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,Sid,Direction,Price,PriceUnit\n"
	row := func(from, to, status, sent, dir string) string {
		return from + "," + to + ",hi," + status + "," + sent + ",2010-04-01,1,,AC1,SM1," + dir + ",-0.005,USD\n"
	}
	in := h +
		row("whatsapp:+5511987654321", "whatsapp:+15550100001", "received", "2026-10-05T13:00:00Z", "inbound") +
		row("whatsapp:+15550100001", "whatsapp:+5511987654321", "queued", "2026-10-05T13:01:00Z", "outbound-api") +
		row("whatsapp:+15550100001", "whatsapp:+5511987654321", "canceled", "2026-10-05T13:02:00Z", "outbound-call") +
		row("+15550100001", "+5511987654321", "delivered", "2026-10-05T13:03:00Z", "outbound-api") + // an SMS
		row("whatsapp:+15550100001", "whatsapp:+5511987654321", "lost", "2026-10-05T13:04:00Z", "outbound-api") +
		row("whatsapp:+15550100001", "whatsapp:+5511987654321", "sent", "2026-10-05T13:05:00Z", "sideways") +
		row("whatsapp:+15550100001", "whatsapp:+5511987654321", "failed", "", "outbound-api")
	ms, errs := readAll(t, in, Options{Name: "t.csv"})
	if len(ms) != 3 || ms[0].Direction != Inbound || ms[0].Customer != "5511987654321" || ms[0].Business != "15550100001" ||
		ms[1].Status != "accepted" || !ms[2].Failed {
		t.Errorf("messages %+v", ms)
	}
	wantErrs := []string{
		`t.csv:5: customer: "+5511987654321" is not a whatsapp: address`,
		`t.csv:6: status: "lost" is not a Twilio message status`,
		`t.csv:7: direction: "sideways" is not inbound`,
		`t.csv:8: timestamp: missing`,
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors %v", errs)
	}
	for i, w := range wantErrs {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d: %s, want %s", i, errs[i], w)
		}
	}
	// A CSV that is not Twilio's is not read as Twilio's.
	if isTwilio([]byte("timestamp,customer,direction\n")) || !isTwilio([]byte(h)) {
		t.Error("isTwilio")
	}
}

func FuzzTwilio(f *testing.F) {
	csvIn, _ := os.ReadFile("../testdata/twilio-export.csv")
	page, _ := os.ReadFile("../testdata/twilio-messages.json")
	f.Add(string(csvIn))
	f.Add(string(page))
	f.Add(`{"sid":"SM1","account_sid":"AC1","direction":"inbound","from":"whatsapp:+5511987654321","to":"whatsapp:+15550100001","status":"received","date_sent":"Mon, 05 Oct 2026 13:00:00 +0000"}` + "\n[1,{}]\n")
	f.Fuzz(func(t *testing.T, in string) { readsAccepted(t, in, Options{Name: "f", Format: FormatTwilio}, nil) })
}

// A send log joined by Sid says which Twilio messages were templates.
func TestTwilioSends(t *testing.T) {
	in, _ := os.ReadFile("../testdata/twilio-export.csv")
	sends := map[string]Send{"SM00000000000000000000000000000003": {Type: "template", Category: "utility", Template: "order_delivered"}}
	ms, errs := readAll(t, string(in), Options{Name: "t.csv", Sends: sends})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, m := range ms {
		if m.ID == "SM00000000000000000000000000000003" && (!m.Template || m.Category != "utility" || m.TemplateName != "order_delivered") {
			t.Errorf("joined: %+v", m)
		}
		if m.ID == "SM00000000000000000000000000000005" && m.Template {
			t.Errorf("not in the send log: %+v", m)
		}
	}
}

// Twilio's Price (a negative amount: a charge) is kept as the provider's
// figure in its PriceUnit; a missing Price is none, a bad one a bad row.
func TestTwilioPrice(t *testing.T) {
	h := "From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,Sid,Direction,Price,PriceUnit\n"
	row := func(sent, price, unit string) string {
		return "whatsapp:+15550100001,whatsapp:+5511987654321,hi,delivered," + sent + ",2010-04-01,1,,AC1,SM1,outbound-api," + price + "," + unit + "\n"
	}
	in := h + row("2026-10-05T13:00:00Z", "-0.00500", "USD") + row("2026-10-05T13:01:00Z", "", "USD") +
		row("2026-10-05T13:02:00Z", "0.0012", "eur") + row("2026-10-05T13:03:00Z", "-0.005", "") +
		row("2026-10-05T13:04:00Z", "-0.005", "XXX") + row("2026-10-05T13:05:00Z", `"-0,005"`, "USD") +
		row("2026-10-05T13:06:00Z", "-12345.0", "USD") + row("2026-10-05T13:07:00Z", "-0.0000001", "USD")
	ms, errs := readAll(t, in, Options{Name: "p.csv"})
	if len(ms) != 3 || ms[0].ProviderPrice != 5000 || ProviderCurrencies[ms[0].ProviderCurrency] != "USD" ||
		ms[1].ProviderCurrency != 0 || ms[2].ProviderPrice != -1200 || ProviderCurrencies[ms[2].ProviderCurrency] != "EUR" {
		t.Fatalf("messages %+v", ms)
	}
	wantErrs := []string{
		`p.csv:5: PriceUnit: missing, with a Price of "-0.005"`,
		`p.csv:6: PriceUnit: "XXX" is not a currency wacost knows`,
		`p.csv:7: Price: "-0,005" is not an amount`,
		`p.csv:8: Price: "-12345.0" is not an amount`,
		`p.csv:9: Price: "-0.0000001" is not an amount`,
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors %v", errs)
	}
	for i, w := range wantErrs {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d: %s, want %s", i, errs[i], w)
		}
	}
}
