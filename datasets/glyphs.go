package datasets

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Glyph images: a synthetic vision task for chapter 15's cross-modal demonstration — the same
// Transformer blocks that read text read image patches. Each of the 36 characters 0–9 and A–Z is
// a 5×7 bitmap (a classic dot-matrix font, drawn here); RenderGlyph places it at a random offset on
// a larger canvas and flips random pixels, so that no two images of a character are alike.

// GlyphWidth and GlyphHeight are the size of a character's bitmap.
const (
	GlyphWidth  = 5
	GlyphHeight = 7
)

// glyphRows holds the bitmaps, 7 rows of 5 pixels each ('#' = ink).
var glyphRows = map[rune]string{
	'0': ".###. #...# #..## #.#.# ##..# #...# .###.",
	'1': "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
	'2': ".###. #...# ....# ...#. ..#.. .#... #####",
	'3': "####. ....# ....# .###. ....# ....# ####.",
	'4': "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
	'5': "##### #.... ####. ....# ....# #...# .###.",
	'6': "..##. .#... #.... ####. #...# #...# .###.",
	'7': "##### ....# ...#. ..#.. .#... .#... .#...",
	'8': ".###. #...# #...# .###. #...# #...# .###.",
	'9': ".###. #...# #...# .#### ....# ...#. .##..",
	'A': "..#.. .#.#. #...# #...# ##### #...# #...#",
	'B': "####. #...# #...# ####. #...# #...# ####.",
	'C': ".###. #...# #.... #.... #.... #...# .###.",
	'D': "###.. #..#. #...# #...# #...# #..#. ###..",
	'E': "##### #.... #.... ####. #.... #.... #####",
	'F': "##### #.... #.... ####. #.... #.... #....",
	'G': ".###. #...# #.... #.### #...# #...# .####",
	'H': "#...# #...# #...# ##### #...# #...# #...#",
	'I': ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
	'J': "..### ...#. ...#. ...#. ...#. #..#. .##..",
	'K': "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
	'L': "#.... #.... #.... #.... #.... #.... #####",
	'M': "#...# ##.## #.#.# #.#.# #...# #...# #...#",
	'N': "#...# #...# ##..# #.#.# #..## #...# #...#",
	'O': ".###. #...# #...# #...# #...# #...# .###.",
	'P': "####. #...# #...# ####. #.... #.... #....",
	'Q': ".###. #...# #...# #...# #.#.# #..#. .##.#",
	'R': "####. #...# #...# ####. #.#.. #..#. #...#",
	'S': ".#### #.... #.... .###. ....# ....# ####.",
	'T': "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
	'U': "#...# #...# #...# #...# #...# #...# .###.",
	'V': "#...# #...# #...# #...# #...# .#.#. ..#..",
	'W': "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
	'X': "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
	'Y': "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
	'Z': "##### ....# ...#. ..#.. .#... #.... #####",
}

// GlyphAlphabet lists the characters RenderGlyph draws, in class order: 0–9, then A–Z.
func GlyphAlphabet() []rune {
	var out []rune
	for r := '0'; r <= '9'; r++ {
		out = append(out, r)
	}
	for r := 'A'; r <= 'Z'; r++ {
		out = append(out, r)
	}
	return out
}

// GlyphBitmap returns the 7×5 bitmap of ch (1 = ink), or an error for a character not in
// GlyphAlphabet.
func GlyphBitmap(ch rune) ([][]float32, error) {
	rows, ok := glyphRows[ch]
	if !ok {
		return nil, fmt.Errorf("datasets: no glyph for %q (glyphs: 0-9, A-Z)", ch)
	}
	out := make([][]float32, GlyphHeight)
	for y, row := range strings.Fields(rows) {
		out[y] = make([]float32, GlyphWidth)
		for x, c := range row {
			if c == '#' {
				out[y][x] = 1
			}
		}
	}
	return out, nil
}

// GlyphConfig says how RenderGlyph draws: the canvas size (at least the glyph's 7×5) and the
// probability Noise of flipping each pixel.
type GlyphConfig struct {
	Height, Width int
	Noise         float64
}

// RenderGlyph draws ch on a Height×Width canvas (row-major, values 0 or 1) at a random offset, then
// flips each pixel with probability Noise.
func RenderGlyph(r *rand.Rand, ch rune, c GlyphConfig) ([]float32, error) {
	if c.Height < GlyphHeight || c.Width < GlyphWidth {
		return nil, fmt.Errorf("datasets: canvas %d×%d is smaller than a glyph (%d×%d)", c.Height, c.Width, GlyphHeight, GlyphWidth)
	}
	if !(c.Noise >= 0 && c.Noise <= 1) {
		return nil, fmt.Errorf("datasets: noise %g must be in [0, 1]", c.Noise)
	}
	bm, err := GlyphBitmap(ch)
	if err != nil {
		return nil, err
	}
	img := make([]float32, c.Height*c.Width)
	dy, dx := r.IntN(c.Height-GlyphHeight+1), r.IntN(c.Width-GlyphWidth+1)
	for y, row := range bm {
		for x, v := range row {
			img[(y+dy)*c.Width+x+dx] = v
		}
	}
	for i := range img {
		if r.Float64() < c.Noise {
			img[i] = 1 - img[i]
		}
	}
	return img, nil
}

// Patches cuts a Height×Width image (row-major) into non-overlapping p×p patches, row by row, each
// flattened row-major: the "tokens" of a Vision Transformer (Dosovitskiy et al., 2020). Height and
// Width must be multiples of p.
func Patches(img []float32, height, width, p int) ([][]float32, error) {
	if p <= 0 || height%p != 0 || width%p != 0 || len(img) != height*width {
		return nil, fmt.Errorf("datasets: %d pixels as %d×%d in %d×%d patches", len(img), height, width, p, p)
	}
	var out [][]float32
	for py := 0; py < height; py += p {
		for px := 0; px < width; px += p {
			patch := make([]float32, 0, p*p)
			for y := py; y < py+p; y++ {
				patch = append(patch, img[y*width+px:y*width+px+p]...)
			}
			out = append(out, patch)
		}
	}
	return out, nil
}
