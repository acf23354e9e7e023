// Package simulate replays a message log, in time order, through the
// window engine and the pricing rules, and gathers one Result: a ledger
// record per business message (streamed to a callback) and aggregates by
// market, category, regime and any other grouping.
//
// Memory is bounded by live state: per-customer windows are dropped once
// every window has closed, and counters are per (business, month).
//
// It must not import os, cobra, viper or tablewriter.
package simulate
