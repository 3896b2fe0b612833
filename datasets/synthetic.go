package datasets

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// Pair is one example of a sequence-to-sequence task: the model reads Source and
// should write Target.
type Pair struct {
	Source, Target string
}

// newRand returns the generator used everywhere in this package: PCG seeded by seed, so
// the same seed always gives the same data.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x62657274_32677074)) // "bert2gpt"
}

// NumeralTask returns n pairs "1234" → "一千二百三十四" with numbers in [0, maxValue]
// (maxValue ≤ [MaxChineseNumeral]). The number of digits is drawn uniformly first, so
// short and long numbers are equally common; then the number uniformly among those digits.
func NumeralTask(seed uint64, n int, maxValue int64) ([]Pair, error) {
	if n < 0 || maxValue < 0 || maxValue > MaxChineseNumeral {
		return nil, errors.Errorf("NumeralTask: bad n=%d or maxValue=%d (want n ≥ 0, 0 ≤ maxValue ≤ %d)", n, maxValue, int64(MaxChineseNumeral))
	}
	r := newRand(seed)
	maxDigits := len(strconv.FormatInt(maxValue, 10))
	out := make([]Pair, n)
	for i := range out {
		digits := 1 + r.IntN(maxDigits)
		lo, hi := int64(0), int64(9)
		if digits > 1 {
			lo = pow10i64(digits - 1)
			hi = lo*10 - 1
		}
		hi = min(hi, maxValue)
		v := lo + r.Int64N(hi-lo+1)
		s, _ := ChineseNumeral(v)
		out[i] = Pair{Source: strconv.FormatInt(v, 10), Target: s}
	}
	return out, nil
}

func pow10i64(k int) int64 {
	v := int64(1)
	for ; k > 0; k-- {
		v *= 10
	}
	return v
}

// DigitAlphabet is the default alphabet of [CopyTask] and [ReverseTask].
const DigitAlphabet = "0123456789"

func randomString(r *rand.Rand, alphabet []rune, minLen, maxLen int) string {
	l := minLen + r.IntN(maxLen-minLen+1)
	var sb strings.Builder
	for range l {
		sb.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

func checkLens(task string, n, minLen, maxLen int, alphabet string) error {
	if n < 0 || minLen < 1 || maxLen < minLen || alphabet == "" {
		return errors.Errorf("%s: bad arguments n=%d minLen=%d maxLen=%d alphabet=%q (want n ≥ 0, 1 ≤ minLen ≤ maxLen, non-empty alphabet)",
			task, n, minLen, maxLen, alphabet)
	}
	return nil
}

// CopyTask returns n pairs whose target equals the source, a random string of
// [minLen, maxLen] characters of alphabet ("" means [DigitAlphabet]).
func CopyTask(seed uint64, n, minLen, maxLen int, alphabet string) ([]Pair, error) {
	if alphabet == "" {
		alphabet = DigitAlphabet
	}
	if err := checkLens("CopyTask", n, minLen, maxLen, alphabet); err != nil {
		return nil, err
	}
	r, a := newRand(seed), []rune(alphabet)
	out := make([]Pair, n)
	for i := range out {
		s := randomString(r, a, minLen, maxLen)
		out[i] = Pair{Source: s, Target: s}
	}
	return out, nil
}

// ReverseTask is [CopyTask] with the target reversed (by characters).
func ReverseTask(seed uint64, n, minLen, maxLen int, alphabet string) ([]Pair, error) {
	if alphabet == "" {
		alphabet = DigitAlphabet
	}
	if err := checkLens("ReverseTask", n, minLen, maxLen, alphabet); err != nil {
		return nil, err
	}
	r, a := newRand(seed), []rune(alphabet)
	out := make([]Pair, n)
	for i := range out {
		s := []rune(randomString(r, a, minLen, maxLen))
		rev := make([]rune, len(s))
		for j, c := range s {
			rev[len(s)-1-j] = c
		}
		out[i] = Pair{Source: string(s), Target: string(rev)}
	}
	return out, nil
}

// AdditionTask returns n pairs "123+45" → "168": both operands have 1 to maxDigits
// digits (number of digits drawn uniformly), maxDigits ≤ 18.
func AdditionTask(seed uint64, n, maxDigits int) ([]Pair, error) {
	if n < 0 || maxDigits < 1 || maxDigits > 18 {
		return nil, errors.Errorf("AdditionTask: bad n=%d or maxDigits=%d (want n ≥ 0, 1 ≤ maxDigits ≤ 18)", n, maxDigits)
	}
	r := newRand(seed)
	operand := func() int64 {
		d := 1 + r.IntN(maxDigits)
		if d == 1 {
			return r.Int64N(10)
		}
		lo := pow10i64(d - 1)
		return lo + r.Int64N(9*lo)
	}
	out := make([]Pair, n)
	for i := range out {
		a, b := operand(), operand()
		out[i] = Pair{Source: strconv.FormatInt(a, 10) + "+" + strconv.FormatInt(b, 10), Target: strconv.FormatInt(a+b, 10)}
	}
	return out, nil
}
