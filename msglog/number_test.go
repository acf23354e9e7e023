package msglog

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestNumberLessAgreesWithStrings(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	num := func() string {
		b := make([]byte, 1+rng.IntN(15))
		for i := range b {
			b[i] = byte('0' + rng.IntN(3)) // few digits: many shared prefixes
		}
		return string(b)
	}
	for range 200000 {
		a, b := num(), num()
		if a == b {
			continue
		}
		ka, _ := NumberKey(a)
		kb, _ := NumberKey(b)
		if got := NumberLess(ka, kb); got != (a < b) {
			t.Fatalf("NumberLess(%s, %s) = %v", a, b, got)
		}
	}
}

// TestLessWithKeys: messages carrying their number keys order as the
// numbers' strings do.
func TestLessWithKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	customers := []string{"34600000001", "34600000002", "3460000000", "346000000010", "4915100000", "07700900", "7700900", "123456789012345", "alice", ""}
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	msg := func() Message {
		c := customers[rng.IntN(len(customers))]
		return Message{Time: t0.Add(time.Duration(rng.IntN(2)) * time.Second), Direction: Direction(rng.IntN(2)), Business: "1555",
			Customer: c, ID: []string{"", "a", "b"}[rng.IntN(3)], Pos: Pos{Seq: int64(rng.IntN(2))}}
	}
	for range 50000 {
		a, b := msg(), msg()
		want := Less(&a, &b)
		a.CustomerKey, _ = NumberKey(a.Customer)
		b.CustomerKey, _ = NumberKey(b.Customer)
		if got := Less(&a, &b); got != want {
			t.Fatalf("Less(%+v, %+v) = %v with keys, %v without", a, b, got, want)
		}
	}
}

// TestMessageLayout: the fields every replay reads lie in the first three
// cache lines, and messages in a slice keep to whole lines.
func TestMessageLayout(t *testing.T) {
	var m Message
	for name, got := range map[string]uintptr{
		"Business": unsafe.Offsetof(m.Business), "Type": unsafe.Offsetof(m.Type),
		"TemplateName": unsafe.Offsetof(m.TemplateName), "size": unsafe.Sizeof(m),
	} {
		want := map[string]uintptr{"Business": 64, "Type": 128, "TemplateName": 192, "size": 256}[name]
		if got != want {
			t.Errorf("%s at %d, want %d", name, got, want)
		}
	}
}

// TestPlainStringEnd: the one-pass search and check agrees with finding
// the quote and checking the bytes before it, with quotes, backslashes,
// control bytes and UTF-8 (valid and not) at every position.
func TestPlainStringEnd(t *testing.T) {
	alphabet := []byte{'a', '"', '\\', 0x1f, ' ', 0xc3, 0xa9, 0xff, '9'}
	x := uint64(7)
	for n := 0; n < 200000; n++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b := make([]byte, x%23)
		for i := range b {
			b[i] = 'a'
			if (x>>(i%50))&7 == 0 {
				b[i] = alphabet[(x>>(i%40))%uint64(len(alphabet))]
			}
		}
		end, plain := plainStringEnd(b)
		wantEnd := bytes.IndexByte(b, '"')
		wantPlain := wantEnd >= 0 && plainString(b[:wantEnd])
		if end != wantEnd || (end >= 0 && plain != wantPlain) {
			t.Fatalf("%q: end %d plain %v, want %d %v", b, end, plain, wantEnd, wantPlain)
		}
	}
}

// Customer numbers are never invented: a decimal or a signed number is a
// row error, and 00 is the international prefix; on every path (CSV's
// plain and quoted fields, NDJSON strings and numbers).
func TestCustomerNumbers(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"919876543210", "919876543210"},
		{"00919876543210", "919876543210"},
		{"0091 98765 43210", "919876543210"},
		{"+91 98765 43210", "919876543210"},
		{"+55.11.98765.4321", "5511987654321"},
		{"919876543210.0", "error: written as a decimal number"},
		{"919876543210.00", "error: written as a decimal number"},
		{"-919876543210", "error: it has a sign"},
		{"9.1987654321E+11", "error: is not a phone number"},
		{"0091", "error: has 2 digits"},
		{"00000000", "error: 00 where its country code should be"},
		{"+0091987654321", "error: 00 where its country code should be"},
	} {
		csvIn := "timestamp,customer,direction\n2026-10-01T10:00:00Z," + c.in + ",in\n"
		quoted := "timestamp,customer,direction\n2026-10-01T10:00:00Z,\"" + c.in + "\",in\n"
		ndString := `{"timestamp":"2026-10-01T10:00:00Z","customer":"` + c.in + `","direction":"in"}` + "\n"
		inputs := map[string]string{"f.csv": csvIn, "q.csv": quoted, "s.ndjson": ndString}
		if _, err := strconv.ParseFloat(c.in, 64); err == nil && !strings.HasPrefix(c.in, "00") && !strings.HasPrefix(c.in, "+") {
			inputs["n.ndjson"] = `{"timestamp":"2026-10-01T10:00:00Z","customer":` + c.in + `,"direction":"in"}` + "\n"
		}
		for name, in := range inputs {
			ms, errs := readAll(t, in, Options{Name: name})
			got := ""
			if len(ms) == 1 {
				got = ms[0].Customer
				if key, _ := NumberKey(got); ms[0].CustomerKey != key {
					t.Errorf("%s %q: key %x for %s", name, c.in, ms[0].CustomerKey, got)
				}
			} else if len(errs) == 1 {
				got = "error: " + errs[0]
			}
			if w, isErr := strings.CutPrefix(c.want, "error: "); isErr {
				if !strings.Contains(got, w) || !strings.Contains(got, "customer:") {
					t.Errorf("%s %q: %q, want a customer error with %q", name, c.in, got, w)
				}
			} else if got != c.want {
				t.Errorf("%s %q: %q, want %q", name, c.in, got, c.want)
			}
		}
	}
	// A CSV log read in parts puts a 00 number in the part of its number.
	in := "timestamp,customer,direction\n2026-10-01T10:00:00Z,00919876543210,in\n"
	found := 0
	for i := range 3 {
		r, err := NewReader(strings.NewReader(in), Options{Name: "p.csv", Part: Part{I: i, N: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if m, err := next(r); err == nil {
			found++
			if i != PartOf("919876543210", 3) {
				t.Errorf("part %d read it; its number is part %d's", i, PartOf("919876543210", 3))
			}
			_ = m
		}
	}
	if found != 1 {
		t.Errorf("%d parts read the row", found)
	}
}
