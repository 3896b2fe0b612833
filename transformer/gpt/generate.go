package gpt

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/bert2gpt/bert2gpt/transformer"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// GenerateOptions control decoding. With Temperature 0 decoding is greedy (argmax); otherwise the
// next token is drawn from softmax(logits/Temperature), restricted to the TopK most likely tokens
// (TopK > 0) and then to the smallest set whose probability reaches TopP (0 < TopP < 1, nucleus
// sampling).
type GenerateOptions struct {
	MaxNewTokens int
	Temperature  float64
	TopK         int
	TopP         float64
	StopTokens   []int32 // generation ends after emitting one of these (it is included)
	Seed         uint64  // sampling seed
	// OnToken, if set, receives every new token as soon as it is chosen (streaming); an error stops.
	OnToken func(id int32) error
	// NoCache recomputes the whole window for every token (the slow baseline of chapter 10).
	NoCache bool
}

// MaxNewTokensLimit bounds GenerateOptions.MaxNewTokens (16,777,216 tokens: days of generation).
const MaxNewTokensLimit = 1 << 24

// Validate reports the first bad option.
func (o GenerateOptions) Validate() error {
	switch {
	case o.MaxNewTokens <= 0:
		return fmt.Errorf("gpt: max new tokens %d must be > 0", o.MaxNewTokens)
	case o.MaxNewTokens > MaxNewTokensLimit:
		return fmt.Errorf("gpt: max new tokens %d is above the limit %d (gpt.MaxNewTokensLimit)", o.MaxNewTokens, MaxNewTokensLimit)
	case o.Temperature < 0 || math.IsNaN(o.Temperature) || math.IsInf(o.Temperature, 0):
		return fmt.Errorf("gpt: temperature %g must be ≥ 0 (0 = greedy)", o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("gpt: top-k %d must be ≥ 0 (0 = off)", o.TopK)
	case o.TopP < 0 || o.TopP > 1 || math.IsNaN(o.TopP):
		return fmt.Errorf("gpt: top-p %g must be in [0, 1] (0 or 1 = off)", o.TopP)
	}
	return nil
}

// cacheLen rounds the needed length up to a multiple of 64 (so a few graphs serve all calls),
// capped at n_positions.
func (c Config) cacheLen(need int) int {
	n := (need + 63) / 64 * 64
	return min(n, c.NPositions)
}

func (m *Model) stepExec(maxLen int) (*model.Exec, error) {
	m.mu.Lock() // the map is shared by concurrent callers (concurrency.go)
	defer m.mu.Unlock()
	if e, ok := m.steps[maxLen]; ok {
		return e, nil
	}
	c := m.Config
	// inputs: token, pos, then the cache tensors; outputs: logits, then the new cache.
	e, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, inputs []*Node) []*Node {
		logits, cache := Step(scope, c, inputs[0], inputs[1], inputs[2:])
		return append([]*Node{logits}, cache...)
	})
	if err != nil {
		return nil, err
	}
	m.steps[maxLen] = e
	return e, nil
}

func (m *Model) windowExec(w int) (*model.Exec, error) {
	m.mu.Lock() // the map is shared by concurrent callers; the graph is built in prepare (concurrency.go)
	e, ok := m.window[w]
	if !ok {
		c := m.Config
		var err error
		e, err = model.NewExec(m.Backend, m.Store, func(scope *model.Scope, tokens, pos *Node) *Node {
			return WindowLogits(scope, c, tokens, pos)
		})
		if err != nil {
			m.mu.Unlock()
			return nil, err
		}
		m.window[w] = e
	}
	m.mu.Unlock()
	return e, m.prepare(e, tokenShape(1, w), scalarInt32)
}

