package msglog

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/window"
)

// A message written by CSVWriter reads back as the same message, every
// field of it, whatever other reader built it.
func TestCSVWriterRoundTrip(t *testing.T) {
	at := time.Date(2026, 10, 3, 9, 15, 30, 123456789, time.FixedZone("BRT", -3*3600))
	in := []Message{
		{Time: at, Direction: Inbound, Customer: "5511987654321", Business: "15550001111", ID: "wamid.1", Type: "text", EntryPoint: window.EntryAd},
		{Time: at.Add(time.Minute), Direction: Outbound, Customer: "5511987654321", Business: "15550001111", ID: "=HYPERLINK(1)", Type: "template", Template: true,
			Category: "marketing", Status: "delivered", TemplateName: "-promo", Agent: "@ana", Sender: "human", Label: "PMP regular marketing", Inferred: true,
			ProviderCurrency: ProviderCurrencyIndex("USD"), ProviderPrice: 62500},
		{Time: at.Add(2 * time.Minute), Direction: Outbound, Customer: "US.13491208655302741918", Country: "US", Business: "Acme, Inc.", ID: "e1", Type: "text", Echo: true, Status: "sent"},
		{Time: at.Add(3 * time.Minute), Direction: Outbound, Customer: "group:ABC", Country: "IN", Business: DefaultBusiness, ID: "g1", Type: "text", Tokens: 2500, Status: "failed", Failed: true, Label: "error 131049"},
	}
	var buf bytes.Buffer
	w, err := NewCSVWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if err := w.Write(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ",'=HYPERLINK(1),") || !strings.Contains(buf.String(), "id:group:ABC") {
		t.Fatalf("formula not guarded or id not marked:\n%s", buf.String())
	}
	for _, workers := range []int{1, 4} { // the plain reader and the one on several cores
		r, err := NewReader(strings.NewReader(buf.String()), Options{Name: "part.csv", Format: FormatCSV, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			var m Message
			err := r.Read(&m)
			if err == io.EOF {
				if i != len(in) {
					t.Fatalf("read %d messages, wrote %d", i, len(in))
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			want := in[i]
			if !m.Time.Equal(want.Time) {
				t.Errorf("row %d: time %v, want %v", i, m.Time, want.Time)
			}
			m.Time = want.Time
			m.Pos, m.facts, m.CustomerKey = Pos{}, 0, 0
			want.CustomerKey = 0
			if m != want {
				t.Errorf("row %d:\n got %+v\nwant %+v", i, m, want)
			}
		}
	}
}

// What the new columns refuse.
func TestCSVColumnErrors(t *testing.T) {
	for _, c := range []struct{ row, field string }{
		{"2026-10-01T10:00:00Z,447700900123,out,text,,,,,,,,,,,,,,,0.5", "provider_price"},
		{"2026-10-01T10:00:00Z,447700900123,out,text,,,,,,,,,,,,,,XXX,0.5", "provider_currency"},
		{"2026-10-01T10:00:00Z,447700900123,out,text,,,,,,,,,,,,,,USD,-0.5", "provider_price"},
		{"2026-10-01T10:00:00Z,447700900123,in,text,,,,,,,,,,,,,true,,", "echo"},
		{"2026-10-01T10:00:00Z,447700900123,out,text,,,,,,,,,,,,maybe,,,", "inferred"},
		{"2026-10-01T10:00:00Z,id:,out,text,,,,,,,,,,,,,,,", "customer"},
	} {
		r, err := NewReader(strings.NewReader(strings.Join(Columns, ",")+"\n"+c.row+"\n"), Options{Name: "f.csv", Format: FormatCSV})
		if err != nil {
			t.Fatal(err)
		}
		var m Message
		err = r.Read(&m)
		re, ok := err.(*RowError)
		if !ok || re.Field != c.field {
			t.Errorf("%s: got %v, want an error in %s", c.row, err, c.field)
		}
	}
}

// Every message the CSV or NDJSON reader accepts, written by CSVWriter,
// reads back as itself (a split's parts lose nothing).
func FuzzCSVWriterRoundTrip(f *testing.F) {
	f.Add(strings.Join(Columns, ",") + "\n2026-10-01T10:00:00.5+03:00,id:=x,out,template,marketing,BR,'@biz,ad,failed,-id,=a,bot,+t,,-label,true,,USD,1.25\n")
	f.Add("timestamp,customer,direction,type,category,id\n1759312800,+55 11 98765-4321,out,hsm,Marketing,\" x \"\n")
	f.Add("{\"timestamp\":\"2026-10-01T10:00:00Z\",\"customer\":\"5511987654321\",\"direction\":\"out\",\"tokens\":12,\"label\":\"'=1\"}\n")
	f.Fuzz(func(t *testing.T, in string) {
		format := FormatCSV
		if strings.HasPrefix(in, "{") {
			format = FormatNDJSON
		}
		r, err := NewReader(strings.NewReader(in), Options{Name: "f", Format: format})
		if err != nil {
			return
		}
		var msgs []Message
		for len(msgs) < 1000 {
			var m Message
			err := r.Read(&m)
			if err == io.EOF {
				break
			}
			if err != nil {
				continue
			}
			msgs = append(msgs, m)
		}
		var buf bytes.Buffer
		w, _ := NewCSVWriter(&buf)
		for i := range msgs {
			if err := w.Write(&msgs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		back, err := NewReader(bytes.NewReader(buf.Bytes()), Options{Name: "part.csv", Format: FormatCSV})
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		for i := range msgs {
			var m Message
			if err := back.Read(&m); err != nil {
				t.Fatalf("row %d: %v\n%s", i, err, buf.String())
			}
			want := msgs[i]
			if !m.Time.Equal(want.Time) {
				t.Fatalf("row %d: time %v, want %v", i, m.Time, want.Time)
			}
			m.Time, m.Pos, want.Pos = want.Time, Pos{}, Pos{}
			if m != want {
				t.Fatalf("row %d:\n got %+v\nwant %+v\n%s", i, m, want, buf.String())
			}
		}
		if err := back.Read(new(Message)); err != io.EOF {
			t.Fatalf("more rows read back than written: %v", err)
		}
	})
}
