// Package pricing holds WhatsApp's pricing rules: regimes (rule sets with
// effective dates), rate cards (market x price key, currency, effective
// date, provenance) and the dated calling-code to market table. The built-in
// cards are embedded from data/, where each file keeps its provenance.
//
// It decodes its own files from an io.Reader (never through viper, which
// lower-cases keys). Money is exact: Money counts millionths of a currency
// unit in an int64; there is no float64 anywhere on the money path.
//
// It must not import os, cobra, viper or tablewriter.
package pricing
