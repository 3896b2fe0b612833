package viz

import (
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// InNotebook reports whether the program runs as a GoNB cell (and can display HTML).
func InNotebook() bool { return gonbui.IsNotebook }

// Show displays HTML or SVG in the notebook cell's output; outside a notebook it does nothing.
// It waits until GoNB has the output (gonbui.Sync): a cell whose program ends right after a
// display could otherwise lose it (a committed notebook once lost a table that way).
func Show(html string) {
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(html)
		gonbui.Sync()
	}
}

// Live is one output area that can be redrawn in place, e.g. a loss curve updated while training.
// The last drawing stays in the saved notebook.
type Live struct{ id string }

// NewLive reserves an output area in the current cell, shown (empty) right away so that it stays above
// whatever the cell prints afterwards, e.g. a progress bar.
func NewLive() *Live {
	l := &Live{}
	if gonbui.IsNotebook {
		l.id = gonbui.UniqueID()
		gonbui.UpdateHTML(l.id, "<div></div>")
	}
	return l
}

// Update replaces the area's content with html (or SVG), and waits until GoNB has it (as Show).
func (l *Live) Update(html string) {
	if gonbui.IsNotebook {
		gonbui.UpdateHTML(l.id, html)
		gonbui.Sync()
	}
}

// SideBySide lays figures (SVG or HTML fragments) out in a row that wraps on narrow screens.
func SideBySide(figures ...string) string {
	return `<div style="display:flex;flex-wrap:wrap;gap:16px">` + strings.Join(figures, "") + `</div>`
}
