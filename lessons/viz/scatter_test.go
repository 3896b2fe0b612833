package viz

import (
	"math"
	"strings"
	"testing"
)

func TestScatterSVG(t *testing.T) {
	s := Scatter{Title: "size <vs> year", XLabel: "year", YLabel: "params", LogY: true, Points: []Point{
		{X: 2018.4, Y: 1.17e8, Label: "GPT-1", Group: "GPT", Left: true},
		{X: 2019.1, Y: 1.5e9, Label: "GPT-2", Group: "GPT"},
		{X: 2020.4, Y: 1.75e11, Label: "GPT-3", Group: "GPT"},
		{X: 2018.8, Y: 3.4e8, Label: "BERT-large", Group: "BERT"},
		{X: 2019, Y: 0, Label: "skipped: not positive on a log axis", Group: "bad"},
		{X: math.NaN(), Y: 1, Label: "skipped: NaN", Group: "bad"},
	}}.SVG()
	if !strings.HasPrefix(s, "<svg") || !strings.HasSuffix(s, "</svg>") {
		t.Fatalf("not a standalone svg: %.80s…", s)
	}
	// 4 usable dots + 2 legend dots; the unusable points draw nothing and add no legend entry.
	if n := strings.Count(s, "<circle"); n != 6 {
		t.Errorf("%d circles, want 6", n)
	}
	for _, want := range []string{"GPT-3", "BERT-large", "size &lt;vs&gt; year", "1e+11"} {
		if !strings.Contains(s, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	if strings.Contains(s, "skipped") || strings.Contains(s, ">bad<") {
		t.Errorf("unusable points were drawn")
	}
	if strings.Contains(s, "NaN") {
		t.Errorf("svg contains NaN coordinates")
	}
	// A Left label is anchored at its end; an ordinary one left of the middle at its start.
	if !strings.Contains(s, `text-anchor="end">GPT-1<`) || !strings.Contains(s, `text-anchor="start">BERT-large<`) {
		t.Errorf("label placement: GPT-1 should be left of its dot, BERT-large right")
	}
	// Two groups get two different colours.
	if !strings.Contains(s, palette[0]) || !strings.Contains(s, palette[1]) {
		t.Errorf("groups do not get distinct palette colours")
	}
}

func TestScatterEmpty(t *testing.T) {
	s := Scatter{Title: "empty"}.SVG()
	if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") || strings.Count(s, "<circle") != 0 {
		t.Errorf("empty scatter renders badly: %s", s)
	}
}
