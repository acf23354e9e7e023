package window

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC)

func h(x float64) time.Time { return t0.Add(time.Duration(x * float64(time.Hour))) }

func TestCSWEdges(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name    string
		inbound []time.Time
		at      time.Time
		open    bool
	}{
		{"never wrote", nil, h(1), false},
		{"same instant as the customer message", []time.Time{h(0)}, h(0), true},
		{"one hour later", []time.Time{h(0)}, h(1), true},
		{"24h minus 1ns", []time.Time{h(0)}, h(24).Add(-time.Nanosecond), true},
		{"exactly 24h: the boundary is outside", []time.Time{h(0)}, h(24), false},
		{"24h plus 1ns", []time.Time{h(0)}, h(24).Add(time.Nanosecond), false},
		{"before the customer wrote", []time.Time{h(5)}, h(4), false},
		{"a second message restarts the window", []time.Time{h(0), h(20)}, h(43), true},
		{"restart boundary", []time.Time{h(0), h(20)}, h(44), false},
		{"an older message does not shorten it", []time.Time{h(20), h(0)}, h(43), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s State
			for _, in := range tc.inbound {
				s.Inbound(cfg, in, EntryNone)
			}
			if got := s.CSWOpen(cfg, tc.at); got != tc.open {
				t.Fatalf("CSWOpen = %v, want %v", got, tc.open)
			}
			if got := s.Peek(cfg, tc.at).InCSW; got != tc.open {
				t.Fatalf("Peek.InCSW = %v, want %v", got, tc.open)
			}
		})
	}
}

func TestFEP(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name      string
		entry     EntryPoint
		reply     time.Time // first delivered reply
		at        time.Time // message to check
		inFEP     bool
		fepOpened bool // for the reply
	}{
		{"ad reply at 23h opens FEP", EntryAd, h(23), h(23), true, true},
		{"page reply opens FEP too", EntryPage, h(1), h(60), true, true},
		{"FEP lasts 72h from the reply", EntryAd, h(23), h(95).Add(-time.Nanosecond), true, true},
		{"FEP boundary is outside", EntryAd, h(23), h(95), false, true},
		{"reply at exactly 24h is too late", EntryAd, h(24), h(24), false, false},
		{"no entry point, no FEP", EntryNone, h(1), h(2), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s State
			s.Inbound(cfg, h(0), tc.entry)
			st := s.Deliver(cfg, tc.reply)
			if st.FEPOpened != tc.fepOpened {
				t.Fatalf("reply FEPOpened = %v, want %v", st.FEPOpened, tc.fepOpened)
			}
			if tc.at.Equal(tc.reply) {
				if st.InFEP != tc.inFEP {
					t.Fatalf("reply InFEP = %v, want %v", st.InFEP, tc.inFEP)
				}
				return
			}
			got := s.Deliver(cfg, tc.at)
			if got.InFEP != tc.inFEP || got.FEPOpened {
				t.Fatalf("at %v: InFEP=%v FEPOpened=%v, want InFEP=%v and not opened again", tc.at.Sub(t0), got.InFEP, got.FEPOpened, tc.inFEP)
			}
		})
	}
}

func TestPeekDoesNotOpenFEP(t *testing.T) {
	cfg := DefaultConfig()
	var s State
	s.Inbound(cfg, h(0), EntryAd)
	if st := s.Peek(cfg, h(1)); !st.FEPOpened {
		t.Fatal("peek at 1h should report that a delivery would open the FEP")
	}
	// A failed reply at 1h must not open it: the FEP then starts at the next delivery.
	st := s.Deliver(cfg, h(2))
	if !st.FEPOpened || !st.FEPEnd.Equal(h(74)) {
		t.Fatalf("FEP from the first delivery: opened=%v end=%v, want end at 74h", st.FEPOpened, st.FEPEnd.Sub(t0))
	}
}

