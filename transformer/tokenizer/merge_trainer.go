package tokenizer

// mergeTrainer is the pair-merging loop shared by the BPE and WordPiece trainers: a corpus
// of unique words (each a sequence of symbol ids, with a count) whose adjacent-pair counts
// are kept up to date incrementally as pairs are merged.
type mergeTrainer struct {
	syms      []string       // symbol strings by id
	symID     map[string]int // symbol string -> id
	words     [][]int
	counts    []int
	symCount  []int
	pairCount map[[2]int]int
	pairWords map[[2]int]map[int]struct{}
}

func newMergeTrainer() *mergeTrainer {
	return &mergeTrainer{symID: map[string]int{}, pairCount: map[[2]int]int{}, pairWords: map[[2]int]map[int]struct{}{}}
}

func (t *mergeTrainer) symbol(s string) int {
	if id, ok := t.symID[s]; ok {
		return id
	}
	id := len(t.syms)
	t.syms = append(t.syms, s)
	t.symID[s] = id
	t.symCount = append(t.symCount, 0)
	return id
}

func (t *mergeTrainer) addWord(symbols []int, count int) {
	w := len(t.words)
	t.words = append(t.words, symbols)
	t.counts = append(t.counts, count)
	t.account(w, +1)
}

// account adds (sign=+1) or removes (sign=-1) word w's contribution to the counts.
func (t *mergeTrainer) account(w, sign int) {
	c := sign * t.counts[w]
	word := t.words[w]
	for i, s := range word {
		t.symCount[s] += c
		if i+1 < len(word) {
			p := [2]int{s, word[i+1]}
			t.pairCount[p] += c
			if t.pairCount[p] == 0 {
				delete(t.pairCount, p)
			}
			if sign > 0 {
				set := t.pairWords[p]
				if set == nil {
					set = map[int]struct{}{}
					t.pairWords[p] = set
				}
				set[w] = struct{}{}
			}
		}
	}
}

// merge replaces every occurrence of pair p by symbol m in all words that contain it.
func (t *mergeTrainer) merge(p [2]int, m int) {
	for w := range t.pairWords[p] {
		word := t.words[w]
		has := false
		for i := 0; i+1 < len(word); i++ {
			if word[i] == p[0] && word[i+1] == p[1] {
				has = true
				break
			}
		}
		if !has {
			continue // stale entry
		}
		t.account(w, -1)
		out := make([]int, 0, len(word))
		for i := 0; i < len(word); i++ {
			if i+1 < len(word) && word[i] == p[0] && word[i+1] == p[1] {
				out = append(out, m)
				i++
			} else {
				out = append(out, word[i])
			}
		}
		t.words[w] = out
		t.account(w, +1)
	}
	delete(t.pairWords, p)
}

// best returns the pair with the highest score (ties: higher count, then the smaller
// pair of strings), or ok=false if no pair has count ≥ minCount.
func (t *mergeTrainer) best(minCount int, score func(p [2]int, count int) float64) (p [2]int, ok bool) {
	var bestScore float64
	bestCount := 0
	for q, c := range t.pairCount {
		if c < minCount || c <= 0 {
			continue
		}
		s := score(q, c)
		if !ok || s > bestScore || (s == bestScore && (c > bestCount || (c == bestCount && t.less(q, p)))) {
			p, bestScore, bestCount, ok = q, s, c, true
		}
	}
	return p, ok
}

func (t *mergeTrainer) less(a, b [2]int) bool {
	if t.syms[a[0]] != t.syms[b[0]] {
		return t.syms[a[0]] < t.syms[b[0]]
	}
	return t.syms[a[1]] < t.syms[b[1]]
}
