package render

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/pricing"
	"github.com/wacost/wacost/simulate"
)

// WebhookWriter writes messages as the Cloud API's webhook POST bodies,
// one a line: a customer's message as a messages webhook, a business
// message as its sent and delivered (or failed) statuses, labelled with
// the pricing wacost gave it (for demos and speed checks: a log labelled
// by wacost proves nothing about Meta).
type WebhookWriter struct {
	w   *bufio.Writer
	buf []byte
	// convs are the conversation era's labels by conversation: Meta
	// labels every message of a conversation with the conversation's.
	convs map[string]string
}

// NewWebhookWriter writes to w; call Flush at the end.
func NewWebhookWriter(w io.Writer) *WebhookWriter {
	return &WebhookWriter{w: bufio.NewWriterSize(w, 1<<16), convs: map[string]string{}}
}

// Flush writes what is buffered.
func (ww *WebhookWriter) Flush() error { return ww.w.Flush() }

func (ww *WebhookWriter) open(business, field string) []byte {
	b := append(ww.buf[:0], `{"object":"whatsapp_business_account","entry":[{"id":"`...)
	b = append(b, business...)
	b = append(b, `","changes":[{"field":"`...)
	b = append(b, field...)
	b = append(b, `","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"`...)
	b = append(b, business...)
	b = append(b, `","phone_number_id":"`...)
	b = append(b, business...)
	return append(b, `"},`...)
}

func (ww *WebhookWriter) close(b []byte) error {
	b = append(b, "}}]}]}\n"...)
	ww.buf = b
	_, err := ww.w.Write(b)
	return err
}

// Visit writes one message of a replay with its record.
func (ww *WebhookWriter) Visit(m *msglog.Message, e *simulate.Entry) error {
	ts := strconv.FormatInt(m.Time.Unix(), 10)
	if m.Direction == msglog.Inbound {
		b := ww.open(m.Business, "messages")
		b = append(b, `"contacts":[{"profile":{"name":"Customer"},"wa_id":"`...)
		b = append(b, m.Customer...)
		b = append(b, `"}],"messages":[{"from":"`...)
		b = append(b, m.Customer...)
		b = append(b, `","id":`...)
		b = strconv.AppendQuote(b, m.ID)
		b = append(b, `,"timestamp":"`...)
		b = append(b, ts...)
		b = append(b, `","type":"text","text":{"body":"hello"}`...)
		if m.EntryPoint != 0 {
			src := map[bool]string{true: "ad", false: "post"}[m.EntryPoint.String() == "ad"]
			b = append(b, `,"referral":{"source_type":"`+src+`","source_id":"1202","ctwa_clid":"Aff-1"}`...)
		}
		return ww.close(append(b, "}]"...))
	}
	switch e.Decision {
	case pricing.Blocked:
		return nil // never sent
	case pricing.Undelivered:
		code := "131026"
		if e.Reason == pricing.ReasonPolicy {
			code = "131049"
		}
		return ww.status(m, ts, "failed", "", code)
	}
	label := webhookLabel(m, e)
	if e.Conversation != "" {
		if l, ok := ww.convs[e.Conversation]; ok {
			label = l
		} else {
			ww.convs[e.Conversation] = label
		}
	}
	if err := ww.status(m, ts, "sent", label, ""); err != nil {
		return err
	}
	return ww.status(m, strconv.FormatInt(m.Time.Unix()+2, 10), "delivered", label, "")
}

// webhookLabel is the pricing object of a delivered message as Meta would
// write it for wacost's verdict.
func webhookLabel(m *msglog.Message, e *simulate.Entry) string {
	cat := strings.ReplaceAll(e.Category, "_", "-")
	billable := strconv.FormatBool(e.Decision == pricing.Billed)
	if m.Time.Before(pmpStart) {
		// The conversation era: billable and the conversation's category,
		// referral_conversion for a free entry point one; no type yet.
		if e.Reason == pricing.ReasonFEP {
			cat = "referral_conversion"
		}
		return `{"billable":` + billable + `,"pricing_model":"CBP","category":"` + cat + `"}`
	}
	model := "PMP"
	typ := "regular"
	if e.Decision == pricing.Free {
		switch e.Reason {
		case pricing.ReasonFEP:
			typ = "free_entry_point"
		default:
			typ = "free_customer_service"
		}
	}
	return `{"billable":` + billable + `,"pricing_model":"` + model + `","type":"` + typ + `","category":"` + cat + `"}`
}

var pmpStart = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

func (ww *WebhookWriter) status(m *msglog.Message, ts, status, pricingObj, code string) error {
	b := ww.open(m.Business, "messages")
	b = append(b, `"statuses":[{"id":`...)
	b = strconv.AppendQuote(b, m.ID)
	b = append(b, `,"status":"`+status+`","timestamp":"`...)
	b = append(b, ts...)
	b = append(b, `","recipient_id":"`...)
	b = append(b, m.Customer...)
	b = append(b, '"')
	if pricingObj != "" {
		b = append(b, `,"pricing":`...)
		b = append(b, pricingObj...)
	}
	if code != "" {
		b = append(b, `,"errors":[{"code":`+code+`,"title":"Message undeliverable"}]`...)
	}
	return ww.close(append(b, "}]"...))
}
