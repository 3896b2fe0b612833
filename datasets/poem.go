package datasets

import (
	"strings"
	"unicode"
)

// Poem is one normalized poem: its id (a UUID in chinese-poetry), title, author and
// lines. A "line" is one entry of the source's "paragraphs", usually a couplet such as
// "床前明月光，疑是地上霜。"; [Poem.Verses] splits it further at punctuation.
type Poem struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Author string   `json:"author"`
	Lines  []string `json:"lines"`
}

// Text returns the poem's lines joined with "\n".
func (p Poem) Text() string { return strings.Join(p.Lines, "\n") }

// isVersePunct reports whether r ends a verse (Chinese and ASCII sentence punctuation).
func isVersePunct(r rune) bool {
	switch r {
	case '，', '。', '？', '！', '；', '、', '：', ',', '.', '?', '!', ';', ':':
		return true
	}
	return false
}

// Verses splits the poem's lines at punctuation into verses (句), without the punctuation:
// "床前明月光，疑是地上霜。" gives "床前明月光" and "疑是地上霜".
func (p Poem) Verses() []string {
	var out []string
	for _, line := range p.Lines {
		for _, v := range strings.FieldsFunc(line, func(r rune) bool { return isVersePunct(r) || unicode.IsSpace(r) }) {
			out = append(out, v)
		}
	}
	return out
}

// Form describes a poem's regular shape: Yan characters per verse (5 = 五言, 7 = 七言) and
// the number of verses (4 = 绝句, 8 = 律诗). Yan is 0 when verses differ in length.
type Form struct {
	Yan    int
	Verses int
}

// Form returns the poem's shape, see [Form].
func (p Poem) Form() Form {
	verses := p.Verses()
	f := Form{Verses: len(verses)}
	for i, v := range verses {
		n := len([]rune(v))
		if i == 0 {
			f.Yan = n
		} else if n != f.Yan {
			f.Yan = 0
			break
		}
	}
	return f
}

// IsJueju reports a 绝句: four verses of five or seven characters.
func (f Form) IsJueju() bool { return f.Verses == 4 && (f.Yan == 5 || f.Yan == 7) }

// IsLushi reports a 律诗: eight verses of five or seven characters.
func (f Form) IsLushi() bool { return f.Verses == 8 && (f.Yan == 5 || f.Yan == 7) }

// String names the form in Chinese, e.g. "五言绝句", "七言律诗", or "杂言" otherwise.
func (f Form) String() string {
	yan := map[int]string{5: "五言", 7: "七言"}[f.Yan]
	switch {
	case yan == "":
		return "杂言"
	case f.IsJueju():
		return yan + "绝句"
	case f.IsLushi():
		return yan + "律诗"
	default:
		return yan
	}
}

// FormFilter selects poems by shape; a zero field means "any".
type FormFilter struct {
	Yan    int // 5 or 7 characters per verse
	Verses int // 4 (绝句) or 8 (律诗)
}

// Match reports whether p has the shape asked for. A poem with irregular verses never
// matches a filter with Yan set.
func (ff FormFilter) Match(p Poem) bool {
	f := p.Form()
	if ff.Yan != 0 && f.Yan != ff.Yan {
		return false
	}
	if ff.Verses != 0 && f.Verses != ff.Verses {
		return false
	}
	return true
}

// Common filters.
var (
	WuyanJueju = FormFilter{Yan: 5, Verses: 4} // 五言绝句
	QiyanJueju = FormFilter{Yan: 7, Verses: 4} // 七言绝句
	WuyanLushi = FormFilter{Yan: 5, Verses: 8} // 五言律诗
	QiyanLushi = FormFilter{Yan: 7, Verses: 8} // 七言律诗
)

// FilterPoems returns the poems that match every filter, in order.
func FilterPoems(poems []Poem, filters ...FormFilter) []Poem {
	var out []Poem
	for _, p := range poems {
		ok := true
		for _, ff := range filters {
			if !ff.Match(p) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}
