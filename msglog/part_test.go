package msglog

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// readParts reads in in n parts and puts what they give back in line
// order: the messages and row errors, as text. Each part's messages
// must be its customers'.
func readParts(t *testing.T, in string, n int) ([]string, error) {
	t.Helper()
	type item struct {
		line int
		text string
	}
	var all []item
	for i := range n {
		r, err := NewReader(strings.NewReader(in), Options{Name: "f.csv", Format: FormatCSV, Part: Part{I: i, N: n}})
		if err != nil {
			return nil, err
		}
		for {
			m, err := next(r)
			if err == io.EOF {
				break
			}
			if err != nil {
				if !isRowError(err) {
					return nil, err
				}
				all = append(all, item{err.(*RowError).Line, "error " + err.Error()})
				continue
			}
			if p := PartOf(m.Customer, n); p != i {
				t.Fatalf("part %d of %d read line %d, whose customer %s is in part %d", i, n, m.Pos.Line, m.Customer, p)
			}
			all = append(all, item{m.Pos.Line, messageText(t, &m)})
		}
	}
	slices.SortStableFunc(all, func(a, b item) int { return a.line - b.line })
	out := make([]string, len(all))
	for i, it := range all {
		out[i] = it.text
	}
	return out, nil
}

// checkParts: read in 2, 3 and 5 parts, in gives every message and row
// error that reading it whole gives, each once.
func checkParts(t *testing.T, in string) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), Options{Name: "f.csv", Format: FormatCSV})
	if err != nil {
		return
	}
	whole := readAllFrom(t, r)
	if len(whole) > 0 && strings.HasPrefix(whole[len(whole)-1], "error ") && !strings.Contains(whole[len(whole)-1], "f.csv:") {
		return // a fatal error ends the read
	}
	for _, n := range []int{2, 3, 5} {
		got, err := readParts(t, in, n)
		if err != nil {
			t.Fatalf("%d parts: %v", n, err)
		}
		if strings.Join(got, "\n") != strings.Join(whole, "\n") {
			t.Fatalf("%d parts:\n%s\nwhole:\n%s", n, strings.Join(got, "\n"), strings.Join(whole, "\n"))
		}
	}
}

// TestPartsReadEachRowOnce: read in parts, a log gives the messages and
// row errors of the whole, each from one part, over rows of usual,
// unusual and bad values (customers written plainly, with a '+',
// spaced, or not at all), quoted fields (some over two lines), blank
// lines, and rows with too few or too many fields.
func TestPartsReadEachRowOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	customers := append([]string{"+5511987654321", "\"34600000001\"", "\"+55 11\n98765-4321\""}, usualVocab[ColCustomer]...)
	for range 40 {
		cols := randomColumns(rng, []string{ColType, ColCategory, ColBusiness, ColStatus, ColID}, 2)
		var in strings.Builder
		in.WriteString(strings.Join(cols, ",") + "\n")
		for range 200 {
			switch rng.IntN(20) {
			case 0:
				in.WriteString("\n")
				continue
			case 1:
				in.WriteString("2026-10-01T10:00:00Z,5511987654321\n")
				continue
			}
			for i, c := range cols {
				if i > 0 {
					in.WriteByte(',')
				}
				vs := usualVocab[c]
				if c == ColCustomer {
					vs = customers
				}
				v := vs[0]
				if rng.IntN(3) == 0 {
					v = vs[rng.IntN(len(vs))]
				}
				if c == ColID && rng.IntN(10) == 0 {
					v = `"wamid,` + fmt.Sprint(rng.IntN(9)) + `"`
				}
				in.WriteString(v)
			}
			if rng.IntN(30) == 0 {
				in.WriteString(",extra")
			}
			in.WriteByte('\n')
		}
		checkParts(t, in.String())
	}
}

func FuzzCSVPartsEqualWhole(f *testing.F) {
	f.Add("timestamp,id,business,customer,direction,type,category,status,entry_point\n2025-08-01T00:00:09Z,wamid.1,15550100001,527733590544,in,text,,,\n2025-08-01T00:00:28Z,wamid.2,15550100001,+913446013941,out,template,utility,read,page\n")
	f.Add("customer,direction,timestamp\n\"5511987654321\",out,1759312800\n+55 11 98765-4321,in,2026-10-01T10:00:00Z\n123,in,x\n")
	f.Fuzz(func(t *testing.T, in string) { checkParts(t, in) })
}

// TestPartOfIsFNV: PartOf and ShardOf are FNV-1a 64 as hash/fnv has it
// (the documented shard hash), for strings and bytes alike.
func TestPartOfIsFNV(t *testing.T) {
	for _, c := range []struct {
		s    string
		want uint64
	}{{"", 0xcbf29ce484222325}, {"a", 0xaf63dc4c8601ec8c}, {"5511987654321", fnvStd("5511987654321")}} {
		if got := fnv64a(c.s); got != c.want {
			t.Errorf("fnv64a(%q) = %x, want %x", c.s, got, c.want)
		}
		if got := fnv64a([]byte(c.s)); got != c.want {
			t.Errorf("fnv64a([]byte(%q)) = %x, want %x", c.s, got, c.want)
		}
		for n := 1; n < 6; n++ {
			if PartOf(c.s, n) != int(c.want%uint64(n)) || ShardOf(c.s, n) != PartOf(c.s, n)+1 {
				t.Errorf("%q in %d: part %d, shard %d", c.s, n, PartOf(c.s, n), ShardOf(c.s, n))
			}
		}
	}
}

func TestPartOfOtherFormats(t *testing.T) {
	_, err := NewReader(strings.NewReader(`{"timestamp":"2026-10-01T10:00:00Z"}`), Options{Name: "f.ndjson", Part: Part{I: 0, N: 2}})
	if err == nil || !strings.Contains(err.Error(), ErrPartFormat.Error()) {
		t.Fatalf("NDJSON in parts: %v, want %v", err, ErrPartFormat)
	}
}

func fnvStd(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// TestPartsAllSeeAFatalError: a read error ends every part's reading
// (it is no row's, so no part may skip it as another part's), also one
// met inside a record.
func TestPartsAllSeeAFatalError(t *testing.T) {
	// The last record is quoted over lines, so the error comes while its
	// lines are gathered, after its first has been read.
	in := "timestamp,customer,direction\n2026-10-01T10:00:00Z,5511987654321,in\n2026-10-01T10:00:01Z,34600000001,in\n2026-10-01T10:00:02Z,\"+34\n600"
	for i := range 3 {
		r, err := NewReader(io.MultiReader(strings.NewReader(in), &failOnce{}), Options{Name: "f.csv", Format: FormatCSV, Part: Part{I: i, N: 3}})
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; ; n++ {
			_, err := next(r)
			if err != nil && !isRowError(err) {
				if err == io.EOF || !strings.Contains(err.Error(), "f.csv: disk gone") {
					t.Fatalf("part %d: %v, want the read error", i, err)
				}
				break
			}
			if n > 10 {
				t.Fatalf("part %d: no end", i)
			}
		}
	}
}

// failOnce fails its first read, then is at its end: an error that a
// reader could lose by reading on.
type failOnce struct{ failed bool }

func (f *failOnce) Read([]byte) (int, error) {
	if f.failed {
		return 0, io.EOF
	}
	f.failed = true
	return 0, errors.New("disk gone")
}