// Generate continues prompt by up to MaxNewTokens tokens and returns the new tokens. The prompt
// must fit in n_positions. Past the context, the uncached decoder crops to the last n_positions
// tokens (nanoGPT); the cached one restarts its cache from the last n_positions/2 tokens whenever
// it is full (so the two agree exactly only while everything fits in the context).
func (m *Model) Generate(prompt []int32, o GenerateOptions) (out []int32, err error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if len(prompt) == 0 {
		return nil, fmt.Errorf("gpt: empty prompt (give at least one token)")
	}
	if err := m.Config.CheckTokens([][]int32{prompt}); err != nil {
		return nil, err
	}
	total := min(len(prompt)+min(o.MaxNewTokens, m.Config.NPositions), m.Config.NPositions)
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	stop := map[int32]bool{}
	for _, s := range o.StopTokens {
		stop[s] = true
	}
	err = transformer.Catch("gpt.Model.Generate", func() error {
		next := m.cachedDecoder(total)
		if o.NoCache {
			next = m.windowDecoder(total)
		}
		seq := append([]int32(nil), prompt...)
		logits, err := next(seq, -1)
		if err != nil {
			return err
		}
		for len(out) < o.MaxNewTokens {
			tok := Sample(logits, o.Temperature, o.TopK, o.TopP, rng)
			out = append(out, tok)
			seq = append(seq, tok)
			if o.OnToken != nil {
				if err := o.OnToken(tok); err != nil {
					return err
				}
			}
			if stop[tok] || len(out) == o.MaxNewTokens {
				break
			}
			if logits, err = next(seq, len(seq)-1); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// decoder returns the logits for the token after seq; from = −1 means "seq is new" (the prompt),
// otherwise only seq[from] is new.
type decoder func(seq []int32, from int) ([]float32, error)

func (m *Model) cachedDecoder(total int) decoder {
	maxLen := m.Config.cacheLen(total)
	var s *Stepper // its cache slot i holds the token at position i of the current window
	return func(seq []int32, from int) ([]float32, error) {
		if s == nil {
			var err error
			if s, err = m.NewStepper(1, maxLen); err != nil {
				return nil, err
			}
		}
		var feed []int32
		switch {
		case from < 0 || s.Pos()+len(seq)-from > maxLen:
			// A new prompt, or the context is full: restart the window. On overflow keep the
			// last half of the context, so refills happen every maxLen/2 tokens.
			keep := len(seq)
			if from >= 0 {
				keep = maxLen / 2
			}
			feed = seq[len(seq)-keep:]
			if s.Pos() > 0 {
				s.Reset()
			}
		default:
			feed = seq[from:]
		}
		var logits [][]float32
		for _, tok := range feed {
			var err error
			if logits, err = s.Next([]int32{tok}); err != nil {
				return nil, err
			}
		}
		return logits[0], nil
	}
}

func (m *Model) windowDecoder(total int) decoder {
	w := m.Config.cacheLen(total)
	return func(seq []int32, _ int) ([]float32, error) {
		exec, err := m.windowExec(w)
		if err != nil {
			return nil, err
		}
		if len(seq) > w { // crop to the context, as nanoGPT does
			seq = seq[len(seq)-w:]
		}
		window := make([]int32, w)
		copy(window, seq)
		logits, err := exec.Call1(tensors.FromValue([][]int32{window}), tensors.FromValue(int32(len(seq)-1)))
		if err != nil {
			return nil, err
		}
		flat := tensors.MustCopyFlatData[float32](logits)
		_ = logits.FinalizeAll()
		return flat, nil
	}
}

// Sample picks the next token from logits [V]: argmax when temperature is 0, else a draw from
// softmax(logits/temperature) after top-k and top-p filtering.
func Sample(logits []float32, temperature float64, topK int, topP float64, rng *rand.Rand) int32 {
	if temperature == 0 {
		best := 0
		for i, x := range logits {
			if x > logits[best] {
				best = i
			}
		}
		return int32(best)
	}
	idx := candidates(logits, topK)
	maxL := float64(logits[idx[0]])
	probs := make([]float64, len(idx))
	sum := 0.0
	for i, j := range idx {
		probs[i] = math.Exp((float64(logits[j]) - maxL) / temperature)
		sum += probs[i]
	}
	for i := range probs {
		probs[i] /= sum
	}
	if topP > 0 && topP < 1 {
		cum := 0.0
		for i, p := range probs {
			cum += p
			if cum >= topP {
				idx, probs = idx[:i+1], probs[:i+1]
				break
			}
		}
		sum = 0
		for _, p := range probs {
			sum += p
		}
		for i := range probs {
			probs[i] /= sum
		}
	}
	u := rng.Float64()
	for i, p := range probs {
		u -= p
		if u < 0 {
			return int32(idx[i])
		}
	}
	return int32(idx[len(idx)-1])
}

// candidates returns the token ids ordered by decreasing logit (ties: smaller id first), only the
// first topK of them when 0 < topK < V. With a small k the ids are selected in one pass, keeping a
// sorted list of the best k so far (most tokens fail the comparison with its last entry), instead
// of sorting all V logits for every new token.
func candidates(logits []float32, topK int) []int {
	if topK <= 0 || topK >= len(logits) {
		idx := make([]int, len(logits))
		for i := range idx {
			idx[i] = i
		}
		// Decreasing logit, then increasing id: a total order, so the fast unstable sort gives
		// the stable sort's result.
		slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(logits[b], logits[a]), cmp.Compare(a, b)) })
		return idx
	}
	best := make([]int, 0, topK)
	for i, x := range logits {
		if len(best) == topK && x <= logits[best[topK-1]] {
			continue
		}
		// Insert after every entry with a logit ≥ x (earlier ids win ties, as in a stable sort).
		at, _ := slices.BinarySearchFunc(best, x, func(j int, x float32) int {
			if logits[j] >= x {
				return -1
			}
			return 1
		})
		if len(best) == topK {
			best = best[:topK-1]
		}
		best = slices.Insert(best, at, i)
	}
	return best
}
