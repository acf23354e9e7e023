// Command loop is the single-purpose reference for wacost's benchmark: one
// hand-written pass over a CSV log with the simplest per-message rule (a
// business message is free inside the 24 h window opened by the
// customer's latest message, else billed at its country's rate). It
// prices nothing else: no regimes, categories, entry points or quotas.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"time"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rates := map[string]int64{"55": 68, "91": 14, "52": 85, "62": 250, "1": 40} // 1e-4 USD units; others 77
	last := map[string]int64{}                                                  // business|customer -> last inbound, unix seconds
	br := bufio.NewReaderSize(f, 1<<20)
	var free, billed, cost int64
	header := true
	for {
		line, err := br.ReadSlice('\n')
		if len(line) == 0 {
			break
		}
		if header {
			header = false
			continue
		}
		fields := bytes.Split(bytes.TrimRight(line, "\r\n"), []byte{','})
		if len(fields) < 5 {
			continue
		}
		t, e := time.Parse(time.RFC3339, string(fields[0]))
		if e != nil {
			continue
		}
		key := string(fields[2]) + "|" + string(fields[3])
		if fields[4][0] == 'i' {
			last[key] = t.Unix()
		} else if in, ok := last[key]; ok && t.Unix() < in+86400 {
			free++
		} else {
			billed++
			r, ok := rates[string(fields[3][:2])]
			if !ok {
				if r, ok = rates[string(fields[3][:1])]; !ok {
					r = 77
				}
			}
			cost += r
		}
		if err != nil {
			break
		}
	}
	fmt.Printf("free %d billed %d cost %d.%04d\n", free, billed, cost/10000, cost%10000)
}
