package render

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
)

// Masker replaces customer numbers with pseudonyms in what a run writes.
// With a key, a number's pseudonym is "c" and the first 12 hex digits of
// HMAC-SHA256(key, number): the same in every run with that key, so two
// masked outputs can be joined, and not to be undone without the key.
// Without one, numbers are named c1, c2, ... in the order they first
// appear: the same for the same input, but not comparable across inputs.
//
// A Masker may be used from several goroutines (a run's ledger and its
// bad rows).
type Masker struct {
	key  []byte
	mu   sync.Mutex
	seen map[string]string
}

// NewMasker returns a Masker with key ("" for pseudonyms by appearance).
func NewMasker(key string) *Masker {
	m := &Masker{seen: map[string]string{}}
	if key != "" {
		m.key = []byte(key)
	}
	return m
}

// Mask is number's pseudonym ("" stays "").
func (m *Masker) Mask(number string) string {
	if number == "" {
		return ""
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.seen[number]; ok {
		return p
	}
	var p string
	if m.key != nil {
		h := hmac.New(sha256.New, m.key)
		h.Write([]byte(number))
		p = "c" + hex.EncodeToString(h.Sum(nil))[:12]
	} else {
		p = "c" + strconv.Itoa(len(m.seen)+1)
	}
	m.seen[number] = p
	return p
}
