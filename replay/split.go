package replay

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/wacost/wacost/msglog"
	"github.com/wacost/wacost/simulate"
	"github.com/wacost/wacost/stream"
)

// SplitFormat names the manifest's format.
const SplitFormat = "wacost-split/1"

// ManifestName is the manifest's file name in a split's directory.
const ManifestName = "split.json"

// Manifest describes a log split into parts by the shard hash: a replay
// of part i with --shard i/N is shard i/N of a replay of the whole log.
type Manifest struct {
	Format string `json:"format"`
	// ID tells one split from another (a hash of its parts' fingerprints).
	ID     string   `json:"id"`
	Shards int      `json:"shards"`
	Inputs []string `json:"inputs"`
	// Log fingerprints every part's messages as they read back: the log
	// print each part's partial carries, so that merge sees one log.
	Log simulate.LogPrint `json:"log"`
	// Rejected counts the rows the split could not read (with
	// --skip-invalid), which every part's replay counts as a replay of the
	// whole log would.
	Rejected int64 `json:"rejected"`
	// Notes are what the inputs' readers said, said again by every part.
	Notes []string `json:"notes,omitempty"`
	// BusinessNumbers are the businesses' display numbers the readers
	// knew, by phone-number id (a part's CSV has no place for them).
	BusinessNumbers map[string]string `json:"business_numbers,omitempty"`
	Parts           []ManifestPart    `json:"parts"`
}

// ManifestPart is one part of a split.
type ManifestPart struct {
	Shard int `json:"shard"`
	// File is the part's file name, in the manifest's directory.
	File     string `json:"file"`
	Messages int64  `json:"messages"`
	// Digest is the part's log print as a replay reads it (stream.RowPrint
	// summed over its messages at their place in the part).
	Digest string `json:"digest"`
}

// PartFile is the file name of part i of n.
func PartFile(i, n int) string { return fmt.Sprintf("part-%d-of-%d.csv", i, n) }

