package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/wacost/wacost/replay"
)

// readingFlags are the replay flags that split reads by: the others price,
// and a split prices nothing.
var readingFlags = map[string]bool{"input-format": true, "map": true, "value": true, "default-country": true, "time-format": true, "me": true,
	"date-order": true, "sends": true, "identity-map": true, "delimiter": true, "timezone": true, "skip-invalid": true, "max-errors": true,
	"reorder-buffer": true, "max-record-bytes": true, "progress": true, "kazakhstan-before-2026-10": true, "nanp-caribbean": true}

func newSplitCmd(s *streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "split LOG ... --shards N --out DIR",
		Short: "Split a log into N parts by the shard hash, for shards that read only their part",
		Long: `Read a log once (any input format) and write its messages into N parts in DIR,
part-I-of-N.csv, each holding the customers of shard I/N (the FNV-1a hash of
the number that --shard uses), as wacost's CSV with every field the readers
know (Meta's pricing label, echoes, the provider's price, customers known by
an id), and a manifest, split.json: the parts' sizes and fingerprints, the
rows that could not be read, and what the readers said.

'wacost simulate DIR/part-I-of-N.csv --shard I/N --format partial' then reads
only its part, and its partial is shard I/N of the whole log: it names the
split, and merge checks that all N parts are there, from one split, and
unchanged. Given all the parts (DIR/*.csv) with --shard I/N, a run opens only
part I. Run the parts with the pricing settings of a run over the whole log;
the reading ones (--input-format, --map, --default-country, ...) were the
split's. Times are written in UTC: give the parts the same --timezone.

Bad rows fail the split, and nothing is written; with --skip-invalid they are
counted in the manifest and in every part's result, as one run would count
them. DIR must be new, empty, or an earlier split's (whose files it replaces).`,
		Example: `  wacost split log.ndjson --shards 4 --out parts
  parallel wacost simulate parts/part-{}-of-4.csv --shard {}/4 --format partial -o parts/{}.json ::: 1 2 3 4
  wacost merge parts/?.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var priced []string
			c.Flags().Visit(func(f *pflag.Flag) {
				if f.Hidden {
					priced = append(priced, "--"+f.Name)
				}
			})
			if len(priced) > 0 {
				return usagef("%s: split reads and prices nothing; give it to the runs over the parts", strings.Join(priced, ", "))
			}
			v, o, err := replayCommandOptions(c, args)
			if err != nil {
				return err
			}
			n := v.GetInt("shards")
			dir := v.GetString("out")
			if dir == "" {
				return usagef("--out DIR is required: the directory of the parts")
			}
			if n < 1 {
				return usagef("--shards N is required: how many parts (1 or more)")
			}
			o.quiet = v.GetBool("quiet")
			o.mask = maskFrom(v)
			env, err := setupPricing(o)
			if err != nil {
				return err
			}
			m, err := replay.Split(s.ctx, planOf(s, o, env), n, dir)
			if err != nil {
				return replayError(err)
			}
			if !o.quiet {
				fmt.Fprintf(s.err, "wacost: split %s: %d messages into %d parts in %s (%d rows rejected)\n", m.ID, m.Log.Messages, n, dir, m.Rejected)
			}
			return nil
		},
	}
	addReplayFlags(c)
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !readingFlags[f.Name] {
			f.Hidden = true
		}
	})
	f := c.Flags()
	f.Int("shards", 0, "how many parts")
	f.String("out", "", "the directory of the parts and the manifest")
	f.BoolP("quiet", "q", false, "say nothing on stderr but bad rows")
	addMaskFlags(c)
	return c
}
