package cmd

import (
	"encoding/xml"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

type svgDoc struct {
	Label  string `xml:"aria-label,attr"`
	Groups []struct {
		Class  string `xml:"class,attr"`
		Series string `xml:"data-series,attr"`
		Rects  []struct {
			H string `xml:"height,attr"`
		} `xml:"rect"`
		Polyline []struct {
			Points string `xml:"points,attr"`
		} `xml:"polyline"`
	} `xml:"g"`
}

var svgRE = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// charts parses every inline SVG chart of a page.
func charts(t *testing.T, page string) map[string]svgDoc {
	t.Helper()
	out := map[string]svgDoc{}
	for _, s := range svgRE.FindAllString(page, -1) {
		var d svgDoc
		if err := xml.Unmarshal([]byte(s), &d); err != nil {
			t.Fatalf("an SVG chart is not well-formed: %v", err)
		}
		out[d.Label] = d
	}
	return out
}

// hasSeries checks a chart draws each named series with visible marks.
func hasSeries(t *testing.T, d svgDoc, names ...string) {
	t.Helper()
	for _, n := range names {
		found := false
		for _, g := range d.Groups {
			if g.Class == "series" && g.Series == n && (len(g.Rects) > 0 || (len(g.Polyline) > 0 && strings.Count(g.Polyline[0].Points, ",") > 1)) {
				found = true
			}
		}
		if !found {
			t.Errorf("chart %q: no visible series %q", d.Label, n)
		}
	}
}

func htmlReports(t *testing.T) (string, string) {
	c := wacost(t, "", "compare", sample, "--scenarios", "../testdata/scenarios.yaml", "-q", "--format", "html")
	b := wacost(t, "", "backlog", sample, "--capacity", "30/h", "-q", "--format", "html")
	if c.code != 0 || b.code != 0 {
		t.Fatalf("html: %d %s / %d %s", c.code, c.stderr, b.code, b.stderr)
	}
	return c.stdout, b.stdout
}

func TestHTMLChartsAreDrawn(t *testing.T) {
	cmp, blg := htmlReports(t)
	for _, page := range []string{cmp, blg} {
		rest := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(rest, "http") || strings.Contains(rest, "<script") || strings.Contains(rest, "<link") {
			t.Fatal("the report must be self-contained: no scripts, no links, nothing fetched")
		}
	}
	cc := charts(t, cmp)
	// Meta's cost and the provider's fees on charts of their own: the
	// fees (162 against 15-27) would squash the other bars on one axis.
	hasSeries(t, cc["Meta's cost by scenario and category (USD)"], "marketing", "utility", "authentication")
	hasSeries(t, cc["The provider's fees by scenario (USD)"], "fees")
	hasSeries(t, cc["Daily cost by scenario (USD)"], "as logged", "replies twice as fast", "BSP invoice")
	// Each bar says its total and its change from the baseline.
	if !strings.Contains(cmp, `class="tick value" text-anchor="middle">15.6823</text>`) || !strings.Contains(cmp, `text-anchor="middle">+11.0171</text>`) {
		t.Error("the bars of Meta's cost carry no value and delta labels")
	}
	bc := charts(t, blg)
	hasSeries(t, bc["Cost of the log versus reply delay"], "cost if every reply took this long")
	if !strings.Contains(blg, "the 24 h window closes") || !strings.Contains(blg, "The plan, reply by reply") || !strings.Contains(blg, "<h2>Notes</h2>") {
		t.Error("the backlog page lacks the 24 h mark, the plan or the notes")
	}
	hasSeries(t, bc["Daily cost of the log"], "daily cost")
}

// TestHTMLInChromium opens the reports in headless Chromium (Debian's
// chromium package; .ci/run installs it), checks the browser's DOM has
// the charts with their series, and that a screenshot is not blank. It is
// skipped, saying so, where no browser is installed.
func TestHTMLInChromium(t *testing.T) {
	bin := ""
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(b); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no Chromium on this machine: the headless-browser check of the HTML reports is skipped (apt-get install chromium to run it)")
	}
	cmp, blg := htmlReports(t)
	sim := wacost(t, "", "simulate", sample, "-q", "--format", "html").stdout
	dir := t.TempDir()
	for name, page := range map[string]string{"compare": cmp, "backlog": blg, "simulate": sim} {
		file := filepath.Join(dir, name+".html")
		os.WriteFile(file, []byte(page), 0o644)
		args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--user-data-dir=" + t.TempDir(), "--window-size=1100,1500"}
		dom, err := runWithTimeout(bin, append(args, "--dump-dom", "file://"+file)...)
		if err != nil {
			t.Fatalf("%s: chromium --dump-dom: %v", name, err)
		}
		if n := strings.Count(dom, "<svg"); n < map[string]int{"simulate": 1}[name] || (name != "simulate" && n < 2) {
			t.Fatalf("%s: the browser's DOM has %d charts", name, n)
		}
		for _, s := range map[string][]string{"compare": {"marketing", "as logged", "BSP invoice"}, "backlog": {"cost if every reply took this long", "daily cost"}, "simulate": {"marketing", "utility", "authentication"}}[name] {
			if !strings.Contains(dom, `data-series="`+s+`"`) {
				t.Errorf("%s: the browser's DOM lacks series %q", name, s)
			}
		}
		shot := filepath.Join(dir, name+".png")
		if _, err := runWithTimeout(bin, append(args, "--screenshot="+shot, "file://"+file)...); err != nil {
			t.Fatalf("%s: chromium --screenshot: %v", name, err)
		}
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("%s: no screenshot: %v", name, err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if colours := distinctColours(img); colours < 8 {
			t.Fatalf("%s: the screenshot has %d colours: blank", name, colours)
		}
	}
}

func runWithTimeout(bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		return out.String(), os.ErrDeadlineExceeded
	}
}

func distinctColours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 12, g >> 12, bl >> 12}] = true
		}
	}
	return len(seen)
}

// simulate's page: self-contained, every table, the daily cost by
// category drawn with a series per category, the notes; no ledger.
func TestSimulateHTML(t *testing.T) {
	r := wacost(t, "", "simulate", sample, "-q", "--format", "html")
	page := r.stdout
	rest := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
	if r.code != 0 || strings.Contains(rest, "http") || strings.Contains(rest, "<script") {
		t.Fatalf("exit %d: not a self-contained page", r.code)
	}
	for _, s := range []string{"<h2>Summary</h2>", "<h2>Regimes and cards used</h2>", "<h2>By market</h2>", "<h2>By category</h2>", "<h2>By month</h2>",
		"<h2>Settings used</h2>", "<h2>Notes: what these figures rest on</h2>", "15.6823", "2026-11"} {
		if !strings.Contains(page, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	hasSeries(t, charts(t, page)["Daily cost by category"], "marketing", "utility", "authentication")
	if r := wacost(t, "", "simulate", sample, "-q", "--format", "html", "--ledger"); r.code != 2 {
		t.Errorf("--ledger with html: exit %d", r.code)
	}
}
