// Package render turns a simulate.Result (and, with --ledger, the stream of
// ledger entries) into one of the output formats: table and markdown for
// people; json, csv and ndjson for machines, with stable documented fields.
package render
