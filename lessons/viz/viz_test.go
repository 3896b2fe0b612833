package viz

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

// wellFormed parses s as XML, as a browser parses inline SVG.
func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() == "EOF" {
				return
			}
			t.Fatalf("not well-formed XML: %v\n%s", err, s[:min(len(s), 300)])
		}
	}
}

func TestLinePlotSVG(t *testing.T) {
	p := LinePlot{Title: "loss <train & val>", XLabel: "step", YLabel: "loss", Series: []Series{
		{Name: "train", X: []float64{0, 1, 2, 3}, Y: []float64{4, 2, 1, math.NaN()}},
		{Name: "val", X: []float64{0, 3}, Y: []float64{4.5, 1.5}},
	}}
	s := p.SVG()
	wellFormed(t, s)
	if got := strings.Count(s, "<polyline"); got != 2 {
		t.Errorf("want 2 lines, got %d", got)
	}
	if !strings.Contains(s, "loss &lt;train &amp; val&gt;") {
		t.Error("title must be escaped")
	}
	// The NaN point is skipped: the train line has 3 points.
	for _, line := range strings.Split(s, "<polyline")[1:2] {
		pts := strings.Fields(strings.Split(strings.Split(line, `points="`)[1], `"`)[0])
		if len(pts) != 3 {
			t.Errorf("train line: want 3 points, got %d", len(pts))
		}
	}
}

func TestLogTicksAreDecades(t *testing.T) {
	got := ticks(math.Log10(2e3), math.Log10(5e6), true, 5)
	want := []float64{1e4, 1e5, 1e6}
	if len(got) != len(want) {
		t.Fatalf("ticks = %v, want %v", got, want)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-6*want[i] {
			t.Fatalf("ticks = %v, want %v", got, want)
		}
	}
	wellFormed(t, LinePlot{LogX: true, LogY: true, Series: []Series{{X: []float64{1e3, 1e6, -1}, Y: []float64{3, 2, 1}}}}.SVG())
}

func TestHeatmapSVG(t *testing.T) {
	h := Heatmap{Title: "attention", Values: [][]float64{{0.9, 0.1}, {0.3, 0.7}, {0, 1}}, RowLabels: []string{"床", "前", "月"}, ColLabels: []string{"a", "b"}}
	s := h.SVG()
	wellFormed(t, s)
	if got := strings.Count(s, "<title>"); got != 6 {
		t.Errorf("want 6 cells, got %d", got)
	}
	if !strings.Contains(s, "床") {
		t.Error("row labels missing")
	}
	wellFormed(t, Heatmap{Values: [][]float64{{-1, 1}}}.SVG())
	wellFormed(t, Heatmap{}.SVG())
}

func TestTable(t *testing.T) {
	s := Table([]string{"model", "params"}, [][]any{{"GPT-2 <small>", 124.4e6}, {"BERT", float32(0.5)}})
	wellFormed(t, s)
	if !strings.Contains(s, "1.244e+08") || !strings.Contains(s, "GPT-2 &lt;small&gt;") {
		t.Errorf("unexpected table: %s", s)
	}
}

func TestSideBySide(t *testing.T) {
	got := SideBySide("<svg>a</svg>", "<svg>b</svg>")
	if !strings.HasPrefix(got, `<div style="display:flex`) || !strings.Contains(got, "<svg>a</svg><svg>b</svg>") {
		t.Errorf("SideBySide: %s", got)
	}
}

func TestBarChartSVG(t *testing.T) {
	svg := BarChart{Title: "a<b", Groups: []string{"x", "y"}, Series: []string{"s1", "s2", "s3"},
		Values: [][]float64{{0.5, 1}, {0, 0.25}, {0.75, 0.1}}}.SVG()
	if got := strings.Count(svg, "<rect"); got != 6+3 {
		t.Errorf("%d rects, want 6 bars + 3 legend boxes", got)
	}
	if !strings.Contains(svg, "a&lt;b") || !strings.Contains(svg, ">75%<") {
		t.Error("escaped title and the 75% label expected")
	}
	defer func() {
		if recover() == nil {
			t.Error("a series with the wrong number of values must panic")
		}
	}()
	BarChart{Groups: []string{"x"}, Series: []string{"s"}, Values: [][]float64{{0.1, 0.2}}}.SVG()
}
