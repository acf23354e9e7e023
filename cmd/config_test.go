package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every count, duration and boolean is parsed strictly wherever it comes
// from: nothing is coerced into a value the user did not write.
func TestConfigValuesAreStrict(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wacost.yaml")
	for _, c := range []struct {
		file, env, val, want string
	}{
		{file: "service-quota: lots\n", want: `service-quota: "lots" is not a whole number`},
		{file: "service-quota: 1.5\n", want: "service-quota: 1.5 is not a whole number"},
		{file: "fep-window: 72\n", want: "fep-window: 72 is not a duration: give it a unit, e.g. 72h"},
		{file: "fep-window: \"72\"\n", want: `fep-window: "72" is not a duration`},
		{file: "skip-invalid: \"yes\"\n", want: `skip-invalid: "yes" is not a boolean`},
		{file: "skip-invalid: yes\n", want: `skip-invalid: "yes" is not a boolean`},
		{file: "skip-invalid: 1\n", want: "skip-invalid: 1 is not a boolean"},
		{file: "timezone: [UTC]\n", want: "timezone: [UTC]: want text"},
		{file: "map: [a, b]\n", want: `--map "a": want COLUMN=HEADER`},
		{file: "group-by: {month: x}\n", want: "group-by: want a list, not a mapping"},
		{file: "business-hours:\n  timezone: UTC\n  weekly: {mon: 09:00-17:00}\n  holiday: [2026-12-25]\n", want: "business-hours: unknown key holiday"},
		{file: "business-hours: 9-5\n", want: "business-hours: want a mapping"},
		{env: "WACOST_SERVICE_QUOTA", val: "abc", want: `WACOST_SERVICE_QUOTA: "abc" is not a whole number`},
		{env: "WACOST_FEP_WINDOW", val: "72", want: `WACOST_FEP_WINDOW: "72" is not a duration`},
		{env: "WACOST_SKIP_INVALID", val: "yes", want: `WACOST_SKIP_INVALID: "yes" is not a boolean`},
		{env: "WACOST_MAX_ERRORS", val: "1.5", want: `WACOST_MAX_ERRORS: "1.5" is not a whole number`},
	} {
		os.WriteFile(cfg, []byte(c.file), 0o644)
		if c.env != "" {
			t.Setenv(c.env, c.val)
		}
		r := wacost(t, "", "simulate", small, "--config", cfg)
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q %s=%s: exit %d, stderr %q; want exit 2 and %q", c.file, c.env, c.val, r.code, r.stderr, c.want)
		}
		if c.env != "" {
			os.Unsetenv(c.env)
		}
	}
	// Two bad settings are both named.
	os.WriteFile(cfg, []byte("service-quota: lots\nfep-window: 72\n"), 0o644)
	r := wacost(t, "", "simulate", small, "--config", cfg)
	if !strings.Contains(r.stderr, "service-quota") || !strings.Contains(r.stderr, "fep-window") {
		t.Errorf("both bad settings should be named: %q", r.stderr)
	}
}

