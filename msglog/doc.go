// Package msglog reads WhatsApp message logs into Messages, one row at a
// time, with memory bounded by the row being read. It holds the one
// reader protocol (Reader: Read fills the caller's message) and the input
// formats, one file each with its registration (csv.go, json.go,
// ndjson.go): NewReader picks a format by name, extension or content.
// Header names are case-insensitive and can be mapped onto the canonical
// names; every bad row becomes a *RowError naming file, line and field,
// and the reader goes on with the next row. The stages over readers
// (reorder, merge, shard, prefetch, sort) are in package stream.
//
// It must not import os, cobra, viper or tablewriter.
package msglog
