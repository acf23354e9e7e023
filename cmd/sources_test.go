package cmd

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withApp is a summary JSON with one app message (a webhook echo) more.
func withApp(t *testing.T, sum string) string {
	t.Helper()
	i := strings.Index(sum, `"currency"`)
	if i < 0 {
		t.Fatalf("no currency in %s", sum)
	}
	j := strings.LastIndex(sum[:i], "\n")
	return sum[:i] + `"app_messages": 1,` + sum[j:i] + sum[i:]
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// summaryOf is a run's summary JSON, for comparing runs.
func summaryOf(t *testing.T, args ...string) string {
	t.Helper()
	r := wacost(t, "", append(args, "-f", "json", "-q")...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
	}
	var doc struct{ Summary json.RawMessage }
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	return string(doc.Summary)
}

// Each source's sample, read with no flags, gives the summary of the same
// traffic written in wacost's CSV; webhook bodies one a file in a
// directory read as the NDJSON of them.
func TestSourcesPriceAsTheirOwnCSV(t *testing.T) {
	dir := t.TempDir()
	want := summaryOf(t, "simulate", "../testdata/twilio-export.wacost.csv")
	for _, f := range []string{"../testdata/twilio-export.csv", "../testdata/twilio-messages.json"} {
		got := summaryOf(t, "simulate", f)
		// Twilio's own Price, by hand: 0 + 0.005 + 0.0118 + 0 + 0.0064 + 0
		// + (none: the failed message has no price) + 0.0249, over the 7
		// messages that carry one. The rest is the CSV's summary.
		var doc map[string]any
		json.Unmarshal([]byte(got), &doc)
		if doc["provider_cost"] != "0.048100" || doc["provider_priced"] != 7.0 || doc["provider_currency"] != "USD" {
			t.Errorf("%s: provider's figures %v %v %v, want 0.0481 over 7 messages in USD", f, doc["provider_cost"], doc["provider_priced"], doc["provider_currency"])
		}
		for _, k := range []string{"provider_cost", "provider_priced", "provider_currency"} {
			delete(doc, k)
		}
		var w map[string]any
		json.Unmarshal([]byte(want), &w)
		if g, _ := json.Marshal(doc); string(g) != mustJSON(w) {
			t.Errorf("%s:\n got  %s\n want %s", f, g, mustJSON(w))
		}
	}
	// The webhook traffic: a Mexican number stands for the BSUID user,
	// whose market (from the contact's country code) it shares.
	webhookOwn := filepath.Join(dir, "webhook-own.csv")
	os.WriteFile(webhookOwn, []byte(`timestamp,customer,business,direction,type,category,status,entry_point,id
2026-10-05T08:00:00Z,919876543210,106540352242922,in,image,,,,wamid.in2
2026-10-05T13:00:00Z,5511987654321,106540352242922,in,text,,,ad,wamid.in1
2026-10-05T13:20:00Z,5511987654321,106540352242922,out,text,,delivered,,wamid.out1
2026-10-06T09:30:00Z,919876543210,106540352242922,out,template,utility,delivered,,wamid.out2
2026-10-07T10:00:02Z,447700900123,106540352242922,out,text,,failed,,wamid.out3
2026-10-08T16:00:00Z,5215512345678,106540352242922,in,text,,,,wamid.in3
2026-10-08T16:10:00Z,5215512345678,106540352242922,out,text,,delivered,,wamid.out4
2026-10-09T11:00:00Z,5511987654321,106540352242922,out,template,authentication,delivered,,wamid.out5
`), 0o644)
	// The sample's one echo (sent from the Business app) is in no count.
	want = withApp(t, summaryOf(t, "simulate", webhookOwn))
	if got := summaryOf(t, "simulate", "../testdata/webhooks.ndjson"); got != want {
		t.Errorf("webhooks.ndjson:\n got  %s\n want %s", got, want)
	}
	bodies := filepath.Join(dir, "bodies")
	os.Mkdir(bodies, 0o755)
	nd, _ := os.ReadFile("../testdata/webhooks.ndjson")
	for i, line := range strings.Split(strings.TrimSpace(string(nd)), "\n") {
		os.WriteFile(filepath.Join(bodies, strings.Repeat("0", 3-len(string(rune('0'+i))))+string(rune('a'+i))+".json"), []byte(line), 0o644)
	}
	if got := summaryOf(t, "simulate", bodies); got != want {
		t.Errorf("a directory of bodies:\n got  %s\n want %s", got, want)
	}
	os.WriteFile(filepath.Join(bodies, "zz.json"), []byte(`{"entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"x","status":"lost","timestamp":"1","recipient_id":"5511987654321"}]}}]}]}`), 0o644)
	if r := wacost(t, "", "simulate", bodies, "-q"); r.code != 1 || !strings.Contains(r.stderr, filepath.Join(bodies, "zz.json")+`:1: status: "lost"`) {
		t.Errorf("a bad row in a directory names its file and line: exit %d %s", r.code, r.stderr)
	}
}

// The chat export sample prices with --me and --default-country alone as
// the same chat in wacost's CSV, and as the .zip the phone makes of it.
func TestChatExportPricesAsItsOwnCSV(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "ana.csv")
	os.WriteFile(own, []byte(`timestamp,customer,business,direction,type,status
2026-10-03T10:00:05Z,+55 11 99999-9999,Shop,in,text,
2026-10-03T10:12:40Z,+55 11 99999-9999,Shop,out,text,delivered
2026-10-03T10:13:02Z,+55 11 99999-9999,Shop,out,image,delivered
2026-10-03T10:30:00Z,+55 11 99999-9999,Shop,in,image,
2026-10-03T10:31:15Z,+55 11 99999-9999,Shop,in,text,
2026-10-03T10:35:00Z,+55 11 99999-9999,Shop,out,text,delivered
2026-10-05T15:45:09Z,+55 11 99999-9999,Shop,out,text,delivered
2026-10-13T09:00:00Z,+55 11 99999-9999,Shop,out,text,delivered
2026-10-13T09:05:00Z,+55 11 99999-9999,Shop,in,text,
2026-10-13T09:06:30Z,+55 11 99999-9999,Shop,out,document,delivered
`), 0o644)
	want := summaryOf(t, "simulate", own)
	chat := "../testdata/WhatsApp Chat with Ana.txt"
	if got := summaryOf(t, "simulate", chat, "--me", "Shop", "--default-country", "BR"); got != want {
		t.Errorf("the chat:\n got  %s\n want %s", got, want)
	}
	text, _ := os.ReadFile(chat)
	zipped := filepath.Join(dir, "WhatsApp Chat - Ana.zip")
	f, _ := os.Create(zipped)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("_chat.txt")
	w.Write(text)
	w, _ = zw.Create("00000012-PHOTO-2026-10-03-10-13-02.jpg")
	w.Write([]byte{0xff, 0xd8})
	zw.Close()
	f.Close()
	if got := summaryOf(t, "simulate", zipped, "--me", "Shop", "--default-country", "BR"); got != want {
		t.Errorf("the .zip:\n got  %s\n want %s", got, want)
	}
	if r := wacost(t, "", "simulate", chat, "-q"); r.code != 1 || !strings.Contains(r.stderr, "needs --me NAME") {
		t.Errorf("without --me: exit %d %s", r.code, r.stderr)
	}
}