func TestFEPIndependentOfCSW(t *testing.T) {
	// T-C3 / PMP-08: the CSW ends 24h after the customer's message, the FEP
	// runs 72h from the reply.
	cfg := DefaultConfig()
	var s State
	s.Inbound(cfg, h(0), EntryAd)
	s.Deliver(cfg, h(12))
	st := s.Peek(cfg, h(30))
	if st.InCSW || !st.InFEP {
		t.Fatalf("at 30h: InCSW=%v InFEP=%v, want CSW closed and FEP open", st.InCSW, st.InFEP)
	}
}

func TestConfigurableFEP(t *testing.T) {
	cfg := DefaultConfig()
	cfg.FEP = 48 * time.Hour
	var s State
	s.Inbound(cfg, h(0), EntryAd)
	s.Deliver(cfg, h(1))
	if s.Peek(cfg, h(49)).InFEP {
		t.Fatal("a 48h FEP window must be closed at 49h")
	}
}

func TestConversations(t *testing.T) {
	var s State
	c := s.OpenConversation(1, "marketing", h(0), ConversationLength)
	if !c.Open(h(23)) || c.Open(h(24)) {
		t.Fatal("a conversation covers [start, start+24h)")
	}
	if _, ok := s.Conversation("marketing", h(5)); !ok {
		t.Fatal("open marketing conversation not found")
	}
	if _, ok := s.Conversation("utility", h(5)); ok {
		t.Fatal("no utility conversation was opened")
	}
	s.OpenConversation(2, "utility", h(4), ConversationLength)
	s.CloseConversations(h(6))
	if _, ok := s.AnyConversation(h(6)); ok {
		t.Fatal("CloseConversations must end every open conversation")
	}
}

func TestIdle(t *testing.T) {
	cfg := DefaultConfig()
	var s State
	if !s.Idle(cfg, h(0)) {
		t.Fatal("a fresh state is idle")
	}
	s.Inbound(cfg, h(0), EntryAd)
	s.Deliver(cfg, h(1))
	if s.Idle(cfg, h(30)) {
		t.Fatal("the FEP window (until 73h) keeps the state alive")
	}
	if !s.Idle(cfg, h(73)) {
		t.Fatal("idle once every window has closed")
	}
}

// PMP-08b: a customer comes back through an ad while a free-entry-point
// window is open. Ads at 0 h and 70 h, replies at 1 h, 72 h and 80 h.
// after-close (default): the 72 h reply is inside the first window
// (0 h+1 h .. 73 h) and changes nothing; the 80 h reply, after it closed
// and within 24 h of the second ad, opens a fresh one to 152 h. extend:
// the 72 h reply extends the window to 144 h, and the 80 h reply (still
// within 24 h of the second ad, which ends at 94 h) extends it to 152 h.
func TestFEPReentry(t *testing.T) {
	h := func(x float64) time.Time {
		return time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(x * float64(time.Hour)))
	}
	for _, c := range []struct {
		extend bool
		opened [3]bool
		end    [3]float64
	}{
		{false, [3]bool{true, false, true}, [3]float64{73, 73, 152}},
		{true, [3]bool{true, true, true}, [3]float64{73, 144, 152}},
	} {
		cfg := DefaultConfig()
		cfg.FEPExtend = c.extend
		var s State
		s.Inbound(cfg, h(0), EntryAd)
		for i, at := range []float64{1, 72, 80} {
			if at == 72 {
				s.Inbound(cfg, h(70), EntryAd)
			}
			st := s.Deliver(cfg, h(at))
			if !st.InFEP || st.FEPOpened != c.opened[i] || !st.FEPEnd.Equal(h(c.end[i])) {
				t.Errorf("extend=%v reply at %vh: in %v opened %v end %s, want opened %v end %vh", c.extend, at, st.InFEP, st.FEPOpened, st.FEPEnd, c.opened[i], c.end[i])
			}
		}
	}
}
