package viz

import (
	"fmt"
	"math"
	"strings"
)

// Series is one line of a LinePlot: points (X[i], Y[i]). Points with a NaN or infinite coordinate, or
// a non-positive one on a log axis, are skipped.
type Series struct {
	Name string
	X, Y []float64
}

// LinePlot is an x–y line chart with optional logarithmic axes (for loss-vs-parameters scaling plots).
type LinePlot struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Series                []Series
	Width, Height         int // pixels; 640×360 when zero
}

// palette is a colour-blind-friendly set (Okabe–Ito).
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"}

// axis maps data values to pixels, linearly or in log10.
type axis struct {
	lo, hi   float64 // data range (log10 already applied when log)
	log      bool
	from, to float64 // pixel range
}

func (a axis) t(v float64) float64 { // data → transformed data
	if a.log {
		return math.Log10(v)
	}
	return v
}

func (a axis) px(v float64) float64 {
	if a.hi == a.lo {
		return (a.from + a.to) / 2
	}
	return a.from + (a.t(v)-a.lo)/(a.hi-a.lo)*(a.to-a.from)
}

func usable(v float64, log bool) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!log || v > 0)
}

// ticks returns about n "nice" tick values covering [lo, hi] (in transformed units for log axes: 10^k).
func ticks(lo, hi float64, log bool, n int) []float64 {
	if log {
		var out []float64
		for k := math.Floor(lo); k <= math.Ceil(hi); k++ {
			if k >= lo-1e-9 && k <= hi+1e-9 {
				out = append(out, math.Pow(10, k))
			}
		}
		if len(out) >= 2 {
			return out
		}
		lo, hi = math.Pow(10, lo), math.Pow(10, hi) // too narrow for decades: fall back to linear ticks
	}
	if hi == lo {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, v)
	}
	return out
}

func formatTick(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 1e5 || a < 1e-3:
		return fmt.Sprintf("%.0e", v)
	default:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
	}
}

// SVG renders the plot as a standalone <svg> element.
func (p LinePlot) SVG() string {
	w, h := p.Width, p.Height
	if w == 0 {
		w = 640
	}
	if h == 0 {
		h = 360
	}
	const left, right, top, bottom = 70.0, 20.0, 36.0, 50.0
	xs, ys := axis{lo: math.Inf(1), hi: math.Inf(-1), log: p.LogX}, axis{lo: math.Inf(1), hi: math.Inf(-1), log: p.LogY}
	for _, s := range p.Series {
		for i := range min(len(s.X), len(s.Y)) {
			if usable(s.X[i], p.LogX) && usable(s.Y[i], p.LogY) {
				xs.lo, xs.hi = math.Min(xs.lo, xs.t(s.X[i])), math.Max(xs.hi, xs.t(s.X[i]))
				ys.lo, ys.hi = math.Min(ys.lo, ys.t(s.Y[i])), math.Max(ys.hi, ys.t(s.Y[i]))
			}
		}
	}
	if math.IsInf(xs.lo, 0) { // no data at all
		xs.lo, xs.hi, ys.lo, ys.hi = 0, 1, 0, 1
	}
	xs.from, xs.to = left, float64(w)-right
	ys.from, ys.to = float64(h)-bottom, top

	var b strings.Builder
	writeFrame(&b, w, h, p.Title, p.XLabel, p.YLabel, xs, ys)
	// lines and legend
	for si, s := range p.Series {
		color := palette[si%len(palette)]
		var pts []string
		for i := range min(len(s.X), len(s.Y)) {
			if usable(s.X[i], p.LogX) && usable(s.Y[i], p.LogY) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", xs.px(s.X[i]), ys.px(s.Y[i])))
			}
		}
		if len(pts) == 1 {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`, strings.Split(pts[0], ",")[0], strings.Split(pts[0], ",")[1], color)
		} else if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.8" points="%s"/>`, color, strings.Join(pts, " "))
		}
		if s.Name != "" {
			ly := ys.to + 14 + 16*float64(si)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`, xs.to-130, ly-4, xs.to-110, ly-4, color)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, xs.to-104, ly, esc(s.Name))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// esc escapes text for SVG/HTML.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// writeFrame opens a w×h <svg> and draws what every x–y chart shares: white background, title, grid
// lines with tick labels (decades on log axes), the plot frame and the axis labels.
func writeFrame(b *strings.Builder, w, h int, title, xLabel, yLabel string, xs, ys axis) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`, w, h, w, h)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="white"/>`)
	fmt.Fprintf(b, `<text x="%d" y="20" text-anchor="middle" font-size="14" font-weight="bold">%s</text>`, w/2, esc(title))
	for _, v := range ticks(xs.lo, xs.hi, xs.log, 6) {
		x := xs.px(v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`, x, ys.to, x, ys.from)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, ys.from+16, formatTick(v))
	}
	for _, v := range ticks(ys.lo, ys.hi, ys.log, 5) {
		y := ys.px(v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`, xs.from, y, xs.to, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, xs.from-6, y+4, formatTick(v))
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`, xs.from, ys.to, xs.to-xs.from, ys.from-ys.to)
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, (xs.from+xs.to)/2, h-12, esc(xLabel))
	fmt.Fprintf(b, `<text x="16" y="%.1f" text-anchor="middle" transform="rotate(-90 16 %.1f)">%s</text>`, (ys.from+ys.to)/2, (ys.from+ys.to)/2, esc(yLabel))
}
