package viz

import (
	"fmt"
	"math"
	"strings"
)

// Point is one labelled dot of a Scatter: the model "GPT-3" at (2020.4, 1.75e11), say. Points of the
// same Group share a colour and a legend entry.
type Point struct {
	X, Y         float64
	Label, Group string
	// Left draws the label to the left of the dot (to avoid a neighbour); labels near the right
	// edge go to the left anyway.
	Left bool
}

// Scatter is a chart of labelled points with optional logarithmic axes — e.g. model size against
// year (chapter 01). Points with a NaN or infinite coordinate, or a non-positive one on a log axis,
// are skipped.
type Scatter struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Points                []Point
	Width, Height         int // pixels; 640×400 when zero
}

// SVG renders the chart as a standalone <svg> element.
func (p Scatter) SVG() string {
	w, h := p.Width, p.Height
	if w == 0 {
		w = 640
	}
	if h == 0 {
		h = 400
	}
	const left, right, top, bottom = 70.0, 30.0, 36.0, 50.0
	xs, ys := axis{lo: math.Inf(1), hi: math.Inf(-1), log: p.LogX}, axis{lo: math.Inf(1), hi: math.Inf(-1), log: p.LogY}
	var groups []string
	color := map[string]string{}
	for _, pt := range p.Points {
		if !usable(pt.X, p.LogX) || !usable(pt.Y, p.LogY) {
			continue
		}
		xs.lo, xs.hi = math.Min(xs.lo, xs.t(pt.X)), math.Max(xs.hi, xs.t(pt.X))
		ys.lo, ys.hi = math.Min(ys.lo, ys.t(pt.Y)), math.Max(ys.hi, ys.t(pt.Y))
		if _, ok := color[pt.Group]; !ok {
			color[pt.Group] = palette[len(groups)%len(palette)]
			groups = append(groups, pt.Group)
		}
	}
	if math.IsInf(xs.lo, 0) {
		xs.lo, xs.hi, ys.lo, ys.hi = 0, 1, 0, 1
	}
	// A little margin so that dots and labels at the extremes stay inside the frame.
	padX, padY := 0.06*(xs.hi-xs.lo), 0.08*(ys.hi-ys.lo)
	if padX == 0 {
		padX = 0.5
	}
	if padY == 0 {
		padY = 0.5
	}
	xs.lo, xs.hi, ys.lo, ys.hi = xs.lo-padX, xs.hi+padX, ys.lo-padY, ys.hi+padY
	xs.from, xs.to = left, float64(w)-right
	ys.from, ys.to = float64(h)-bottom, top

	var b strings.Builder
	writeFrame(&b, w, h, p.Title, p.XLabel, p.YLabel, xs, ys)
	for _, pt := range p.Points {
		if !usable(pt.X, p.LogX) || !usable(pt.Y, p.LogY) {
			continue
		}
		x, y := xs.px(pt.X), ys.px(pt.Y)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="5" fill="%s"/>`, x, y, color[pt.Group])
		if pt.Label != "" {
			anchor, dx := "start", 8.0
			if pt.Left || x > (xs.from+xs.to)/2+0.3*(xs.to-xs.from) { // near the right edge: label on the left
				anchor, dx = "end", -8
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, x+dx, y+4, anchor, esc(pt.Label))
		}
	}
	for gi, g := range groups {
		if g == "" {
			continue
		}
		ly := ys.to + 14 + 16*float64(gi)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="5" fill="%s"/>`, xs.from+14, ly-4, color[g])
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, xs.from+24, ly, esc(g))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
