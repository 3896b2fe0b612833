// Package viz draws the course's pictures — line plots, heatmaps and tables — as self-contained SVG
// and HTML, so they render in JupyterLab, in a committed notebook viewed offline, and in tests.
//
// Every chapter uses it instead of copying plotting code between notebooks:
//
//	p := viz.LinePlot{Title: "loss", XLabel: "step", YLabel: "loss", Series: []viz.Series{{Name: "train", X: xs, Y: ys}}}
//	viz.Show(p.SVG())                  // in a GoNB cell: display it
//	live := viz.NewLive(); live.Update(p.SVG()) // redraw the same output in place while training
//
// Outside a notebook Show and Live do nothing, so library code and tests can call them freely.
package viz
