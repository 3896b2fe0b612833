package datasets

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestGlyphs: 36 distinct 7×5 bitmaps; a noiseless rendering holds exactly the glyph's ink at some
// offset; noise flips about the asked fraction of pixels; patches tile the image in order.
func TestGlyphs(t *testing.T) {
	alphabet := GlyphAlphabet()
	if len(alphabet) != 36 || alphabet[0] != '0' || alphabet[10] != 'A' {
		t.Fatalf("alphabet %q", string(alphabet))
	}
	seen := map[string]rune{}
	for _, ch := range alphabet {
		bm, err := GlyphBitmap(ch)
		if err != nil {
			t.Fatal(err)
		}
		if len(bm) != GlyphHeight || len(bm[GlyphHeight-1]) != GlyphWidth {
			t.Fatalf("%c: bitmap %d rows", ch, len(bm))
		}
		key := strings.Fields(glyphRows[ch])
		if len(key) != GlyphHeight {
			t.Fatalf("%c: %d rows", ch, len(key))
		}
		for _, row := range key {
			if len(row) != GlyphWidth {
				t.Fatalf("%c: row %q", ch, row)
			}
		}
		if prev, dup := seen[glyphRows[ch]]; dup {
			t.Errorf("%c draws like %c", ch, prev)
		}
		seen[glyphRows[ch]] = ch
	}
	r := rand.New(rand.NewPCG(1, 2))
	cfg := GlyphConfig{Height: 10, Width: 8}
	img, err := RenderGlyph(r, 'A', cfg)
	if err != nil {
		t.Fatal(err)
	}
	ink := 0
	for _, v := range img {
		ink += int(v)
	}
	if want := strings.Count(glyphRows['A'], "#"); ink != want {
		t.Errorf("noiseless A has %d ink pixels, want %d", ink, want)
	}
	cfg.Noise = 0.1
	flipped, total := 0, 0
	for seed := range uint64(200) { // the same seed draws the same offset, then the noise
		clean, _ := RenderGlyph(rand.New(rand.NewPCG(seed, 7)), 'B', GlyphConfig{Height: 10, Width: 8})
		noisy, _ := RenderGlyph(rand.New(rand.NewPCG(seed, 7)), 'B', cfg)
		total += len(noisy)
		for i := range noisy {
			if noisy[i] != clean[i] {
				flipped++
			}
		}
	}
	if frac := float64(flipped) / float64(total); frac < 0.09 || frac > 0.11 {
		t.Errorf("noise 0.1 flipped %.3f of the pixels", frac)
	}
	patches, err := Patches(img, 10, 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(patches) != 20 || len(patches[0]) != 4 || patches[1][0] != img[2] || patches[4][0] != img[16] {
		t.Errorf("patches: %d of %d", len(patches), len(patches[0]))
	}
	for _, bad := range []func() error{
		func() error { _, err := RenderGlyph(r, 'a', cfg); return err },
		func() error { _, err := RenderGlyph(r, 'A', GlyphConfig{Height: 6, Width: 8}); return err },
		func() error { _, err := RenderGlyph(r, 'A', GlyphConfig{Height: 10, Width: 8, Noise: 2}); return err },
		func() error { _, err := Patches(img, 10, 8, 3); return err },
	} {
		if bad() == nil {
			t.Error("no error")
		}
	}
}
