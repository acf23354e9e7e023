package window

import "time"

// Default durations, from the rules reference (G-02, PMP-08, CBP2-09).
const (
	// CSW is the customer-service window opened by each customer message.
	CSW = 24 * time.Hour
	// FEPReplyWithin is how long after an entry-point message the business may
	// reply and open a free-entry-point window.
	FEPReplyWithin = 24 * time.Hour
	// FEP is the length of a free-entry-point window, from the opening reply.
	FEP = 72 * time.Hour
	// Conversation is the length of a conversation (regimes 2022-02 to 2025-06).
	ConversationLength = 24 * time.Hour
)

// Config holds the durations a State uses. The zero value is not useful;
// start from DefaultConfig.
type Config struct {
	CSW            time.Duration
	FEPReplyWithin time.Duration
	FEP            time.Duration
	// FEPExtend settles PMP-08b, a customer coming in again through an
	// entry point while a free-entry-point window is open: false (the
	// default), the reply while it is open changes nothing and the first
	// reply after it closes, within FEPReplyWithin of the new entry, opens
	// a fresh one; true, every reply within FEPReplyWithin of an entry
	// opens or extends a window of FEP from that reply (PMP-08 read
	// literally).
	FEPExtend bool
}

// DefaultConfig returns the documented durations.
func DefaultConfig() Config {
	return Config{CSW: CSW, FEPReplyWithin: FEPReplyWithin, FEP: FEP}
}

// EntryPoint says how a customer message reached the business.
type EntryPoint uint8

const (
	// EntryNone is an ordinary message.
	EntryNone EntryPoint = iota
	// EntryAd is a message from a click-to-WhatsApp ad.
	EntryAd
	// EntryPage is a message from a Facebook Page call-to-action button.
	EntryPage
)

// String returns the log spelling of the entry point ("" for none).
func (e EntryPoint) String() string {
	switch e {
	case EntryAd:
		return "ad"
	case EntryPage:
		return "page"
	}
	return ""
}

// Category names a conversation's category. The window package does not
// interpret it; regimes decide which categories exist.
type Category string

// Conversation is an open (or expired) conversation of one category.
type Conversation struct {
	ID       uint64
	Category Category
	Start    time.Time
	End      time.Time // exclusive
}

// Open reports whether the conversation covers instant t.
func (c Conversation) Open(t time.Time) bool {
	return !c.Start.IsZero() && !t.Before(c.Start) && t.Before(c.End)
}

// State is the window state of one (business, customer) pair. The zero value
// is a pair that has never exchanged messages. State is a plain value: copy
// it freely; methods with pointer receivers update it in place.
type State struct {
	// The instants are Unix nanoseconds, 0 for none: a state is small
	// and holds no pointers but its conversations (a replay keeps one per
	// live customer). So times must lie within 1678..2262 and not be the
	// Unix epoch itself; msglog only reads years 2000 to 2199.
	//
	// lastInbound is the instant of the customer's latest message.
	lastInbound int64
	// fepEligibleUntil: a reply before this instant opens an FEP window.
	fepEligibleUntil int64
	// fepStart: the FEP window opened then runs for cfg.FEP.
	fepStart int64
	// convs holds conversations, at most one per category (the newest);
	// nil until the first (most regimes open none).
	convs *[]Conversation
}

// conversations returns the state's conversations (nil for none).
func (s *State) conversations() []Conversation {
	if s.convs == nil {
		return nil
	}
	return *s.convs
}

// Status is what the windows say about one business message at one instant.
type Status struct {
	// InCSW: a customer-service window is open (free-form messages allowed).
	InCSW bool
	// CSWEnd is when the current (or last) CSW closes; zero if the customer
	// never wrote.
	CSWEnd time.Time
	// InFEP: a free-entry-point window covers the message.
	InFEP bool
	// FEPOpened: this message is the reply that opened the FEP window.
	FEPOpened bool
	// FEPEnd is the end of the covering FEP window (when InFEP).
	FEPEnd time.Time
	// extend: the windows were read with Config.FEPExtend.
	extend bool
}

// Inbound records a customer message at t. It restarts the CSW and, for an
// entry-point message, makes a reply within cfg.FEPReplyWithin open an FEP
// window. Out-of-order calls (t before an earlier inbound) are ignored for
// the CSW, which always runs from the latest customer message.
func (s *State) Inbound(cfg Config, t time.Time, ep EntryPoint) {
	if n := t.UnixNano(); n > s.lastInbound || s.lastInbound == 0 {
		s.lastInbound = n
	}
	if ep != EntryNone {
		until := t.Add(cfg.FEPReplyWithin)
		if n := until.UnixNano(); n > s.fepEligibleUntil {
			s.fepEligibleUntil = n
		}
	}
}

