package cmd

import (
	"errors"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// DefaultConfigFile is read when --config is not given and it exists.
const DefaultConfigFile = "wacost.yaml"

// extraConfigKeys are config-file keys that are not flags.
var extraConfigKeys = map[string]bool{"map": true, "business-hours": true}

// listConfigKeys are flags whose config-file form is a list, read apart
// from the flag (viper would hand back the flag's empty default).
var listConfigKeys = map[string]bool{"threshold": true, "warn": true, "target": true}

// loadConfig builds a local viper for one command run: its flags, then
// WACOST_* environment variables, then the config file, then defaults.
// Unknown keys in the config file are usage errors, so typos do not pass.
func loadConfig(c *cobra.Command) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("WACOST")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	path, _ := c.Flags().GetString("config")
	if path == "" {
		if path = os.Getenv("WACOST_CONFIG"); path == "" {
			if _, err := os.Stat(DefaultConfigFile); err == nil {
				path = DefaultConfigFile
			}
		}
	}
	if path != "" {
		v.SetConfigFile(path)
		if !strings.Contains(path, ".") {
			v.SetConfigType("yaml")
		}
		if err := v.ReadInConfig(); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, usagef("config %s: %v", path, pe.Err)
			}
			return nil, usagef("config %s: %v", path, err)
		}
		known := map[string]bool{}
		c.Flags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		var unknown []string
		for _, k := range v.AllKeys() {
			top := strings.SplitN(k, ".", 2)[0]
			if !known[top] && !extraConfigKeys[top] {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return nil, usagef("config %s: unknown key %s (keys are the long flag names of 'wacost %s', and map)", path, strings.Join(unknown, ", "), c.Name())
		}
	}
	var err error
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !extraConfigKeys[f.Name] && !listConfigKeys[f.Name] && err == nil {
			err = v.BindPFlag(f.Name, f)
		}
	})
	return v, err
}

// parseMap reads --map canon=source pairs and the config's map section.
func parseMap(v *viper.Viper, flags []string) (map[string]string, error) {
	m := map[string]string{}
	for k, val := range v.GetStringMapString("map") {
		m[strings.ToLower(k)] = val
	}
	for _, f := range flags {
		k, val, ok := strings.Cut(f, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(val) == "" {
			return nil, usagef("--map %q: want COLUMN=HEADER, e.g. --map timestamp=created_at", f)
		}
		m[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
	}
	return m, nil
}
