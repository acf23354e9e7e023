// Package stream holds the stages a replay reads messages through, each
// a msglog.Reader over others: a reorder buffer (Reorder), a k-way merge
// of inputs (Merge), a shard filter (Shard), a read-ahead on a goroutine
// of its own (Prefetch) and sorts in memory and on disk (SortAll,
// SortExternal). Input formats are msglog's.
package stream
