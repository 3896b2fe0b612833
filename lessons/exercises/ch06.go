package exercises

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bert2gpt/bert2gpt/datasets"
	tk "github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

// Check6_1 checks exercise 6.1 on the first 5000 bytes of TinyShakespeare (loaded with
// datasets.TinyShakespeare; it panics if the text cannot be had): mostFrequentPair(words, freq)
// must return an adjacent pair of symbols that occurs as often as the most frequent one, the words
// being GPT-2's pre-tokens in byte-level encoding, split into symbols. The correct message also
// shows the first merge tokenizer.TrainBPE learns from the same text. Two empty strings (the
// blank) are "not answered".
func Check6_1(mostFrequentPair func(words [][]string, freq []int) (a, b string)) Result {
	text, err := datasets.TinyShakespeare(context.Background())
	if err != nil {
		panic(err)
	}
	sample := text[:5000]
	wordFreq := map[string]int{}
	for _, piece := range tk.GPT2PreTokenize(sample) {
		wordFreq[tk.ByteLevelEncode(piece)]++
	}
	var words [][]string
	var freq []int
	for w, f := range wordFreq {
		var symbols []string
		for _, r := range w {
			symbols = append(symbols, string(r))
		}
		words, freq = append(words, symbols), append(freq, f)
	}
	pairCount := map[[2]string]int{}
	best := 0
	for i, w := range words {
		for j := 0; j+1 < len(w); j++ {
			pairCount[[2]string{w[j], w[j+1]}] += freq[i]
			best = max(best, pairCount[[2]string{w[j], w[j+1]}])
		}
	}
	bpe, err := tk.TrainBPE([]string{sample}, tk.BPETrainOptions{VocabSize: 258})
	if err != nil {
		panic(err)
	}
	a, b := mostFrequentPair(words, freq)
	switch {
	case a == "" && b == "":
		return notAnswered("6.1", "实现 myMostFrequentPair")
	case pairCount[[2]string{a, b}] == best:
		first := bpe.Merges()[0]
		return correct("6.1", fmt.Sprintf("(%s, %s) 出现 %d 次；TrainBPE 的第一次合并是 (%s, %s)。",
			showToken(a), showToken(b), best, showToken(first.A), showToken(first.B)))
	}
	return wrong("6.1", "(%s, %s) 出现 %d 次，但最常见的一对出现 %d 次。", showToken(a), showToken(b), pairCount[[2]string{a, b}], best)
}

// showToken makes a byte-level BPE token readable, as chapter 6's show: Ġ (GPT-2's space) is
// written ␣, a newline ⏎, a byte that is not complete UTF-8 <e5>.
func showToken(token string) string {
	raw, ok := tk.ByteLevelDecode(token)
	if !ok {
		return token
	}
	var b strings.Builder
	for len(raw) > 0 {
		r, size := utf8.DecodeRuneInString(raw)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "<%02x>", raw[0])
		case r == ' ':
			b.WriteString("␣")
		case r == '\n':
			b.WriteString("⏎")
		default:
			b.WriteRune(r)
		}
		raw = raw[size:]
	}
	return b.String()
}