// A directory or a .zip given twice is a usage error, as a file is.
func TestDirectoryAndZipGivenTwice(t *testing.T) {
	dir := t.TempDir()
	bodies := filepath.Join(dir, "bodies")
	os.Mkdir(bodies, 0o755)
	nd, _ := os.ReadFile("../testdata/webhooks.ndjson")
	os.WriteFile(filepath.Join(bodies, "a.ndjson"), nd, 0o644)
	text, _ := os.ReadFile("../testdata/WhatsApp Chat with Ana.txt")
	zipped := filepath.Join(dir, "chat.zip")
	f, _ := os.Create(zipped)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("_chat.txt")
	w.Write(text)
	zw.Close()
	f.Close()
	for _, p := range []string{bodies, zipped} {
		if r := wacost(t, "", "simulate", p, p, "-q", "--me", "Shop", "--default-country", "BR"); r.code != 2 || !strings.Contains(r.stderr, "given twice") {
			t.Errorf("%s twice: exit %d %s", p, r.code, r.stderr)
		}
	}
}

// A message sent from the WhatsApp Business app (a webhook echo) answers
// the customer for sla, but prices nothing and stays out of simulate's
// counts: the customer's question at 10:00 is answered at 10:10 by the
// echo, and the API reply at 11:00 is free inside the window.
func TestEchoAnswersButPricesNothing(t *testing.T) {
	body := func(field, value string) string {
		return `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"` + field + `","value":{"metadata":{"display_phone_number":"15550100001","phone_number_id":"106540352242922"},` + value + `}}]}]}` + "\n"
	}
	// 2026-10-05 10:00:00 UTC is 1791194400.
	log := body("messages", `"contacts":[{"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","id":"wamid.q","timestamp":"1791194400","type":"text"}]`) +
		body("smb_message_echoes", `"message_echoes":[{"from":"15550100001","to":"5511987654321","id":"wamid.e","timestamp":"1791195000","type":"text"}]`) +
		body("messages", `"statuses":[{"id":"wamid.a","status":"delivered","timestamp":"1791198000","recipient_id":"5511987654321","pricing":{"billable":false,"pricing_model":"PMP","type":"free_customer_service","category":"service"}}]`)
	f := filepath.Join(t.TempDir(), "echo.ndjson")
	os.WriteFile(f, []byte(log), 0o644)
	r := wacost(t, "", "sla", f, "-f", "json", "-q")
	var doc struct {
		Summary struct {
			First struct {
				Count int     `json:"count"`
				P50   float64 `json:"p50_s"`
			} `json:"first_reply"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Summary.First.Count != 1 || doc.Summary.First.P50 != 600 {
		t.Fatalf("sla: exit %d, first replies %+v (want 1 after 600 s), %v %s", r.code, doc.Summary.First, err, r.stderr)
	}
	sum := summaryOf(t, "simulate", f)
	var s map[string]any
	json.Unmarshal([]byte(sum), &s)
	if s["messages"] != 2.0 || s["outbound"] != 1.0 || s["app_messages"] != 1.0 || s["cost"] != "0.000000" {
		t.Fatalf("simulate summary %s: want 2 messages (1 out), 1 app message, cost 0.00", sum)
	}
	led := wacost(t, "", "simulate", f, "--ledger", "-f", "csv", "-q")
	if strings.Contains(led.stdout, "wamid.e") || !strings.Contains(led.stdout, "wamid.a") {
		t.Fatalf("the ledger lists API messages only:\n%s", led.stdout)
	}
}

// webhookBody is one webhook POST body of the business 106540352242922
// whose change has field and value (without the metadata).
func webhookBody(field, value string) string {
	return `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"` + field + `","value":{"metadata":{"display_phone_number":"15550100001","phone_number_id":"106540352242922"},` + value + `}}]}]}` + "\n"
}

func ledgerRows(t *testing.T, args ...string) map[string][]string {
	t.Helper()
	r := wacost(t, "", append([]string{"simulate", "--ledger", "-f", "csv", "-q"}, args...)...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
	}
	rows := map[string][]string{}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		rows[f[0]+"/"+f[3]] = f // id/customer
	}
	return rows
}

// ID-02: a customer who changes number keeps their window, and each
// message keeps the market of the number it went to. On 2026-09-01 (card
// 2026-07): +55 11 98765-4321 writes at 10:00 and becomes +55 11 91234-5678
// at 11:00; the reply at 12:00 to the new number is free (without the
// move it would be a late reply at Brazil's utility rate, 0.0068). The UK
// customer +44 7700 900123 writes at 10:00, gets a marketing template at
// 10:30 (the UK's rate, 0.0635) and becomes a Brazilian number at 11:00;
// the reply at 13:00 is free in the window their 10:00 message opened.
func TestIdentityChangeMovesTheWindow(t *testing.T) {
	st := func(id, ts, to, label string) string {
		cat := label[strings.LastIndex(label, " ")+1:]
		typ := strings.Fields(label)[1]
		return webhookBody("messages", `"statuses":[{"id":"`+id+`","status":"delivered","timestamp":"`+ts+`","recipient_id":"`+to+`","pricing":{"billable":`+
			map[bool]string{true: "true", false: "false"}[typ == "regular"]+`,"pricing_model":"PMP","type":"`+typ+`","category":"`+cat+`"}}]`)
	}
	log := webhookBody("messages", `"contacts":[{"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","id":"wamid.q1","timestamp":"1788256800","type":"text"}]`) +
		webhookBody("messages", `"contacts":[{"wa_id":"447700900123"}],"messages":[{"from":"447700900123","id":"wamid.q2","timestamp":"1788256800","type":"text"}]`) +
		st("wamid.t2", "1788258600", "447700900123", "PMP regular marketing") +
		webhookBody("messages", `"messages":[{"from":"5511987654321","id":"wamid.s1","timestamp":"1788260400","type":"system","system":{"body":"User A changed from +55 11 98765-4321 to +55 11 91234-5678","new_wa_id":"5511912345678","type":"user_changed_number"}}]`) +
		webhookBody("messages", `"messages":[{"from":"447700900123","id":"wamid.s2","timestamp":"1788260400","type":"system","system":{"body":"changed","wa_id":"5511955554444","type":"customer_changed_number"}}]`) +
		st("wamid.a1", "1788264000", "5511912345678", "PMP free_customer_service service") +
		st("wamid.a2", "1788267600", "5511955554444", "PMP free_customer_service service")
	f := filepath.Join(t.TempDir(), "moves.ndjson")
	os.WriteFile(f, []byte(log), 0o644)
	rows := ledgerRows(t, f)
	for key, want := range map[string]string{
		"wamid.a1/5511912345678": "Brazil free customer_service_window 0.00",
		"wamid.t2/5511955554444": "United Kingdom billed template 0.0635",
		"wamid.a2/5511955554444": "Brazil free customer_service_window 0.00",
	} {
		r := rows[key]
		if r == nil {
			t.Errorf("no ledger row %s in %v", key, rows)
			continue
		}
		if got := strings.Join([]string{r[4], r[7], r[8], r[9]}, " "); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
	r := wacost(t, "", "simulate", f)
	if !strings.Contains(r.stdout+r.stderr, "3 message(s) of 2 customer(s) who changed number") {
		t.Errorf("no note of the moves:\n%s%s", r.stdout, r.stderr)
	}
	// A change that names no new identity is a bad row, naming its line.
	bad := webhookBody("messages", `"messages":[{"from":"5511987654321","id":"wamid.s3","timestamp":"1788260400","type":"system","system":{"type":"user_changed_number"}}]`)
	os.WriteFile(f, []byte(bad), 0o644)
	if r := wacost(t, "", "simulate", f, "-q"); r.code != 1 || !strings.Contains(r.stderr, f+":1: system: user_changed_number without") {
		t.Errorf("a change without its new number: exit %d %s", r.code, r.stderr)
	}
}

// G-10: a group's members share one window, and each delivered member is
// billed at their own market's rate. A Brazilian member writes in the
// group at 10:00; the business's reply at 10:30 reaches the Brazilian and
// the Indian member, free for both (the Indian member wrote nothing); a
// marketing template at 12:00 is billed per member: 0.0625 (Brazil) and
// 0.0118 (India), 0.0743 in all; the one that failed for a third member
// costs nothing.
func TestGroupSharesOneWindow(t *testing.T) {
	gst := func(id, ts, member, status, pricing string) string {
		return webhookBody("messages", `"statuses":[{"id":"`+id+`","status":"`+status+`","timestamp":"`+ts+`","recipient_id":"G1","recipient_type":"group","recipient_participant_id":"`+member+`"`+pricing+`}]`)
	}
	svc := `,"pricing":{"billable":false,"pricing_model":"PMP","type":"free_customer_service","category":"group_service"}`
	mkt := `,"pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"group_marketing"}`
	log := webhookBody("messages", `"contacts":[{"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","group_id":"G1","id":"wamid.g1","timestamp":"1788256800","type":"text"}]`) +
		gst("wamid.r", "1788258600", "5511987654321", "delivered", svc) + gst("wamid.r", "1788258600", "919876543210", "read", svc) +
		gst("wamid.m", "1788264000", "5511987654321", "delivered", mkt) + gst("wamid.m", "1788264000", "919876543210", "delivered", mkt) +
		gst("wamid.m", "1788264000", "447700900123", "failed", "")
	f := filepath.Join(t.TempDir(), "group.ndjson")
	os.WriteFile(f, []byte(log), 0o644)
	led := wacost(t, "", "simulate", f, "--ledger", "-f", "csv", "-q")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(led.stdout), "\n")[1:] {
		c := strings.Split(l, ",")
		got = append(got, strings.Join([]string{c[0], c[3], c[4], c[7], c[9]}, " "))
	}
	want := []string{
		"wamid.r group:G1 Brazil free 0.00", "wamid.r group:G1 India free 0.00",
		"wamid.m group:G1 Brazil billed 0.0625", "wamid.m group:G1 India billed 0.0118", "wamid.m group:G1 United Kingdom undelivered 0.00",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("group ledger:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if sum := summaryOf(t, "simulate", f); !strings.Contains(sum, `"cost": "0.074300"`) {
		t.Fatalf("summary %s, want cost 0.0743", sum)
	}
}
