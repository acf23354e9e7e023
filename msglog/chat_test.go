package msglog

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The sample iOS export (U+200E marks, U+202F before AM/PM, CRLF, a
// multi-line message, attachments, the encryption notice, a call) reads
// to the messages of the same chat in wacost's CSV.
func TestChatSample(t *testing.T) {
	in, err := os.ReadFile("../testdata/WhatsApp Chat with Ana.txt")
	if err != nil {
		t.Fatal(err)
	}
	own := `timestamp,customer,country,business,direction,type,status
2026-10-03T10:00:05Z,5511999999999,BR,Shop,in,text,
2026-10-03T10:12:40Z,5511999999999,BR,Shop,out,text,delivered
2026-10-03T10:13:02Z,5511999999999,BR,Shop,out,image,delivered
2026-10-03T10:30:00Z,5511999999999,BR,Shop,in,image,
2026-10-03T10:31:15Z,5511999999999,BR,Shop,in,text,
2026-10-03T10:35:00Z,5511999999999,BR,Shop,out,text,delivered
2026-10-05T15:45:09Z,5511999999999,BR,Shop,out,text,delivered
2026-10-13T09:00:00Z,5511999999999,BR,Shop,out,text,delivered
2026-10-13T09:05:00Z,5511999999999,BR,Shop,in,text,
2026-10-13T09:06:30Z,5511999999999,BR,Shop,out,document,delivered
`
	want, errs := readAll(t, own, Options{Name: "own.csv"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i := range want {
		want[i].Customer = "contact:Ana"
	}
	got, errs := readAll(t, string(in), Options{Name: "ana.txt", Me: []string{"shop"}, DefaultCountry: "BR"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i := range got {
		want[i].ID = got[i].ID // the chat's ids are its lines
	}
	sameMessages(t, "ana.txt", got, want)
}

// Android and iOS lines in the usual locales; the date order told from a
// day over 12, given, or refused when it cannot be told.
func TestChatLines(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	cases := []struct {
		name, in, order string
		loc             *time.Location
		want            []string // times, RFC 3339, of the messages
		err             string
	}{
		{"android 24h dmy", "20/10/2026, 14:30 - Ana: oi\n20/10/2026, 14:31 - Shop: olá\n", "", time.UTC, []string{"2026-10-20T14:30:00Z", "2026-10-20T14:31:00Z"}, ""},
		{"android 12h mdy", "10/20/26, 2:30 PM - Ana: hi\n10/20/26, 2:31 p. m. - Shop: hello\n", "", la, []string{"2026-10-20T21:30:00Z", "2026-10-20T21:31:00Z"}, ""},
		{"ios dots", "[20.10.26, 14:30:05] Ana: hi\n[20.10.26, 14:31:00] Shop: hello\n", "", time.UTC, []string{"2026-10-20T14:30:05Z", "2026-10-20T14:31:00Z"}, ""},
		{"ios finnish", "[20.10.2026 klo 14.30.05] Ana: moi\n", "", time.UTC, []string{"2026-10-20T14:30:05Z"}, ""},
		{"ymd", "2026-10-02 09:00 - Ana: hi\n", "", time.UTC, []string{"2026-10-02T09:00:00Z"}, ""},
		{"ambiguous", "02/10/2026, 09:00 - Ana: hi\n", "", time.UTC, nil, "give --date-order"},
		{"ambiguous, given", "02/10/2026, 09:00 - Ana: hi\n", "mdy", time.UTC, []string{"2026-02-10T09:00:00Z"}, ""},
		{"mixed", "20/10/2026, 09:00 - Ana: hi\n10/20/2026, 09:00 - Ana: hi\n", "", time.UTC, nil, "some dates have a day first"},
		{"system lines", "20/10/2026, 09:00 - You were added\n20/10/2026, 09:01 - Ana: Missed video call\n20/10/2026, 09:02 - Ana: video call tomorrow?\n", "", time.UTC, []string{"2026-10-20T09:02:00Z"}, ""},
	}
	for _, c := range cases {
		r, err := NewReader(strings.NewReader(c.in), Options{Name: "c.txt", Me: []string{"Shop"}, DefaultCountry: "BR", DateOrder: c.order, Location: c.loc})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want %s", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for {
			var m Message
			if err := r.Read(&m); err != nil {
				if isRowError(err) {
					t.Errorf("%s: %v", c.name, err)
					continue
				}
				break
			}
			got = append(got, m.Time.UTC().Format(time.RFC3339))
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// What a chat cannot say is an error that says how: no --me, a contact's
// name with no --default-country, a number author read as a number.
func TestChatCustomers(t *testing.T) {
	in := "20/10/2026, 09:00 - Ana: hi\n20/10/2026, 09:01 - Shop: hello\n"
	if _, err := NewReader(strings.NewReader(in), Options{Name: "c.txt"}); err == nil || !strings.Contains(err.Error(), `needs --me NAME: the author who is the business (authors here: "Ana", "Shop")`) {
		t.Errorf("no --me: %v", err)
	}
	_, errs := readAll(t, in, Options{Name: "c.txt", Me: []string{"Shop"}})
	if len(errs) != 2 || !strings.Contains(errs[0], `"Ana" is a contact's name, with no number to find a market by: give --default-country`) {
		t.Errorf("no default country: %v", errs)
	}
	ms, errs := readAll(t, "20/10/2026, 09:00 - +44 7700 900123: hi\n20/10/2026, 09:01 - Shop: hello\n", Options{Name: "c.txt", Me: []string{"Shop"}})
	if len(errs) != 0 || len(ms) != 2 || ms[1].Customer != "447700900123" || ms[1].Direction != Outbound {
		t.Errorf("a number author: %v %v", ms, errs)
	}
	if !isChat([]byte("\u200e[03/10/2026, 9:58:10\u202fAM] Shop: hi\r\n")) || isChat([]byte("timestamp,customer,direction\n")) {
		t.Error("isChat")
	}
}

func FuzzChat(f *testing.F) {
	in, _ := os.ReadFile("../testdata/WhatsApp Chat with Ana.txt")
	f.Add(string(in))
	f.Add("10/20/26, 2:30 PM - Ana: hi\nmore\n10/20/26, 13:31 PM - Shop: hello\n[31/02/2026, 25:00] +55 11 98765-4321: x\n")
	f.Fuzz(func(t *testing.T, in string) {
		readsAccepted(t, in, Options{Name: "f", Format: FormatWhatsAppChat, Me: []string{"Shop"}, DefaultCountry: "BR"}, func(m *Message) {
			if strings.HasPrefix(m.Customer, "contact:") {
				m.Customer = "5511987654321" // the rest of the message is checked as any
			}
		})
	})
}
