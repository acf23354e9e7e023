// Package window tracks the per-customer timers that WhatsApp pricing is
// built on: the 24-hour customer-service window (CSW), the free-entry-point
// (FEP) window opened by a reply to a click-to-WhatsApp ad or Page button,
// and per-category conversations (used by the conversation-based regimes).
//
// It is pure: plain values in and out, no I/O, no clock. "Now" is always an
// argument. It must not import os, cobra, viper, tablewriter or any package
// of this module.
//
// All windows are half-open intervals [start, end): the boundary instant
// itself is outside. A customer message at t keeps the CSW open for every
// instant strictly before t+24h.
package window
