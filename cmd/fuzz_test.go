package cmd

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzConfig: a config file is read into settings that check themselves,
// or refused with a usage error naming the file; never a crash.
func FuzzConfig(f *testing.F) {
	f.Add("regime: 2025-07\ntimezone: America/Sao_Paulo\nservice-quota: 500\nmap:\n  customer: wa_id\ngroup-by: [month, market]\n")
	f.Add("skip-invalid: true\nmax-errors: 5\nreorder-buffer: 99999999999\nthreshold: ['cost<5']\nfep-window: 48h\n")
	f.Add("business-hours:\n  timezone: Europe/Berlin\n  weekly: {mon-fri: '09:00-17:00'}\n  holidays: [2026-12-25]\nmask-key: k\n")
	f.Add("tariff: [1, 2]\nlate-replies: {a: b}\nshard: 3/2\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in string) {
		path := filepath.Join(dir, "wacost.yaml")
		if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		s := &streams{ctx: context.Background(), in: strings.NewReader(""), out: io.Discard, err: io.Discard}
		c, _, err := newRootCmd(s).Find([]string{"simulate"})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ParseFlags([]string{"--config", path}); err != nil {
			t.Fatal(err)
		}
		v, err := loadConfig(c)
		if err != nil {
			if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), "--") {
				t.Fatalf("not a usage error naming the file or the flag: %T %v", err, err)
			}
			return
		}
		_ = replaySettingsFrom(v).Validate()
	})
}