// Split reads the plan's inputs (any format) and writes their messages
// into n parts in dir by the shard hash of their customer, as wacost's
// CSV (every field kept), in the order a replay reads them, with a
// manifest. Bad rows are listed; without SkipInvalid they fail the split
// and nothing is written. Parts are written beside their final names and
// renamed when all is written.
func Split(ctx context.Context, p Plan, n int, dir string) (*Manifest, error) {
	if n < 1 || n > 10000 {
		return nil, &UsageError{fmt.Errorf("--shards %d: want 1 to 10000", n)}
	}
	if err := prepareDir(dir); err != nil {
		return nil, err
	}
	ins, cleanup, err := openInputs(p.Stdin, p.Files)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	r := &run{p: p, ins: ins, obs: observerOf(&p, ins)}
	defer r.obs.End()
	r.obs.Begin("splitting", 1)
	readers, closeAll, err := r.openReaders(msglog.Options{Workers: min(runtime.GOMAXPROCS(0), 4)}, p.Reorder)
	defer closeAll()
	if err != nil {
		return nil, err
	}
	m := &Manifest{Format: SplitFormat, Shards: n, Notes: r.said, BusinessNumbers: r.numbers}
	for _, in := range ins {
		m.Inputs = append(m.Inputs, in.name)
	}
	parts := make([]*partWriter, n)
	defer func() {
		for _, pw := range parts {
			if pw != nil {
				pw.abort()
			}
		}
	}()
	for i := range parts {
		if parts[i], err = newPartWriter(dir, i+1, n); err != nil {
			return nil, err
		}
	}
	errs := &rowErrors{w: r.obs, max: p.MaxErrors, mask: p.Mask}
	t := r.obs.Tally()
	src := &ctxReader{Reader: stream.Merge(readers...), ctx: ctx}
	var msg msglog.Message
	for {
		err := src.Read(&msg)
		if err == io.EOF {
			break
		}
		var re *msglog.RowError
		if errors.As(err, &re) {
			errs.add(err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if t != nil {
			t.Rows.Add(1)
		}
		if err := parts[msglog.PartOf(msg.Customer, n)].write(&msg); err != nil {
			return nil, err
		}
	}
	r.obs.End()
	errs.flush(p.SkipInvalid)
	if errs.count > 0 && !p.SkipInvalid {
		return nil, ErrBadRows
	}
	m.Rejected = int64(errs.count)
	var digest uint64
	h := sha256.New()
	fmt.Fprintf(h, "%s %d %d\n", SplitFormat, n, m.Rejected)
	for i, pw := range parts {
		if err := pw.finish(); err != nil {
			return nil, err
		}
		mp := ManifestPart{Shard: i + 1, File: PartFile(i+1, n), Messages: pw.rows, Digest: fmt.Sprintf("%016x", pw.digest)}
		m.Parts = append(m.Parts, mp)
		m.Log.Messages += pw.rows
		digest += pw.digest
		fmt.Fprintf(h, "%s %d %s\n", mp.File, mp.Messages, mp.Digest)
	}
	m.Log.Digest = fmt.Sprintf("%016x", digest)
	m.ID = hex.EncodeToString(h.Sum(nil))[:16]
	for i, pw := range parts {
		if err := os.Rename(pw.tmp, filepath.Join(dir, PartFile(i+1, n))); err != nil {
			return nil, err
		}
		parts[i] = nil
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, "."+ManifestName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, os.Rename(tmp, filepath.Join(dir, ManifestName))
}

// prepareDir makes dir, or checks that it holds nothing but an earlier
// split (its manifest and parts, which this split replaces): a split
// never writes among other files.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	old := map[string]bool{ManifestName: true}
	if prev, err := readManifest(dir); err == nil {
		for _, p := range prev.Parts {
			old[p.File] = true
		}
	}
	var others []string
	for _, e := range ents {
		if !old[e.Name()] {
			others = append(others, e.Name())
		}
	}
	if len(others) > 0 {
		sort.Strings(others)
		return &UsageError{fmt.Errorf("--out %s holds other files than an earlier split's (%s): give an empty or new directory", dir, strings.Join(others, ", "))}
	}
	for name := range old {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// partWriter writes one part beside its final name.
type partWriter struct {
	tmp    string
	f      *os.File
	bw     *bufio.Writer
	cw     *msglog.CSVWriter
	name   string
	rows   int64
	digest uint64
}

func newPartWriter(dir string, i, n int) (*partWriter, error) {
	f, err := os.CreateTemp(dir, "."+PartFile(i, n)+".*")
	if err != nil {
		return nil, err
	}
	pw := &partWriter{tmp: f.Name(), f: f, bw: bufio.NewWriterSize(f, 256<<10), name: filepath.Join(dir, PartFile(i, n))}
	if pw.cw, err = msglog.NewCSVWriter(pw.bw); err != nil {
		pw.abort()
		return nil, err
	}
	return pw, nil
}

// write writes m and adds it to the part's print as a replay of the part
// will read it: on its line (the header is line 1), of input 0, keyed by
// its number if it has one.
func (pw *partWriter) write(m *msglog.Message) error {
	pw.rows++
	back := *m
	line := int(pw.rows) + 1
	back.Pos = msglog.Pos{File: pw.name, Line: line, Seq: int64(line)}
	back.CustomerKey, _ = msglog.NumberKey(m.Customer)
	pw.digest += stream.RowPrint(&back)
	return pw.cw.Write(m)
}

func (pw *partWriter) finish() error {
	if err := pw.cw.Flush(); err != nil {
		return err
	}
	if err := pw.bw.Flush(); err != nil {
		return err
	}
	if err := pw.f.Chmod(0o644); err != nil {
		return err
	}
	if err := pw.f.Sync(); err != nil {
		return err
	}
	return pw.f.Close()
}

func (pw *partWriter) abort() {
	pw.f.Close()
	os.Remove(pw.tmp)
}

// readManifest reads dir's manifest.
func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
	}
	if m.Format != SplitFormat {
		return nil, fmt.Errorf("%s: format %q, want %s", filepath.Join(dir, ManifestName), m.Format, SplitFormat)
	}
	return &m, nil
}

// splitRun is a run over a split's parts.
type splitRun struct {
	m *Manifest
	// part is the one part a --shard run reads (nil: every part, as one log).
	part *ManifestPart
}

// selectParts finds whether the plan's inputs are parts of a split (files
// named in the manifest beside them). A --shard i/N run of parts keeps
// only part i in p.Files: it reads only its part. Parts of one split
// cannot be mixed with other inputs, or with another split's.
func selectParts(p *Plan) (*splitRun, error) {
	var sr *splitRun
	var plain []string
	byDir := map[string]*Manifest{}
	var files []string
	var nums []int
	for _, f := range p.Files {
		var mp *ManifestPart
		var m *Manifest
		if f != "-" {
			dir := filepath.Dir(f)
			var ok bool
			if m, ok = byDir[dir]; !ok {
				m, _ = readManifest(dir) // no manifest (or a bad one): not a part
				byDir[dir] = m
			}
			if m != nil {
				for i := range m.Parts {
					if m.Parts[i].File == filepath.Base(f) {
						mp = &m.Parts[i]
					}
				}
			}
		}
		if mp == nil {
			plain = append(plain, f)
			continue
		}
		if sr == nil {
			sr = &splitRun{m: m}
		} else if sr.m.ID != m.ID {
			return nil, &UsageError{fmt.Errorf("%s is a part of split %s, %s of split %s: give the parts of one split", f, m.ID, files[0], sr.m.ID)}
		}
		files, nums = append(files, f), append(nums, mp.Shard)
	}
	if sr == nil {
		return nil, nil
	}
	if len(plain) > 0 {
		return nil, &UsageError{fmt.Errorf("%s is a part of split %s, %s is not: give a split's parts alone", files[0], sr.m.ID, plain[0])}
	}
	if p.Shard.N == 0 {
		return sr, nil
	}
	if p.Shard.N != sr.m.Shards {
		return nil, &UsageError{fmt.Errorf("--shard %d/%d: %s is a part of a split into %d shards (give --shard I/%d)", p.Shard.I, p.Shard.N, files[0], sr.m.Shards, sr.m.Shards)}
	}
	for i, f := range files {
		if nums[i] == p.Shard.I {
			p.Files = []string{f}
			for j := range sr.m.Parts {
				if sr.m.Parts[j].Shard == nums[i] {
					sr.part = &sr.m.Parts[j]
				}
			}
			return sr, nil
		}
	}
	return nil, &UsageError{fmt.Errorf("--shard %d/%d: no part %d among the inputs (split %s's is %s)", p.Shard.I, p.Shard.N, p.Shard.I, sr.m.ID,
		PartFile(p.Shard.I, p.Shard.N))}
}

// checkPart checks that a --shard run read its part as the split wrote
// it, and gives the replay the split's whole-log print.
func (sr *splitRun) checkPart(f *Finished, shard *stream.ShardFilter) error {
	pt := sr.part
	if got := fmt.Sprintf("%016x", shard.Digest); shard.Rows != pt.Messages || got != pt.Digest || shard.Skipped != 0 {
		return fmt.Errorf("%s: %d messages (fingerprint %s, %d of other shards), but split %s wrote %d (fingerprint %s): the part was changed since the split",
			pt.File, shard.Rows, got, shard.Skipped, sr.m.ID, pt.Messages, pt.Digest)
	}
	f.Log = sr.m.Log
	f.OtherShards = sr.m.Log.Messages - pt.Messages
	f.Split = sr.m.ID
	return nil
}
