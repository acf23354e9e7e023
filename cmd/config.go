package cmd

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"github.com/wacost/wacost/sla"
)

// DefaultConfigFile is read when --config is not given and it exists.
const DefaultConfigFile = "wacost.yaml"

// pairKeys are list settings whose config-file form may also be a
// mapping, read as KEY=VALUE items in key order.
var pairKeys = map[string]bool{"map": true, "target": true, "business-timezone": true}

// config is one command run's settings: each of its flags as given on the
// command line, in a WACOST_<NAME> environment variable or in the config
// file, in that order of precedence, else the flag's default; and the
// config file's business-hours section. Every value is parsed strictly by
// its flag's type wherever it comes from (72 is not a duration, "lots" is
// not a count, 1.5 not an integer, "yes" not a boolean): loadConfig fails
// naming the setting and where it was set.
type config struct {
	vals  map[string]any
	hours *businessHoursConfig
}

// businessHoursConfig is the config file's business-hours section.
type businessHoursConfig struct {
	Timezone string
	Weekly   map[string]string
	Holidays []string
}

// loadConfig reads a command's settings. Unknown keys in the config file,
// and values of the wrong type anywhere, are usage errors.
func loadConfig(c *cobra.Command) (*config, error) {
	path, _ := c.Flags().GetString("config")
	if path == "" {
		if path = os.Getenv("WACOST_CONFIG"); path == "" {
			if _, err := os.Stat(DefaultConfigFile); err == nil {
				path = DefaultConfigFile
			}
		}
	}
	file, err := readConfigFile(c, path)
	if err != nil {
		return nil, err
	}
	cfg := &config{vals: map[string]any{}}
	var errs []error
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "config" || f.Name == "help" {
			return
		}
		if err := cfg.set(f, file, path); err != nil {
			errs = append(errs, err)
		}
	})
	if raw, ok := file["business-hours"]; ok {
		if cfg.hours, err = parseBusinessHours(raw, path); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, usageError{errors.Join(errs...)}
	}
	return cfg, nil
}

// readConfigFile reads the config file at path ("" for none) into its
// top-level keys, and checks them against the command's flags.
func readConfigFile(c *cobra.Command, path string) (map[string]any, error) {
	if path == "" {
		return nil, nil
	}
	v := viper.New()
	v.SetConfigFile(path)
	if !strings.Contains(path, ".") {
		v.SetConfigType("yaml")
	}
	if err := v.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, usagef("config %s: %w", path, pe.Err)
		}
		return nil, usagef("config %s: %w", path, err)
	}
	all := v.AllSettings()
	owners := ConfigKeys(c.Root())
	commands := map[string]*cobra.Command{}
	for _, sub := range c.Root().Commands() {
		if sub.Runnable() {
			commands[sub.Name()] = sub
		}
	}
	// One file serves every command: a top-level key is any command's
	// flag (a command ignores those it does not have); a section named
	// after a command holds keys for it alone, and wins over the top
	// level. Anything else is a mistake.
	var unknown []string
	file := map[string]any{}
	for k, val := range all {
		if sub, ok := commands[k]; ok && len(owners[k]) == 0 { // tariff is the flag, not the command
			section, isMap := val.(map[string]any)
			if !isMap {
				unknown = append(unknown, k+" (a command's section must be a map of its settings)")
				continue
			}
			for sk, sv := range section {
				if !usesKey(sub, sk) {
					unknown = append(unknown, k+"."+sk)
				} else if sub == c {
					file[sk] = sv
				}
			}
			continue
		}
		if len(owners[k]) == 0 {
			unknown = append(unknown, k)
		} else if _, set := file[k]; !set && usesKey(c, k) {
			file[k] = val
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, usagef("config %s: unknown key %s (keys are the long flag names of wacost's commands, business-hours and values, at the top level or in a section named after a command; 'wacost help config' lists them)", path, strings.Join(unknown, ", "))
	}
	return file, nil
}

// usesKey: command c reads config key k.
func usesKey(c *cobra.Command, k string) bool {
	switch k {
	case "config", "help", "output":
		return false
	case "business-hours":
		return true
	case "values":
		return c.Flags().Lookup("value") != nil
	}
	return c.Flags().Lookup(k) != nil
}