// What the file and the environment may say is read as the flag would
// be: every setting that exists as a flag, lists and durations included.
func TestConfigEverySettingFromFileAndEnvironment(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wacost.yaml")
	log := filepath.Join(dir, "log.csv")
	// A customer message late on 2026-10-31 UTC is 2026-11-01 in Tokyo.
	os.WriteFile(log, []byte("timestamp,business,customer,direction\n2026-10-31T20:00:00Z,acme,5511987654321,in\n"), 0o644)
	month := func(r run) string {
		var doc struct {
			Groups []struct{ Month string }
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || len(doc.Groups) != 1 {
			t.Fatalf("exit %d, %s %s", r.code, r.stderr, r.stdout)
		}
		return doc.Groups[0].Month
	}
	os.WriteFile(cfg, []byte("format: json\ngroup-by: [month]\nbusiness-timezone: [acme=Asia/Tokyo]\n"), 0o644)
	if got := month(wacost(t, "", "simulate", log, "--config", cfg)); got != "2026-11" {
		t.Errorf("business-timezone from the file: month %s, want 2026-11", got)
	}
	os.WriteFile(cfg, []byte("format: json\ngroup-by: month\nbusiness-timezone:\n  acme: Asia/Tokyo\n"), 0o644)
	if got := month(wacost(t, "", "simulate", log, "--config", cfg)); got != "2026-11" {
		t.Errorf("business-timezone as a mapping: month %s, want 2026-11", got)
	}
	os.WriteFile(cfg, []byte("format: json\ngroup-by: [month]\n"), 0o644)
	t.Setenv("WACOST_BUSINESS_TIMEZONE", "acme=Asia/Tokyo")
	if got := month(wacost(t, "", "simulate", log, "--config", cfg)); got != "2026-11" {
		t.Errorf("WACOST_BUSINESS_TIMEZONE: month %s, want 2026-11", got)
	}
	// The flag beats the environment.
	if got := month(wacost(t, "", "simulate", log, "--config", cfg, "--business-timezone", "acme=UTC")); got != "2026-10" {
		t.Errorf("--business-timezone over the environment: month %s, want 2026-10", got)
	}
	os.Unsetenv("WACOST_BUSINESS_TIMEZONE")
	// A list in the environment: comma-separated, CSV-quoted.
	t.Setenv("WACOST_GROUP_BY", "month,market")
	t.Setenv("WACOST_FEP_WINDOW", "48h")
	t.Setenv("WACOST_MAP", "customer=number")
	os.WriteFile(log, []byte("timestamp,number,direction\n2026-10-31T20:00:00Z,5511987654321,in\n"), 0o644)
	r := wacost(t, "", "simulate", log, "--config", cfg)
	var doc struct {
		GroupBy  []string `json:"group_by"`
		Settings struct {
			FEP string `json:"fep_window"`
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || strings.Join(doc.GroupBy, ",") != "month,market" || doc.Settings.FEP != "48h0m0s" {
		t.Errorf("lists and durations from the environment: exit %d %s %s", r.code, r.stderr, r.stdout)
	}
}

// The shared replay settings check themselves, naming every bad one.
func TestReplaySettingsValidate(t *testing.T) {
	ok := replaySettings{InputFormat: "auto", Regime: "auto", Timezone: "UTC", LateReplies: "template", LateReplyCategory: "utility",
		ServiceQuota: 1000, FreeTier: 1000, MexicoFree: 1000, FEPWindow: 72 * time.Hour, MaxErrors: 20, ReorderBuffer: 4096, SortMemory: 250000,
		MaxRecordBytes: 1 << 20, Progress: "auto", KazakhstanPre: "Russia", NANPCaribbean: "Other"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	bad := ok
	bad.Timezone, bad.ServiceQuota, bad.FEPWindow, bad.Shard, bad.BusinessTimezone = "Mars/Olympus", -1, 0, "3/2", []string{"acme"}
	bad.MaxRecordBytes = 10
	err := bad.Validate()
	for _, want := range []string{"--timezone", "--service-quota", "--fep-window", `shard "3/2"`, "--business-timezone", "--max-record-bytes 10: want 1024 to 1073741824"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %s named in %v", want, err)
		}
	}
}

// An export in another shape is read with flags or a config file alone:
// its separator, column names, values, timestamp layout and national
// numbers; the same through --value flags and a values: section.
func TestReadingAnExportAsIs(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "export.csv")
	os.WriteFile(log, []byte("created_at;wa_id;from_me;kind\n03/10/2026 10:00;(11) 98765-4321;false;text\n03/10/2026 10:05;(11) 98765-4321;true;text\n"), 0o644)
	want := func(r run) {
		t.Helper()
		var doc struct {
			Summary struct{ Messages, Inbound, Free, Rejected int64 }
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.Summary.Messages != 2 || doc.Summary.Inbound != 1 || doc.Summary.Free != 1 {
			t.Fatalf("exit %d %s %+v", r.code, r.stderr, doc.Summary)
		}
	}
	flags := []string{"simulate", log, "-f", "json", "-q", "--map", "timestamp=created_at", "--map", "customer=wa_id", "--map", "direction=from_me", "--map", "type=kind",
		"--time-format", "%d/%m/%Y %H:%M", "--default-country", "br"}
	want(wacost(t, "", append(flags, "--value", "direction:true=out", "--value", "direction:false=in")...))
	cfg := filepath.Join(dir, "wacost.yaml")
	os.WriteFile(cfg, []byte("values:\n  direction: {true: out, false: in}\n"), 0o644)
	want(wacost(t, "", append(flags, "--config", cfg)...))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--map", "customer=phone"}, "--map customer=wa_id and customer=phone: customer is mapped twice"},
		{[]string{"--value", "mood:x=y"}, "--value mood: no such column"},
		{[]string{"--value", "direction=out"}, `--value "direction=out": want COLUMN:VALUE=READ_AS`},
		{[]string{"--default-country", "XX"}, `--default-country "XX": want one of`},
		{[]string{"--time-format", "%Q"}, "--time-format: time format"},
		{[]string{"--delimiter", "ab"}, `--delimiter "ab": want one character`},
	} {
		if r := wacost(t, "", append(append([]string{}, flags...), c.args...)...); r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want %s", c.args, r.code, r.stderr, c.want)
		}
	}
	os.WriteFile(cfg, []byte("value: ['direction:true=out', 'direction:false=in']\n"), 0o644) // the flag's own key, a list
	want(wacost(t, "", append(flags, "--config", cfg)...))
	os.WriteFile(cfg, []byte("values:\n  direction: [out]\n"), 0o644)
	if r := wacost(t, "", append(flags, "--config", cfg)...); r.code != 2 || !strings.Contains(r.stderr, "values.direction: want a mapping") {
		t.Errorf("a values: section of the wrong shape: exit %d %s", r.code, r.stderr)
	}
}

// One config file serves every command: a key another command reads is
// ignored, a command's section applies to it alone and wins over the top
// level, and a key no command reads, or one a section's command does not,
// still fails.
func TestOneConfigForEveryCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "wacost.yaml")
	os.WriteFile(cfg, []byte(`timezone: UTC
target: [first=1h]
capacity: 30/h
threshold: [cost<=1000]
sla:
  threshold: [first_reply.p95<=48h]
  bots: exclude
simulate:
  service-quota: 0
`), 0o644)
	for _, args := range [][]string{{"simulate", sample}, {"sla", sample}, {"backlog", sample}, {"reconcile", recLog}, {"compare", sample, "--scenario", "x:reply_delay=x0.5"}} {
		r := wacost(t, "", append(args, "--config", cfg, "-q", "-f", "json")...)
		if r.code != 0 {
			t.Errorf("%s: exit %d %s", args[0], r.code, r.stderr)
		}
	}
	// The simulate section's service quota 0 applies to simulate only.
	sim := wacost(t, "", "simulate", sample, "--config", cfg, "-q", "-f", "json")
	rec := wacost(t, "", "reconcile", recLog, "--config", cfg, "-q", "-f", "json")
	if !strings.Contains(sim.stdout, `"service_quota": 0`) || strings.Contains(rec.stdout, "none (--service-quota 0)") {
		t.Errorf("the simulate section leaked, or did not apply")
	}
	// sla's threshold ran in sla alone.
	if r := wacost(t, "", "sla", sample, "--config", cfg, "-q", "-f", "json"); !strings.Contains(r.stdout, `"metric": "first_reply.p95"`) {
		t.Errorf("sla: its section's threshold did not run")
	}
	for bad, want := range map[string]string{
		"timezon: UTC\n":                "unknown key timezon",
		"sla:\n  capacity: 30/h\n":      "unknown key sla.capacity",
		"backlog: 3\n":                  "unknown key backlog (a command's section must be a map",
		"simulate:\n  threshold: [x]\n": "", // a malformed expression: a usage error of its own
	} {
		os.WriteFile(cfg, []byte(bad), 0o644)
		r := wacost(t, "", "simulate", sample, "--config", cfg, "-q")
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%q: exit %d %s", bad, r.code, r.stderr)
		}
	}
}

// The help topics exist and list what they say.
func TestHelpTopics(t *testing.T) {
	for topic, want := range map[string][]string{
		"config":      {"reconcile:", "service-quota", "analytics                  reconcile", "business-hours             backlog, sla"},
		"environment": {"WACOST_<NAME>", "WACOST_CONFIG"},
		"thresholds":  {"replies_after_window", "agreement", "total.delta_pct", "exit status 3"},
	} {
		r := wacost(t, "", "help", topic)
		for _, w := range want {
			if r.code != 0 || !strings.Contains(r.stdout, w) {
				t.Errorf("help %s: exit %d, lacks %q", topic, r.code, w)
			}
		}
	}
}
