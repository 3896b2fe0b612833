package gpt

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// A LogitsProcessor rewrites the next-token scores before a token is chosen, in place, like Hugging
// Face's LogitsProcessor / LogitsWarper: scores [V] start as the model's logits (log-space,
// unnormalised) for the token after seq; −Inf removes a token. Generation runs a chain of them —
// GenerateOptions.Processors first, then KeepTopK, Temperature and KeepTopP from the fields TopK,
// Temperature and TopP — and draws from the softmax of the result (or takes its argmax when Temperature is 0).
type LogitsProcessor interface {
	Process(seq []int32, scores []float64)
}

// Temperature divides the scores by τ > 0: softmax(z/τ) is flatter for τ > 1, sharper for τ < 1.
type Temperature float64

// Process implements LogitsProcessor.
func (t Temperature) Process(_ []int32, scores []float64) {
	for i := range scores {
		scores[i] /= float64(t)
	}
}

// KeepTopK keeps the k highest scores (ties: the smaller id first) and removes the rest; k ≤ 0 keeps all.
type KeepTopK int

// Process implements LogitsProcessor.
func (k KeepTopK) Process(_ []int32, scores []float64) {
	if k <= 0 || int(k) >= len(scores) {
		return
	}
	keep := make([]bool, len(scores))
	for _, i := range candidates(scores, int(k)) {
		keep[i] = true
	}
	for i := range scores {
		if !keep[i] {
			scores[i] = math.Inf(-1)
		}
	}
}

// KeepTopP keeps the smallest set of most likely tokens whose probability (softmax of the scores)
// reaches p, nucleus sampling (Holtzman et al. 2019); p ≤ 0 or p ≥ 1 keeps all.
type KeepTopP float64

// Process implements LogitsProcessor.
func (p KeepTopP) Process(_ []int32, scores []float64) {
	if p <= 0 || p >= 1 {
		return
	}
	probs := Probabilities(scores)
	order := rankedNonZero(probs)
	cum := 0.0
	for n, i := range order {
		cum += probs[i]
		if cum >= float64(p) {
			for _, j := range order[n+1:] {
				scores[j] = math.Inf(-1)
			}
			return
		}
	}
}

// RepetitionPenalty discourages tokens already in the sequence (Keskar et al. 2019, CTRL; Hugging
// Face's repetition_penalty): for each distinct token of seq, a positive score is divided by θ and
// a negative one multiplied by θ, so θ > 1 always lowers it.
type RepetitionPenalty float64

// Process implements LogitsProcessor.
func (r RepetitionPenalty) Process(seq []int32, scores []float64) {
	seen := map[int32]bool{}
	for _, t := range seq {
		if seen[t] || t < 0 || int(t) >= len(scores) {
			continue
		}
		seen[t] = true
		if scores[t] > 0 {
			scores[t] /= float64(r)
		} else {
			scores[t] *= float64(r)
		}
	}
}

// BanTokens removes the listed tokens: they are never chosen (e.g. a newline that would end a poem).
type BanTokens []int32

// Process implements LogitsProcessor.
func (b BanTokens) Process(_ []int32, scores []float64) {
	for _, t := range b {
		if t >= 0 && int(t) < len(scores) {
			scores[t] = math.Inf(-1)
		}
	}
}

// Probabilities returns p_i = exp(s_i − max s) / Σ_j exp(s_j − max s) for scores s [V]; removed tokens
// (−Inf) get 0. Subtracting the maximum keeps exp from overflowing.
func Probabilities(scores []float64) []float64 {
	maxS := math.Inf(-1)
	for _, s := range scores {
		maxS = max(maxS, s)
	}
	probs := make([]float64, len(scores))
	sum := 0.0
	for i, s := range scores {
		if !math.IsInf(s, -1) {
			probs[i] = math.Exp(s - maxS)
			sum += probs[i]
		}
	}
	for i := range probs {
		probs[i] /= sum
	}
	return probs
}

// Chain returns the processors o applies, in order: o.Processors, then (when sampling,
// Temperature > 0) KeepTopK, Temperature and KeepTopP from the fields that are set.
func (o GenerateOptions) Chain() []LogitsProcessor {
	chain := append([]LogitsProcessor(nil), o.Processors...)
	if o.Temperature > 0 {
		if o.TopK > 0 {
			chain = append(chain, KeepTopK(o.TopK)) // top-k on the logits equals top-k after dividing by τ
		}
		chain = append(chain, Temperature(o.Temperature))
		if o.TopP > 0 && o.TopP < 1 {
			chain = append(chain, KeepTopP(o.TopP))
		}
	}
	return chain
}

