// Package msglog reads WhatsApp message logs (CSV, a JSON array, NDJSON)
// into Messages, one row at a time, with memory bounded by the row being
// read. Header names are case-insensitive and can be mapped onto the
// canonical names; every bad row becomes a *RowError naming file, line and
// field, and the reader goes on with the next row.
//
// It must not import os, cobra, viper or tablewriter.
package msglog
