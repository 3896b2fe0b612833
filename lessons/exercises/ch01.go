package exercises

import "github.com/bert2gpt/bert2gpt/transformer/gpt"

// Check1_1 checks exercise 1.1: params(L, d, V, P) must equal gpt.ParamCount on every preset whose
// feed-forward width is 4d. A negative count for GPT-2 (the blank returns −1) is "not answered".
func Check1_1(params func(L, d, V, P int64) int64) Result {
	if params(12, 768, 50257, 1024) < 0 {
		return notAnswered("1.1", "写出 myGPTParams")
	}
	v := newVerdict("1.1")
	ok := true
	for _, name := range gpt.PresetNames() {
		c, err := gpt.Preset(name)
		if err != nil {
			panic(err)
		}
		if c.Inner() != 4*c.NEmbd {
			continue
		}
		want := gpt.ParamCount(c)
		if got := params(int64(c.NLayer), int64(c.NEmbd), int64(c.VocabSize), int64(c.NPositions)); got != want {
			v.printf("%s：你的答案 %d，应为 %d（差 %d）", name, got, want, got-want)
			ok = false
		}
	}
	return v.result(ok, "")
}
