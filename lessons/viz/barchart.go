package viz

import (
	"fmt"
	"strings"
)

// BarChart is a grouped bar chart of shares: Groups along the x axis, one bar per Series in each
// group, Values[s][g] ∈ [0, 1] drawn as a percentage with its label on top.
type BarChart struct {
	Title         string
	Groups        []string
	Series        []string
	Values        [][]float64 // [len(Series)][len(Groups)]
	Width, Height int         // pixels; 640×300 when zero
}

// SVG draws the chart. It panics if Values does not have len(Series) rows of len(Groups) values.
func (c BarChart) SVG() string {
	if len(c.Values) != len(c.Series) {
		panic(fmt.Sprintf("viz.BarChart: %d rows of values for %d series", len(c.Values), len(c.Series)))
	}
	for s, row := range c.Values {
		if len(row) != len(c.Groups) {
			panic(fmt.Sprintf("viz.BarChart: series %q has %d values for %d groups", c.Series[s], len(row), len(c.Groups)))
		}
	}
	W, H := c.Width, c.Height
	if W == 0 || H == 0 {
		W, H = 640, 300
	}
	const left, top, bottom = 50, 40, 60
	plotW, plotH := float64(W-left-20), float64(H-top-bottom)
	gw := plotW / float64(max(len(c.Groups), 1)) // width of a group; each bar is bw wide
	bw := gw * 0.8 / float64(max(len(c.Series), 1))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+
		`<text x="%d" y="20" font-size="14">%s</text>`, W, H, left, esc(c.Title))
	for _, y := range []float64{0, 0.25, 0.5, 0.75, 1} { // grid lines and the y axis ticks
		py := float64(top) + plotH*(1-y)
		fmt.Fprintf(&b, `<line x1="%d" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%.0f%%</text>`,
			left, float64(left)+plotW, py, py, left-5, py+4, y*100)
	}
	for g, name := range c.Groups {
		x0 := float64(left) + gw*float64(g) + gw*0.1
		for s := range c.Series {
			v := min(max(c.Values[s][g], 0), 1)
			x, h := x0+bw*float64(s), plotH*v
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/><text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%.0f%%</text>`,
				x, float64(top)+plotH-h, bw-2, h, palette[s%len(palette)], x+bw/2, float64(top)+plotH-h-3, c.Values[s][g]*100)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x0+gw*0.4, H-bottom+18, esc(name))
	}
	for s, name := range c.Series { // legend
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`,
			left+150*s, H-22, palette[s%len(palette)], left+150*s+16, H-12, esc(name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