// Distribution is the distribution o draws the token after seq from: softmax of logits [V] after
// o's processor chain. With Temperature 0 (greedy) the token is its most likely one.
func (o GenerateOptions) Distribution(seq []int32, logits []float32) []float64 {
	return Probabilities(o.scores(seq, logits))
}

// scores returns logits [V] as float64 after o's processor chain.
func (o GenerateOptions) scores(seq []int32, logits []float32) []float64 {
	scores := make([]float64, len(logits))
	for i, x := range logits {
		scores[i] = float64(x)
	}
	for _, p := range o.Chain() {
		p.Process(seq, scores)
	}
	return scores
}

// Pick draws a token from probs [V] with rng: one uniform number u, walking the tokens from the
// most to the least likely (ties: the smaller id first) and stopping where their cumulative
// probability passes u.
func Pick(probs []float64, rng *rand.Rand) int32 {
	order := rankedNonZero(probs)
	u := rng.Float64()
	last := order[0]
	for _, i := range order {
		last = i
		if u -= probs[i]; u < 0 {
			return int32(i)
		}
	}
	return int32(last) // rounding left u ≥ 0 after the last token: take it
}

// next chooses the token after seq from logits [V] and returns it with the distribution it came
// from: the argmax of the processed scores when greedy (Temperature 0), else a draw with rng.
func (o GenerateOptions) next(seq []int32, logits []float32, rng *rand.Rand) (int32, []float64) {
	scores := o.scores(seq, logits)
	probs := Probabilities(scores)
	if o.Temperature == 0 {
		best := 0 // argmax; ties: the smaller id
		for i, x := range scores {
			if x > scores[best] {
				best = i
			}
		}
		return int32(best), probs
	}
	return Pick(probs, rng), probs
}

// Sample picks the next token from logits [V]: argmax when temperature is 0, else a draw from
// softmax(logits/temperature) after top-k and top-p filtering (GenerateOptions.Chain's order).
func Sample(logits []float32, temperature float64, topK int, topP float64, rng *rand.Rand) int32 {
	tok, _ := GenerateOptions{Temperature: temperature, TopK: topK, TopP: topP}.next(nil, logits, rng)
	return tok
}

// rankedNonZero returns the ids of the tokens with p > 0 by decreasing p, ties broken by the
// smaller id (a total order, so the fast unstable sort gives the stable sort's result). Only the
// tokens left after filtering are sorted, not the whole vocabulary.
func rankedNonZero(probs []float64) []int {
	idx := make([]int, 0, len(probs))
	for i, p := range probs {
		if p > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(probs[b], probs[a]), cmp.Compare(a, b)) })
	return idx
}

// candidates returns the ids of the k highest scores by decreasing score (ties: the smaller id
// first), 0 < k < V. They are selected in one pass, keeping a sorted list of the best k so far
// (most tokens fail the comparison with its last entry), instead of sorting all V scores for
// every new token.
func candidates(scores []float64, k int) []int {
	best := make([]int, 0, k)
	for i, x := range scores {
		if len(best) == k && x <= scores[best[k-1]] {
			continue
		}
		// Insert after every entry with a score ≥ x (earlier ids win ties, as in a stable sort).
		at, _ := slices.BinarySearchFunc(best, x, func(j int, x float64) int {
			if scores[j] >= x {
				return -1
			}
			return 1
		})
		if len(best) == k {
			best = best[:k-1]
		}
		best = slices.Insert(best, at, i)
	}
	return best
}

// validateProcessors reports a processor value that cannot work.
func validateProcessors(ps []LogitsProcessor) error {
	for i, p := range ps {
		switch v := p.(type) {
		case nil:
			return fmt.Errorf("gpt: processor %d is nil", i)
		case Temperature:
			if !(v > 0) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("gpt: processor %d: temperature %g must be > 0", i, float64(v))
			}
		case RepetitionPenalty:
			if !(v > 0) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("gpt: processor %d: repetition penalty %g must be > 0", i, float64(v))
			}
		}
	}
	return nil
}
