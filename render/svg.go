package render

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// Charts are drawn as inline SVG: no script, no network, one file. Every
// series carries its name in data-series and in the legend.

var palette = []string{"#2f6fb0", "#e07b39", "#3a9a5b", "#c4424d", "#8a63b8", "#8c6d46", "#d16ba5", "#6b7a8f", "#b5a12c", "#2aa7b8"}

// linePalette colours the lines of a line chart: none is a colour the
// bars give a category, and the second four are dashed, so that eight
// lines stay apart.
var linePalette = []string{"#222222", "#8a63b8", "#2aa7b8", "#b5a12c", "#222222", "#8a63b8", "#2aa7b8", "#b5a12c"}

func lineDash(i int) string {
	if i%maxLines >= 4 {
		return ` stroke-dasharray="6 4"`
	}
	return ""
}

const (
	chartW     = 760
	plotHeight = 230
	padL, padR = 70, 20
	padB       = 110 // room for rotated x labels
)

// layout places a chart: the legend wraps onto rows under the title, and
// the plot starts below it.
type layout struct {
	top, height int
	items       []legendItem
}

type legendItem struct {
	name string
	x, y int
}

func newLayout(names []string) layout {
	l := layout{}
	x, y := padL, 40
	for _, n := range names {
		w := 24 + 7*len(n)
		if x+w > chartW-padR && x > padL {
			x, y = padL, y+18
		}
		l.items = append(l.items, legendItem{n, x, y})
		x += w
	}
	l.top = y + 22
	l.height = l.top + plotHeight + padB
	return l
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func axes(b *strings.Builder, ly layout, title, unit string, max float64, xLabels []string, xAt func(int) float64) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		chartW, ly.height, chartW, ly.height, html.EscapeString(title))
	fmt.Fprintf(b, `<text x="%d" y="22" class="title">%s</text>`, padL, html.EscapeString(title))
	padT := ly.top
	plotH := float64(plotHeight)
	for i := 0; i <= 4; i++ {
		y := float64(padT) + plotH - plotH*float64(i)/4
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`, padL, chartW-padR, y, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" class="tick" text-anchor="end">%s</text>`, padL-6, y+4, html.EscapeString(trimFloat(max*float64(i)/4)))
	}
	fmt.Fprintf(b, `<text x="12" y="%d" class="unit" transform="rotate(-90 12 %d)">%s</text>`, padT+int(plotH/2), padT+int(plotH/2), html.EscapeString(unit))
	step := 1
	if len(xLabels) > 16 {
		step = (len(xLabels) + 15) / 16
	}
	for i, l := range xLabels {
		if i%step != 0 {
			continue
		}
		x := xAt(i)
		y := padT + plotHeight + 16
		fmt.Fprintf(b, `<text x="%.1f" y="%d" class="tick" text-anchor="end" transform="rotate(-35 %.1f %d)">%s</text>`,
			x, y, x, y, html.EscapeString(l))
	}
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func legend(b *strings.Builder, ly layout) {
	for i, it := range ly.items {
		fmt.Fprintf(b, `<g class="legend" data-series="%s"><rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text></g>`,
			html.EscapeString(it.name), it.x, it.y-9, palette[i%len(palette)], it.x+14, it.y, html.EscapeString(it.name))
	}
}

// stackedBars draws one bar per x label, stacked by series, with
// labels[i] (if any; parts on lines of their own, split at "\n") over bar i.
func stackedBars(title, unit string, xLabels, series []string, vals [][]float64, labels []string) string {
	var b strings.Builder
	sums := make([]float64, len(vals))
	max := 0.0
	for i, row := range vals {
		for _, v := range row {
			sums[i] += v
		}
		max = math.Max(max, sums[i])
	}
	max = niceMax(max)
	plotW := float64(chartW - padL - padR)
	slot := plotW / float64(len(xLabels))
	barW := math.Min(60, slot*0.6)
	xAt := func(i int) float64 { return float64(padL) + slot*(float64(i)+0.5) }
	ly := newLayout(series)
	axes(&b, ly, title, unit, max, xLabels, xAt)
	padT, plotH := ly.top, float64(plotHeight)
	for s, name := range series {
		fmt.Fprintf(&b, `<g class="series" data-series="%s" fill="%s">`, html.EscapeString(name), palette[s%len(palette)])
		for i := range xLabels {
			below := 0.0
			for k := 0; k < s; k++ {
				below += vals[i][k]
			}
			v := vals[i][s]
			if v <= 0 {
				continue
			}
			h := plotH * v / max
			y := float64(padT) + plotH - plotH*below/max - h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s, %s: %s</title></rect>`,
				xAt(i)-barW/2, y, barW, h, html.EscapeString(xLabels[i]), html.EscapeString(name), trimFloat(v))
		}
		b.WriteString(`</g>`)
	}
	for i, l := range labels {
		// One line a part ("15.4932\n-0.1891"), the last just above the bar.
		parts := strings.Split(l, "\n")
		y := float64(padT) + plotH - plotH*sums[i]/max - 5 - 12*float64(len(parts)-1)
		for k, part := range parts {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick value" text-anchor="middle">%s</text>`, xAt(i), y+12*float64(k), html.EscapeString(part))
		}
	}
	legend(&b, ly)
	b.WriteString(`</svg>`)
	return b.String()
}