// ConfigKeys maps every key a config file may hold to the commands that
// read it, sorted.
func ConfigKeys(root *cobra.Command) map[string][]string {
	keys := map[string][]string{}
	for _, sub := range root.Commands() {
		if sub.Hidden || !sub.Runnable() || sub.Name() == "help" || sub.Name() == "completion" {
			continue
		}
		sub.Flags().VisitAll(func(f *pflag.Flag) {
			if usesKey(sub, f.Name) {
				keys[f.Name] = append(keys[f.Name], sub.Name())
			}
		})
		if usesKey(sub, "values") {
			keys["values"] = append(keys["values"], sub.Name())
		}
		if sub.Flags().Lookup("clock") != nil || sub.Flags().Lookup("capacity") != nil { // sla's clock, backlog's plan
			keys["business-hours"] = append(keys["business-hours"], sub.Name())
		}
	}
	for k := range keys {
		sort.Strings(keys[k])
		keys[k] = slices.Compact(keys[k])
	}
	return keys
}

// set takes flag f's value from the first place that has it.
func (cfg *config) set(f *pflag.Flag, file map[string]any, path string) error {
	env := "WACOST_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
	fromEnv := func() (any, error) {
		v, err := parseEnv(f, os.Getenv(env))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", env, err)
		}
		return v, nil
	}
	fromFile := func(raw any) (any, error) {
		v, err := parseFileValue(f, raw)
		if err != nil {
			return nil, fmt.Errorf("config %s: %s: %w", path, f.Name, err)
		}
		return v, nil
	}
	var (
		val any
		err error
	)
	// listFromFile is the file's list for the flag (none if !inFile).
	listFromFile := func(raw any, inFile bool) ([]string, error) {
		if !inFile {
			return nil, nil
		}
		l, err := fromFile(raw)
		if err != nil {
			return nil, err
		}
		return l.([]string), nil
	}
	// addUp is the value of a list whose places add up, the file's items
	// (fileItems) first, then the environment's, then the flags', later
	// ones overriding a column's.
	addUp := func(fileItems func() ([]string, error)) (any, error) {
		items, err := fileItems()
		if err != nil {
			return nil, err
		}
		if os.Getenv(env) != "" {
			l, err := fromEnv()
			if err != nil {
				return nil, err
			}
			items = append(items, l.([]string)...)
		}
		return append(items, flagValue(f).([]string)...), nil
	}
	switch raw, inFile := file[f.Name]; {
	case f.Name == "value": // the file's: a value: list and a values: section
		val, err = addUp(func() ([]string, error) {
			items, err := listFromFile(raw, inFile)
			if section, ok := file["values"]; ok && err == nil {
				more, err := valuesSection(section, path)
				return append(items, more...), err
			}
			return items, err
		})
	case f.Name == "map":
		if err := onceEach(flagValue(f).([]string), "--map"); err != nil {
			return err
		}
		val, err = addUp(func() ([]string, error) { return listFromFile(raw, inFile) })
	case f.Changed:
		val = flagValue(f)
	case os.Getenv(env) != "":
		val, err = fromEnv()
	case inFile:
		val, err = fromFile(raw)
	default:
		val = flagValue(f)
	}
	if err != nil {
		return err
	}
	cfg.vals[f.Name] = val
	return nil
}

// flagValue is f's value, of its type.
func flagValue(f *pflag.Flag) any {
	switch f.Value.Type() {
	case "bool":
		return f.Value.String() == "true"
	case "int", "int64", "uint":
		n, _ := strconv.ParseInt(f.Value.String(), 10, 64)
		return n
	case "duration":
		d, _ := time.ParseDuration(f.Value.String())
		return d
	case "stringArray", "stringSlice":
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			return append([]string(nil), sv.GetSlice()...)
		}
	}
	return f.Value.String()
}

// parseEnv parses an environment variable's text as f's type. A list is
// comma-separated, quoted as in CSV where an item holds a comma.
func parseEnv(f *pflag.Flag, s string) (any, error) {
	switch f.Value.Type() {
	case "stringArray", "stringSlice":
		r := csv.NewReader(strings.NewReader(s))
		items, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("%q: not a comma-separated list: %w", s, err)
		}
		return items, nil
	}
	return parseScalar(f, s)
}

