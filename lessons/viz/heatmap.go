package viz

import (
	"fmt"
	"math"
	"strings"
)

// Heatmap is a matrix drawn as coloured cells, e.g. attention weights [query, key] or a positional
// encoding table [position, dimension]. Rows run top to bottom, columns left to right.
type Heatmap struct {
	Title                string
	Values               [][]float64
	RowLabels, ColLabels []string // optional; e.g. the query and key tokens
	XLabel, YLabel       string
	Cell                 int // cell size in pixels; chosen to fit ~480px when zero
}

// color maps t in [0,1] to a white→blue ramp (or blue←white→red for diverging data, t in [-1,1]).
func color(t float64, diverging bool) string {
	if diverging && t < 0 {
		u := math.Min(1, -t)
		return fmt.Sprintf("rgb(%d,%d,%d)", int(255-200*u), int(255-150*u), 255)
	}
	u := math.Min(1, math.Max(0, t))
	if diverging {
		return fmt.Sprintf("rgb(255,%d,%d)", int(255-170*u), int(255-200*u))
	}
	return fmt.Sprintf("rgb(%d,%d,%d)", int(255-247*u), int(255-167*u), int(255-100*u))
}

// SVG renders the heatmap. Data with negative values uses a diverging scale centred on zero.
func (h Heatmap) SVG() string {
	rows := len(h.Values)
	cols := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range h.Values {
		cols = max(cols, len(r))
		for _, v := range r {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if rows == 0 || cols == 0 {
		return `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`
	}
	cell := h.Cell
	if cell == 0 {
		cell = max(2, min(36, 480/max(rows, cols)))
	}
	diverging := lo < 0
	scale := func(v float64) float64 {
		if diverging {
			return v / math.Max(math.Abs(lo), math.Abs(hi))
		}
		if hi == lo {
			return 1
		}
		return (v - lo) / (hi - lo)
	}
	left, top := 30, 40
	if len(h.RowLabels) > 0 {
		left = 70
	}
	if len(h.ColLabels) > 0 {
		top = 80
	}
	w, ht := left+cols*cell+70, top+rows*cell+40
	w = max(w, left+14*len([]rune(h.Title))) // room for the title (14px covers a CJK glyph at 14pt)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`, w, ht)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`)
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14" font-weight="bold">%s</text>`, left, esc(h.Title))
	for i, r := range h.Values {
		for j, v := range r {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>[%d,%d] %.4g</title></rect>`,
				left+j*cell, top+i*cell, cell, cell, color(scale(v), diverging), i, j, v)
		}
	}
	for i, l := range h.RowLabels {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-4, top+i*cell+cell/2+4, esc(l))
	}
	for j, l := range h.ColLabels {
		x, y := left+j*cell+cell/2+4, top-6
		fmt.Fprintf(&b, `<text x="%d" y="%d" transform="rotate(-60 %d %d)">%s</text>`, x, y, x, y, esc(l))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, left+cols*cell/2, top+rows*cell+20, esc(h.XLabel))
	fmt.Fprintf(&b, `<text x="12" y="%d" transform="rotate(-90 12 %d)" text-anchor="middle">%s</text>`, top+rows*cell/2, top+rows*cell/2, esc(h.YLabel))
	// colour bar
	bx := left + cols*cell + 16
	for k := range 20 {
		t := 1 - float64(k)/19
		if diverging {
			t = 2*t - 1
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="%d" fill="%s"/>`, bx, top+k*rows*cell/20, rows*cell/20+1, color(t, diverging))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, bx+14, top+8, formatTick(hi))
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, bx+14, top+rows*cell, formatTick(lo))
	b.WriteString(`</svg>`)
	return b.String()
}
