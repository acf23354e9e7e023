package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/wacost/wacost/scenario"
)

func TestBacklogTextChart(t *testing.T) {
	b := &scenario.Backlog{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Capacity: 10, Currency: "USD",
		Curve: []scenario.CurvePoint{{Delay: time.Hour, Cost: 1_000_000}, {Delay: 24 * time.Hour, Cost: 2_000_000}, {Delay: 48 * time.Hour, Cost: 0}}}
	var out bytes.Buffer
	if err := WriteBacklog(&out, "table", &BacklogReport{B: b, Timezone: time.UTC, Chart: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	bars := map[string]int{}
	for _, l := range lines {
		for _, d := range []string{"1h00m", "1d00h", "2d00h"} {
			if strings.Contains(l, " "+d+" ") {
				bars[d] = strings.Count(l, "█")
			}
		}
	}
	// The longest bar is 40 wide; half the cost, half the bar; zero, none.
	if bars["1d00h"] != 40 || bars["1h00m"] != 20 || bars["2d00h"] != 0 {
		t.Fatalf("bars %v\n%s", bars, out.String())
	}
	out.Reset()
	WriteBacklog(&out, "table", &BacklogReport{B: b, Timezone: time.UTC, Chart: false})
	if strings.Contains(out.String(), "█") {
		t.Fatal("no chart when not on a terminal")
	}
}