// parseScalar parses text as f's (scalar) type.
func parseScalar(f *pflag.Flag, s string) (any, error) {
	switch f.Value.Type() {
	case "bool":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean (want true or false)", s)
		}
		return b, nil
	case "int", "int64", "uint":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || (f.Value.Type() == "uint" && n < 0) {
			return nil, fmt.Errorf("%q is not a whole number", s)
		}
		return n, nil
	case "duration":
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration (a number with a unit: 72h, 90m, 1h30m)", s)
		}
		return d, nil
	}
	return s, nil
}

// parseFileValue converts a config-file value (as YAML or JSON decodes
// it) to f's type, refusing what only a coercion would make fit.
func parseFileValue(f *pflag.Flag, raw any) (any, error) {
	switch f.Value.Type() {
	case "stringArray", "stringSlice":
		return fileList(f.Name, raw)
	}
	switch v := raw.(type) {
	case string:
		return parseScalar(f, v)
	case bool:
		if f.Value.Type() != "bool" && f.Value.Type() != "string" {
			return nil, fmt.Errorf("%v is not %s", v, typeWord(f))
		}
		if f.Value.Type() == "string" {
			return nil, fmt.Errorf("%v: want text, not a boolean (quote it)", v)
		}
		return v, nil
	case int, int64, uint64, float64:
		return fileNumber(f, v)
	case time.Time: // YAML reads an unquoted date as a time
		if f.Value.Type() == "string" {
			return v.Format(time.DateOnly), nil
		}
	}
	return nil, fmt.Errorf("%v: want %s", raw, typeWord(f))
}

// fileNumber converts a number of the config file to f's type: a whole
// number to a count (or its text), never to a duration or a boolean.
func fileNumber(f *pflag.Flag, v any) (any, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("%d is too large", x)
		}
		n = int64(x)
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			if f.Value.Type() == "string" {
				return strconv.FormatFloat(x, 'f', -1, 64), nil
			}
			return nil, fmt.Errorf("%v is not a whole number", x)
		}
		n = int64(x)
	}
	switch f.Value.Type() {
	case "int", "int64":
		return n, nil
	case "uint":
		if n < 0 {
			return nil, fmt.Errorf("%d is negative", n)
		}
		return n, nil
	case "duration":
		return nil, fmt.Errorf("%d is not a duration: give it a unit, e.g. %dh", n, n)
	case "bool":
		return nil, fmt.Errorf("%d is not a boolean (want true or false)", n)
	}
	return strconv.FormatInt(n, 10), nil
}

func typeWord(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "bool":
		return "true or false"
	case "int", "int64", "uint":
		return "a whole number"
	case "duration":
		return "a duration (72h, 90m)"
	}
	return "text"
}

// fileList is a list setting of the config file: a list of values, one
// value, or (for pairKeys) a mapping read as KEY=VALUE items.
// onceEach checks that no column is mapped twice by one place's items
// (COLUMN=HEADER): which to keep would be a guess.
func onceEach(items []string, what string) error {
	seen := map[string]string{}
	for _, it := range items {
		k, _, _ := strings.Cut(it, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if prev, twice := seen[k]; twice {
			return fmt.Errorf("%s %s and %s: %s is mapped twice", what, prev, it, k)
		}
		seen[k] = it
	}
	return nil
}

// valuesSection reads the config's values: section, a mapping of columns
// to mappings of values (direction: {true: out, false: in}), as --value
// items (COLUMN:FROM=TO) in a stable order.
func valuesSection(raw any, path string) ([]string, error) {
	where := "config " + path + ": values"
	cols, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a mapping of columns to mappings of values, e.g. direction: {true: out}", where)
	}
	var items []string
	for _, col := range slices.Sorted(maps.Keys(cols)) {
		vals, ok := cols[col].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s.%s: want a mapping of values, e.g. {true: out, false: in}", where, col)
		}
		for _, from := range slices.Sorted(maps.Keys(vals)) {
			to, ok := scalarText(vals[from])
			if !ok {
				return nil, fmt.Errorf("%s.%s.%s: %v: want text", where, col, from, vals[from])
			}
			items = append(items, col+":"+from+"="+to)
		}
	}
	return items, nil
}

