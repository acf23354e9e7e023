package msglog

import (
	"bytes"
	"encoding/json"
	"math/bits"
	"unicode/utf8"

	"github.com/wacost/wacost/internal/swar"
)

// scanObject reads one flat JSON object (a log row) without building a
// map: each key is matched case-insensitively to a canonical column, and
// string, number and boolean values are kept; null means absent. It
// returns ok=false for anything it does not handle plainly (escapes,
// non-ASCII keys, syntax errors): the caller then uses encoding/json, so
// errors and edge cases read exactly as before. nested is the first
// canonical column whose value is an object or array.
func (r *ndjsonReader) scanObject(b []byte) (ok bool, nested int) {
	nested = -1
	r.has, r.given, r.twice = [numColumns]bool{}, [numColumns]bool{}, -1
	nkey := 0 // the key's position in the object
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false, -1
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipWS(b, i+1) == len(b), -1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false, -1
		}
		var k int
		var known bool
		if e := r.sameKey(nkey, b[i+1:]); e != nil {
			// The key of the line before at this place (plain: checked then).
			k, known = e.k, e.known
			i = skipWS(b, i+2+len(e.raw))
		} else {
			end, plain := plainStringEnd(b[i+1:])
			if end < 0 || !plain {
				return false, -1
			}
			key := b[i+1 : i+1+end]
			i = skipWS(b, i+2+end)
			k, known = r.keyAt(nkey, key)
		}
		if i >= len(b) || b[i] != ':' {
			return false, -1
		}
		i = skipWS(b, i+1)
		nkey++
		if !known && k == -2 {
			return false, -1 // a key the fast path cannot fold (non-ASCII)
		}
		if known {
			if r.given[k] && r.twice < 0 {
				r.twice = k
			}
			r.given[k] = true
		}
		if i >= len(b) {
			return false, -1
		}
		switch c := b[i]; {
		case c == '"':
			end, plain := plainStringEnd(b[i+1:])
			if end < 0 || !plain {
				return false, -1
			}
			v := b[i+1 : i+1+end]
			if known {
				r.set(k, v)
			}
			i += end + 2
		case c == '{' || c == '[':
			j, ok := skipNested(b, i)
			if !ok || !json.Valid(b[i:j]) {
				return false, -1
			}
			if known && nested < 0 {
				nested = k
			}
			i = j
		default:
			j := i
			for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ' ' && b[j] != '\t' && b[j] != '\r' && b[j] != '\n' {
				j++
			}
			tok := b[i:j]
			switch {
			case string(tok) == "null":
				if known {
					r.has[k] = false
				}
			case string(tok) == "true" || string(tok) == "false" || isJSONNumber(tok):
				if known {
					r.set(k, tok)
				}
			default:
				return false, -1
			}
			i = j
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return false, -1
		}
		if b[i] == '}' {
			return skipWS(b, i+1) == len(b), nested
		}
		if b[i] != ',' {
			return false, -1
		}
		i = skipWS(b, i+1)
	}
}

// plainStringEnd finds the quote that closes a JSON string whose contents
// start b (-1 if none), and whether the contents are plain as
// plainString says. Short strings are read eight bytes at a time, the
// search and the check in one pass.
func plainStringEnd(b []byte) (end int, plain bool) {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := swar.Word(b, i)
		if q := swar.Match(w, '"'); q != 0 {
			end = i + bits.TrailingZeros64(q)/8
			return end, plainString(b[i:end]) // the bytes before, in this word
		}
		if !swar.ASCII(w) || swar.HasLess(w, 0x20) || swar.Has(w, '\\') {
			break // the full search and check below decide
		}
	}
	end = bytes.IndexByte(b[i:], '"')
	if end < 0 {
		return -1, false
	}
	end += i
	return end, plainString(b[i:end])
}

// plainString reports whether a JSON string's contents need no decoding:
// no escapes, no control characters, valid UTF-8.
func plainString(v []byte) bool {
	// Eight bytes at a time while they are ASCII: no byte below 0x20 and
	// none a backslash.
	i := 0
	for ; i+8 <= len(v); i += 8 {
		w := swar.Word(v, i)
		if !swar.ASCII(w) {
			break // the byte loop below decides
		}
		if swar.HasLess(w, 0x20) || swar.Has(w, '\\') {
			return false
		}
	}
	ascii := true
	for _, c := range v[i:] {
		if c == '\\' || c < 0x20 {
			return false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	return ascii || utf8.Valid(v)
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipNested skips an object or array, minding strings.
func skipNested(b []byte, i int) (int, bool) {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return i, false
}

// isJSONNumber checks JSON's number grammar.
func isJSONNumber(t []byte) bool {
	i := 0
	if i < len(t) && t[i] == '-' {
		i++
	}
	if i >= len(t) {
		return false
	}
	if t[i] == '0' {
		i++
	} else if t[i] >= '1' && t[i] <= '9' {
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(t) && t[i] == '.' {
		i++
		j := i
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		j := i
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(t)
}

// keyAt is column(key) for the object's n-th key when it is not the key
// met at that position on the line before (sameKey tries that first:
// lines of one log mostly spell their keys in the same order). It is found
// in a small open-addressed table of the keys met (a log spells the same
// dozen), and remembered for the position.
func (r *ndjsonReader) keyAt(n int, key []byte) (int, bool) {
	e := r.keyEntry(key)
	if e == nil {
		return r.column(key) // a crowded table: no caching
	}
	if n < len(r.lastKeys) {
		r.lastKeys[n] = e
	}
	return e.k, e.known
}

// sameKey is the entry of the key met at position n on the line before,
// if b (a line from just after a key's opening quote) starts with that
// key and its closing quote.
func (r *ndjsonReader) sameKey(n int, b []byte) *keySeen {
	if n >= len(r.lastKeys) {
		return nil
	}
	e := r.lastKeys[n]
	if e == nil || len(b) <= len(e.raw) || b[len(e.raw)] != '"' || string(b[:len(e.raw)]) != e.raw {
		return nil
	}
	return e
}

// keyEntry finds or adds key's entry in the keys table (nil if the table
// is full around the key's slot).
func (r *ndjsonReader) keyEntry(key []byte) *keySeen {
	h := uint32(2166136261) // FNV-1a
	for _, c := range key {
		h = (h ^ uint32(c)) * 16777619
	}
	n := uint32(len(r.keyCache))
	for p := uint32(0); p < 4; p++ {
		e := &r.keyCache[(h+p)%n]
		if !e.ok {
			k, known := r.column(key)
			*e = keySeen{raw: string(key), k: k, known: known, ok: true}
			return e
		}
		if e.raw == string(key) {
			return e
		}
	}
	return nil
}

// keySeen is a key met before.
type keySeen struct {
	raw       string
	k         int
	known, ok bool
}

// column finds a key's canonical column: (k, true); (-1, false) for other
// keys; (-2, false) when the key is not plain ASCII.
func (r *ndjsonReader) column(key []byte) (int, bool) {
	var low [64]byte
	if len(key) > len(low) {
		return -1, false
	}
	for i, c := range key {
		if c >= 0x80 {
			return -2, false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	l := low[:len(key)]
	if k, ok := r.keys[string(bytes.TrimSpace(l))]; ok {
		return k, true
	}
	return -1, false
}

func (r *ndjsonReader) set(k int, v []byte) {
	r.has[k] = true
	r.raw[k] = v
}
