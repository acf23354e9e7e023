package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/wacost/wacost/msglog"
)

// FuzzMergeSealed: partials as JSON, changed anyhow and sealed again (as
// one changed by someone who recomputed the checksum), are merged or
// refused; a merge that succeeds gives a Result whose numbers agree.
func FuzzMergeSealed(f *testing.F) {
	env := newEnv(f)
	o := env.opts()
	o.Policy.ServiceQuota = 5
	o.Candidates = true
	ms := synthFrom(f, 400, 3, time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC), 6)
	var seed bytes.Buffer
	for i := 1; i <= 2; i++ {
		e, _ := New(o)
		for j := range ms {
			if msglog.ShardOf(ms[j].Customer, 2) == i {
				if err := e.Add(&ms[j]); err != nil {
					f.Fatal(err)
				}
			}
		}
		p := e.Partial(fmt.Sprintf("%d/2", i), 0, LogPrint{Messages: int64(len(ms)), Digest: "00000000000000aa"})
		json.NewEncoder(&seed).Encode(p)
	}
	f.Add(seed.String())
	f.Fuzz(func(t *testing.T, in string) {
		dec := json.NewDecoder(bytes.NewReader([]byte(in)))
		dec.DisallowUnknownFields()
		var parts []Partial
		for len(parts) < 8 {
			var p Partial
			if err := dec.Decode(&p); err == io.EOF {
				break
			} else if err != nil {
				return
			}
			if err := p.Seal(); err != nil {
				return
			}
			parts = append(parts, p)
		}
		if len(parts) == 0 {
			return
		}
		r, err := Merge(parts)
		if err != nil {
			return
		}
		s := r.Summary.Counts
		if s.Messages != s.Inbound+s.Outbound || s.Outbound != s.Free+s.Billed+s.Blocked+s.Undelivered || s.Cost < 0 {
			t.Fatalf("a merged result whose numbers do not agree: %+v", s)
		}
	})
}
