package console

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/telemetry/cwmetrics"
)

// StageMetrics is where the dashboard reads a stage's last hour: one
// point per minute, oldest first (telemetry/cwmetrics.Collector
// implements it, from the aggregates the CloudWatch API serves, so the
// charts and get-metric-data agree). ok is false for a stage that served
// nothing in the hour.
type StageMetrics interface {
	StageSeries(restAPIID, stage string) (points []cwmetrics.Point, ok bool)
}

// chart is one dashboard figure, drawn on the server as SVG so the page
// needs no charting library.
type chart struct {
	Title   string
	Summary string // the numbers in words, for people who cannot see the chart
	SVG     template.HTML
}

type series struct {
	Name   string
	Color  string
	Values []float64
}

// Chart geometry in SVG user units; the SVG scales to its box.
const (
	chartW, chartH = 420.0, 190.0
	padL, padR     = 44.0, 6.0
	padT, padB     = 24.0, 24.0
)

// dashboardCharts turns a stage's last hour into the dashboard's charts.
func dashboardCharts(pts []cwmetrics.Point) []chart {
	pick := func(f func(cwmetrics.Point) float64) []float64 {
		out := make([]float64, len(pts))
		for i, p := range pts {
			out[i] = f(p)
		}
		return out
	}
	count := pick(func(p cwmetrics.Point) float64 { return float64(p.Count) })
	p50 := pick(func(p cwmetrics.Point) float64 { return p.P50 })
	p99 := pick(func(p cwmetrics.Point) float64 { return p.P99 })
	e4 := pick(func(p cwmetrics.Point) float64 { return float64(p.Error4XX) })
	e5 := pick(func(p cwmetrics.Point) float64 { return float64(p.Error5XX) })
	hits := pick(func(p cwmetrics.Point) float64 { return float64(p.CacheHits) })
	misses := pick(func(p cwmetrics.Point) float64 { return float64(p.CacheMisses) })
	return []chart{
		newChart("Count", "requests per minute", fmt.Sprintf("%s requests in the last hour", total(count)), series{"Count", "#0972d3", count}),
		newChart("Latency", "ms", fmt.Sprintf("highest p50 %s ms, highest p99 %s ms", num(maxOf(p50)), num(maxOf(p99))),
			series{"p50", "#0972d3", p50}, series{"p99", "#d13212", p99}),
		newChart("4XXError", "per minute", fmt.Sprintf("%s client errors in the last hour", total(e4)), series{"4XX", "#e07700", e4}),
		newChart("5XXError", "per minute", fmt.Sprintf("%s server errors in the last hour", total(e5)), series{"5XX", "#d13212", e5}),
		newChart("Cache hits and misses", "per minute", fmt.Sprintf("%s hits and %s misses in the last hour", total(hits), total(misses)),
			series{"hits", "#1d8102", hits}, series{"misses", "#8d6e00", misses}),
	}
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func total(vs []float64) string {
	t := 0.0
	for _, v := range vs {
		t += v
	}
	return num(t)
}

func maxOf(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

// niceMax rounds the y-axis top up to 1, 2 or 5 times a power of ten.
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

// newChart draws lines over the hour: x is the minute, y from 0 to a
// rounded maximum, with the axis labels and a legend.
func newChart(title, unit, summary string, lines ...series) chart {
	top := 0.0
	for _, l := range lines {
		top = math.Max(top, maxOf(l.Values))
	}
	top = niceMax(top)
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %g %g" role="img" aria-label="%s: %s" xmlns="http://www.w3.org/2000/svg">`,
		chartW, chartH, html.EscapeString(title), html.EscapeString(summary))
	// Grid and y labels at 0, half and top.
	for _, f := range []float64{0, 0.5, 1} {
		y := padT + plotH*(1-f)
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#d5dbdb" stroke-width="1"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="14" text-anchor="end" fill="#5f6b7a">%s</text>`, padL-4, y+4, num(top*f))
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="14" fill="#5f6b7a">-60 min</text>`, padL, chartH-6)
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="14" text-anchor="end" fill="#5f6b7a">now · %s</text>`, chartW-padR, chartH-6, html.EscapeString(unit))
	for i, l := range lines {
		n := len(l.Values)
		if n == 0 {
			continue
		}
		var pts strings.Builder
		for j, v := range l.Values {
			x := padL
			if n > 1 {
				x += plotW * float64(j) / float64(n-1)
			}
			y := padT + plotH*(1-v/top)
			fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
		}
		fmt.Fprintf(&b, `<polyline class="series" data-series="%s" points="%s" fill="none" stroke="%s" stroke-width="2"/>`,
			html.EscapeString(l.Name), strings.TrimSpace(pts.String()), l.Color)
		// Legend, top right.
		lx := chartW - padR - 120*float64(len(lines)-i)
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="10" height="10" fill="%s"/><text x="%g" y="%g" font-size="14" fill="#16191f">%s</text>`,
			lx, padT-18, l.Color, lx+14, padT-9, html.EscapeString(l.Name))
	}
	b.WriteString(`</svg>`)
	return chart{Title: title, Summary: summary, SVG: template.HTML(b.String())}
}
