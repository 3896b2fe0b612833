package exercises

import (
	"strings"

	"github.com/bert2gpt/bert2gpt/datasets"
)

// Check11_1 checks exercise 11.1: hits(poem, heads) must count the verses k < len(heads) whose first
// character is heads[k], verses as datasets.Poem.Verses splits them (what chapter 11's judge
// counts), on five poems (hits and misses, ？！； as separators, an empty poem). −1 for the first
// poem (the blank) is "not answered".
func Check11_1(hits func(poem string, heads []rune) int) Result {
	cases := []struct{ poem, heads string }{
		{"白日依山盡，黃河入海流。\n欲窮千里目，更上一層樓。", "白黃欲更"},
		{"白日依山盡，黃河入海流。\n欲窮千里目，更上一層樓。", "白河欲樓"},
		{"春眠不覺曉，處處聞啼鳥。", "春處夜花"},
		{"月落烏啼霜滿天？江楓漁火對愁眠！\n姑蘇城外寒山寺；夜半鐘聲到客船。", "月江姑夜"},
		{"", "春夏秋冬"},
	}
	if hits(cases[0].poem, []rune(cases[0].heads)) == -1 {
		return notAnswered("11.1", "实现 myHits")
	}
	v := newVerdict("11.1")
	ok := true
	for _, c := range cases {
		want := acrosticHits(c.poem, []rune(c.heads))
		if got := hits(c.poem, []rune(c.heads)); got != want {
			v.printf("练习 11.1：不对：%q 藏 %q，应命中 %d 句，你的答案是 %d。", c.poem, c.heads, want, got)
			ok = false
		}
	}
	return v.result(ok, "")
}

// acrosticHits counts the verses k < len(heads) of poem that start with heads[k].
func acrosticHits(poem string, heads []rune) int {
	n := 0
	for k, verse := range (datasets.Poem{Lines: strings.Split(poem, "\n")}).Verses() {
		if k < len(heads) && []rune(verse)[0] == heads[k] {
			n++
		}
	}
	return n
}
