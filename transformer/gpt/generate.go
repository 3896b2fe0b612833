package gpt

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/bert2gpt/bert2gpt/transformer"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// GenerateOptions control decoding. The logits of each next token go through a chain of
// LogitsProcessors (Chain): Processors first (e.g. RepetitionPenalty, BanTokens), then, when
// sampling, KeepTopK (the TopK most likely tokens, TopK > 0), Temperature and KeepTopP (the smallest
// set whose probability reaches TopP, 0 < TopP < 1: nucleus sampling). With Temperature 0 decoding is greedy:
// the argmax of the processed scores; otherwise the token is drawn from their softmax.
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
	// Processors run first in the chain, on the logits of every next token (see LogitsProcessor).
	Processors []LogitsProcessor
	// OnDistribution, if set, sees the distribution each new token is chosen from (softmax of the
	// processed scores, [V]; greedy decoding takes its most likely token), before the choice.
	OnDistribution func(probs []float64)
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
	}
	return o.validateSampling()
}

// validateSampling reports the first bad option of how a token is chosen.
func (o GenerateOptions) validateSampling() error {
	switch {
	case o.Temperature < 0 || math.IsNaN(o.Temperature) || math.IsInf(o.Temperature, 0):
		return fmt.Errorf("gpt: temperature %g must be ≥ 0 (0 = greedy)", o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("gpt: top-k %d must be ≥ 0 (0 = off)", o.TopK)
	case o.TopP < 0 || o.TopP > 1 || math.IsNaN(o.TopP):
		return fmt.Errorf("gpt: top-p %g must be in [0, 1] (0 or 1 = off)", o.TopP)
	}
	return validateProcessors(o.Processors)
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
			tok, probs := o.next(seq, logits, rng)
			if o.OnDistribution != nil {
				o.OnDistribution(probs)
			}
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

// GenerateBatch continues several prompts of one length together, one KV-cached step for the whole
// batch per position (a Stepper of len(prompts) rows), and returns each row's new tokens. Row b
// samples with its own random stream, seeded by (o.Seed, b), so a row's text does not depend on
// the others. A row ends at one of o.StopTokens (included); the others go on. The prompts and the
// new tokens must fit in n_positions together (there is no sliding window here; see Generate).
// o.NoCache is not supported.
func (m *Model) GenerateBatch(prompts [][]int32, o GenerateOptions) (outs [][]int32, err error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.NoCache {
		return nil, fmt.Errorf("gpt: GenerateBatch always uses the KV cache (NoCache is for Generate)")
	}
	if err := m.Config.CheckTokens(prompts); err != nil {
		return nil, fmt.Errorf("%w (GenerateBatch needs prompts of one length)", err)
	}
	B, P := len(prompts), len(prompts[0])
	if P+o.MaxNewTokens > m.Config.NPositions {
		return nil, fmt.Errorf("gpt: prompts of %d tokens + %d new ones do not fit in n_positions %d", P, o.MaxNewTokens, m.Config.NPositions)
	}
	stop := map[int32]bool{}
	for _, s := range o.StopTokens {
		stop[s] = true
	}
	rngs := make([]*rand.Rand, B)
	seqs := make([][]int32, B) // prompt + new tokens of each row
	for b := range B {
		rngs[b] = rand.New(rand.NewPCG(o.Seed, uint64(b)))
		seqs[b] = append([]int32(nil), prompts[b]...)
	}
	outs = make([][]int32, B)
	done := make([]bool, B)
	err = transformer.Catch("gpt.Model.GenerateBatch", func() error {
		s, err := m.NewStepper(B, P+o.MaxNewTokens)
		if err != nil {
			return err
		}
		defer s.Close()
		token := make([]int32, B)
		for t := 0; t < P+o.MaxNewTokens-1; t++ {
			for b := range B {
				token[b] = seqs[b][t] // a prompt token, or the token generated at the previous step
			}
			logits, err := s.Next(token)
			if err != nil {
				return err
			}
			if t < P-1 {
				continue // still reading the prompts
			}
			left := 0
			for b := range B {
				if done[b] {
					seqs[b] = append(seqs[b], 0) // a finished row keeps feeding a placeholder
					continue
				}
				tok, probs := o.next(seqs[b], logits[b], rngs[b])
				if o.OnDistribution != nil {
					o.OnDistribution(probs)
				}
				outs[b] = append(outs[b], tok)
				seqs[b] = append(seqs[b], tok)
				if o.OnToken != nil {
					if err := o.OnToken(tok); err != nil {
						return err
					}
				}
				done[b] = stop[tok] || len(outs[b]) == o.MaxNewTokens
				if !done[b] {
					left++
				}
			}
			if left == 0 {
				break
			}
		}
		return nil
	})
	return outs, err
}

// NextDistribution is the distribution o would draw the token after seq from: the model's logits
// for it, through o's processor chain, softmaxed ([V]; see GenerateOptions.Distribution).
func (m *Model) NextDistribution(seq []int32, o GenerateOptions) ([]float64, error) {
	if err := o.validateSampling(); err != nil {
		return nil, err
	}
	logits, err := m.Logits([][]int32{seq})
	if err != nil {
		return nil, err
	}
	flat := tensors.MustCopyFlatData[float32](logits)
	V := m.Config.VocabSize
	return o.Distribution(seq, flat[len(flat)-V:]), nil
}