// CSWOpen reports whether a customer-service window is open at t.
func (s *State) CSWOpen(cfg Config, t time.Time) bool {
	n := t.UnixNano()
	if s.lastInbound == 0 || n < s.lastInbound {
		return false
	}
	return n < s.lastInbound+int64(cfg.CSW)
}

// Peek reports the windows at t for a business message without changing
// the state (a message that will not be delivered).
func (s *State) Peek(cfg Config, t time.Time) Status {
	st := Status{InCSW: s.CSWOpen(cfg, t), extend: cfg.FEPExtend}
	n := t.UnixNano()
	if s.lastInbound != 0 {
		st.CSWEnd = time.Unix(0, s.lastInbound+int64(cfg.CSW)).UTC()
	}
	switch {
	case cfg.FEPExtend && n < s.fepEligibleUntil:
		st.InFEP, st.FEPOpened, st.FEPEnd = true, true, t.Add(cfg.FEP)
	case s.fepStart != 0 && n >= s.fepStart && n < s.fepStart+int64(cfg.FEP):
		st.InFEP, st.FEPEnd = true, time.Unix(0, s.fepStart+int64(cfg.FEP)).UTC()
	case n < s.fepEligibleUntil:
		st.InFEP, st.FEPOpened, st.FEPEnd = true, true, t.Add(cfg.FEP)
	}
	return st
}

// Deliver records the delivery of a business message at t and returns the
// windows that cover it. A reply inside the FEP reply period opens a new FEP
// window of cfg.FEP from t (PMP-08, CBP2-09). Messages that are not
// delivered (failed, blocked) must use Peek instead: they open nothing.
func (s *State) Deliver(cfg Config, t time.Time) Status {
	st := s.Peek(cfg, t)
	s.Delivered(t, st)
	return st
}

// Delivered is Deliver for a caller that has just peeked: st must be
// Peek(cfg, t), with the state unchanged since (an FEP window it opens
// runs for cfg.FEP, as Peek said).
func (s *State) Delivered(t time.Time, st Status) {
	if st.FEPOpened {
		s.fepStart = t.UnixNano()
		if !st.extend { // PMP-08b: a later reply in the reply period extends nothing
			s.fepEligibleUntil = 0
		}
	}
}

// Conversation returns the open conversation of category c at t, if any.
func (s *State) Conversation(c Category, t time.Time) (Conversation, bool) {
	for _, cv := range s.conversations() {
		if cv.Category == c && cv.Open(t) {
			return cv, true
		}
	}
	return Conversation{}, false
}

// AnyConversation returns an open conversation of any category at t.
func (s *State) AnyConversation(t time.Time) (Conversation, bool) {
	for _, cv := range s.conversations() {
		if cv.Open(t) {
			return cv, true
		}
	}
	return Conversation{}, false
}

// OpenConversation opens a conversation of category c at t lasting d, and
// returns it. It replaces an expired conversation of the same category.
func (s *State) OpenConversation(id uint64, c Category, t time.Time, d time.Duration) Conversation {
	cv := Conversation{ID: id, Category: c, Start: t, End: t.Add(d)}
	convs := s.conversations()
	for i := range convs {
		if convs[i].Category == c {
			convs[i] = cv
			return cv
		}
	}
	if s.convs == nil {
		s.convs = new([]Conversation)
	}
	*s.convs = append(*s.convs, cv)
	return cv
}

// CloseConversations ends every open conversation at t (an FEP conversation
// closes the others, CBP2-09).
func (s *State) CloseConversations(t time.Time) {
	convs := s.conversations()
	for i := range convs {
		if convs[i].Open(t) {
			convs[i].End = t
		}
	}
}

// Idle reports whether nothing in the state can matter at t or later:
// every window has closed. A caller may then drop the state to bound memory.
func (s *State) Idle(cfg Config, t time.Time) bool {
	n := t.UnixNano()
	if s.lastInbound != 0 && n < s.lastInbound+int64(cfg.CSW) {
		return false
	}
	if n < s.fepEligibleUntil || (s.fepStart != 0 && n < s.fepStart+int64(cfg.FEP)) {
		return false
	}
	for _, cv := range s.conversations() {
		if t.Before(cv.End) {
			return false
		}
	}
	return true
}