func fileList(name string, raw any) ([]string, error) {
	switch v := raw.(type) {
	case []any:
		out := make([]string, 0, len(v))
		for i, item := range v {
			s, ok := scalarText(item)
			if !ok {
				return nil, fmt.Errorf("item %d: %v: want text", i+1, item)
			}
			out = append(out, s)
		}
		return out, nil
	case map[string]any:
		if !pairKeys[name] {
			return nil, errors.New("want a list, not a mapping")
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]string, 0, len(v))
		for _, k := range keys {
			s, ok := scalarText(v[k])
			if !ok {
				return nil, fmt.Errorf("%s: %v: want text", k, v[k])
			}
			out = append(out, k+"="+s)
		}
		return out, nil
	}
	if s, ok := scalarText(raw); ok {
		return []string{s}, nil
	}
	return nil, fmt.Errorf("%v: want a list", raw)
}

// scalarText is a config file's scalar as text (false for lists and mappings).
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, uint64, bool:
		return fmt.Sprint(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case time.Time:
		return x.Format(time.DateOnly), true
	}
	return "", false
}

// parseBusinessHours reads the business-hours section: timezone (text),
// weekly (a mapping of days to hours) and holidays (a list of dates), and
// nothing else.
func parseBusinessHours(raw any, path string) (*businessHoursConfig, error) {
	where := "config " + path + ": business-hours"
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a mapping with timezone, weekly and holidays", where)
	}
	bh := &businessHoursConfig{Weekly: map[string]string{}}
	for k, v := range m {
		switch k {
		case "timezone":
			if bh.Timezone, ok = v.(string); !ok {
				return nil, fmt.Errorf("%s.timezone: %v: want an IANA zone name", where, v)
			}
		case "weekly":
			days, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s.weekly: want a mapping of days to hours, e.g. mon-fri: 09:00-18:00", where)
			}
			for d, h := range days {
				s, ok := scalarText(h)
				if !ok {
					return nil, fmt.Errorf("%s.weekly.%s: %v: want hours, e.g. 09:00-18:00", where, d, h)
				}
				bh.Weekly[d] = s
			}
		case "holidays":
			items, err := fileList(k, v)
			if err != nil {
				return nil, fmt.Errorf("%s.holidays: %w", where, err)
			}
			bh.Holidays = items
		default:
			return nil, fmt.Errorf("%s: unknown key %s (want timezone, weekly, holidays)", where, k)
		}
	}
	// Checked whole here, so that a bad section fails every command, not only sla.
	if _, err := sla.ParseSchedule(bh.Timezone, bh.Weekly, bh.Holidays); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return bh, nil
}

// GetString is a text setting's value.
func (cfg *config) GetString(name string) string { s, _ := cfg.vals[name].(string); return s }

// GetBool is a boolean setting's value.
func (cfg *config) GetBool(name string) bool { b, _ := cfg.vals[name].(bool); return b }

// GetInt64 is a whole-number setting's value.
func (cfg *config) GetInt64(name string) int64 { n, _ := cfg.vals[name].(int64); return n }

// GetInt is a whole-number setting's value, within an int.
func (cfg *config) GetInt(name string) int { return int(cfg.GetInt64(name)) }

// GetDuration is a duration setting's value.
func (cfg *config) GetDuration(name string) time.Duration {
	d, _ := cfg.vals[name].(time.Duration)
	return d
}

// GetStringSlice is a list setting's value.
func (cfg *config) GetStringSlice(name string) []string { l, _ := cfg.vals[name].([]string); return l }

// parseMap reads the map setting's COLUMN=HEADER pairs.
// parseValues reads --value items (COLUMN:FROM=TO) into column -> value
// as written -> value to read; a later item for one value wins.
func parseValues(items []string) (map[string]map[string]string, error) {
	m := map[string]map[string]string{}
	for _, it := range items {
		col, rest, ok := strings.Cut(it, ":")
		from, to, ok2 := strings.Cut(rest, "=")
		col = strings.ToLower(strings.TrimSpace(col))
		if !ok || !ok2 || col == "" || strings.TrimSpace(to) == "" {
			return nil, usagef("--value %q: want COLUMN:VALUE=READ_AS, e.g. --value direction:true=out", it)
		}
		if m[col] == nil {
			m[col] = map[string]string{}
		}
		m[col][strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return m, nil
}

func parseMap(items []string) (map[string]string, error) {
	m := map[string]string{}
	for _, f := range items {
		k, val, ok := strings.Cut(f, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(val) == "" {
			return nil, usagef("--map %q: want COLUMN=HEADER, e.g. --map timestamp=created_at", f)
		}
		m[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
	}
	return m, nil
}
