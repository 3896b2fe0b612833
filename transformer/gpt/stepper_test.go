package gpt

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bert2gpt/bert2gpt/backend"
)

// A batch fed through a Stepper gives, at every position, the logits of a full forward pass of
// each sequence; Reset starts over; bad calls fail with an error that says what is wrong.
func TestStepperMatchesFullForwardPerSequence(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	c := tinyConfig()
	c.NPositions = 16
	m, err := New(be, c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	const batch, n = 3, 10
	seqs := make([][]int32, batch)
	for b := range seqs {
		seqs[b] = make([]int32, n)
		for i := range seqs[b] {
			seqs[b][i] = int32(r.IntN(c.VocabSize))
		}
	}
	full, err := m.Logits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	want := full.Value().([][][]float32) // [batch, n, V]
	s, err := m.NewStepper(batch, 12)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for round := range 2 { // the second round after Reset must give the same logits
		worst := 0.0
		for i := range n {
			column := []int32{seqs[0][i], seqs[1][i], seqs[2][i]}
			got, err := s.Next(column)
			if err != nil {
				t.Fatal(err)
			}
			for b := range batch {
				worst = max(worst, maxAbsDiff(got[b], want[b][i]))
			}
		}
		if worst > 1e-5 || s.Pos() != n {
			t.Fatalf("round %d: max |Δlogits| %g vs the full forward, Pos %d", round, worst, s.Pos())
		}
		s.Reset()
	}

	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"wrong batch", func() error { _, err := s.Next([]int32{1}); return err }, "1 tokens for a batch of 3"},
		{"full cache", func() error {
			for range 13 {
				if _, err := s.Next([]int32{1, 2, 3}); err != nil {
					return err
				}
			}
			return nil
		}, "cache is full (12 positions)"},
		{"batch 0", func() error { _, err := m.NewStepper(0, 4); return err }, "batch 0"},
		{"too long", func() error { _, err := m.NewStepper(1, 17); return err }, "n_positions = 16"},
	} {
		if err := c.call(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
}