// Series is a named line of a line chart.
type Series struct {
	Name string
	Vals []float64
}

// lineChart draws one line per series over the x labels.
func lineChart(title, unit string, xLabels []string, series []Series) string {
	var b strings.Builder
	max := 0.0
	for _, s := range series {
		for _, v := range s.Vals {
			max = math.Max(max, v)
		}
	}
	max = niceMax(max)
	plotW := float64(chartW - padL - padR)
	xAt := func(i int) float64 {
		if len(xLabels) == 1 {
			return float64(padL) + plotW/2
		}
		return float64(padL) + plotW*float64(i)/float64(len(xLabels)-1)
	}
	var names []string
	for _, ser := range series {
		names = append(names, ser.Name)
	}
	ly := newLayout(names)
	axes(&b, ly, title, unit, max, xLabels, xAt)
	padT, plotH := ly.top, float64(plotHeight)
	for s, ser := range series {
		var pts []string
		for i, v := range ser.Vals {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xAt(i), float64(padT)+plotH-plotH*v/max))
		}
		col := linePalette[s%len(linePalette)]
		fmt.Fprintf(&b, `<g class="series" data-series="%s"><polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`,
			html.EscapeString(ser.Name), col, lineDash(s), strings.Join(pts, " "))
		for i, v := range ser.Vals {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s, %s: %s</title></circle>`,
				xAt(i), float64(padT)+plotH-plotH*v/max, col, html.EscapeString(ser.Name), html.EscapeString(xLabels[i]), trimFloat(v))
		}
		b.WriteString(`</g>`)
	}
	for i, it := range ly.items {
		fmt.Fprintf(&b, `<g class="legend" data-series="%s"><line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="3"%s/><text x="%d" y="%d">%s</text></g>`,
			html.EscapeString(it.name), it.x, it.x+12, it.y-4, it.y-4, linePalette[i%len(linePalette)], lineDash(i), it.x+16, it.y, html.EscapeString(it.name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// delayChart draws a cost against reply delays on a time axis (hours from
// 0 to the longest delay), with a dashed mark at mark.
func delayChart(title, unit string, delays []time.Duration, vals []float64, mark time.Duration, markLabel string) string {
	var b strings.Builder
	maxV := 0.0
	for _, v := range vals {
		maxV = math.Max(maxV, v)
	}
	maxV = niceMax(maxV)
	maxD := mark
	for _, d := range delays {
		if d > maxD {
			maxD = d
		}
	}
	plotW := float64(chartW - padL - padR)
	xOf := func(d time.Duration) float64 { return float64(padL) + plotW*float64(d)/float64(maxD) }
	name := "cost if every reply took this long"
	ly := newLayout([]string{name})
	// Ticks every 12 hours (every 6 for short spans), on the time axis.
	var ticks []string
	step := 12 * time.Hour
	if maxD <= 36*time.Hour {
		step = 6 * time.Hour
	}
	var at []time.Duration
	for d := time.Duration(0); d <= maxD; d += step {
		at = append(at, d)
		label := strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
		if d == 0 {
			label = "0"
		}
		ticks = append(ticks, label)
	}
	axes(&b, ly, title, unit, maxV, ticks, func(i int) float64 { return xOf(at[i]) })
	padT, plotH := float64(ly.top), float64(plotHeight)
	mx := xOf(mark)
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#c4424d" stroke-dasharray="5 4" class="mark"/>`, mx, mx, padT, padT+plotH)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick" fill="#c4424d">%s</text>`, mx+4, padT+12, html.EscapeString(markLabel))
	var pts []string
	for i, d := range delays {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", xOf(d), padT+plotH-plotH*vals[i]/maxV))
	}
	fmt.Fprintf(&b, `<g class="series" data-series="%s"><polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, html.EscapeString(name), palette[0], strings.Join(pts, " "))
	for i, d := range delays {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %s</title></circle>`, xOf(d), padT+plotH-plotH*vals[i]/maxV, palette[0],
			html.EscapeString(d.String()), trimFloat(vals[i]))
	}
	b.WriteString(`</g>`)
	legend(&b, ly)
	b.WriteString(`</svg>`)
	return b.String()
}
