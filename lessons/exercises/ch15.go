package exercises

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/bert2gpt/bert2gpt/datasets"
	"github.com/bert2gpt/bert2gpt/transformer/gpt"
	"github.com/gomlx/compute/dtypes/bfloat16"
)

// Check15_1 checks exercise 15.1: stateBytes(c) must be the bytes of a float32 model's training
// state under AdamW — weights, gradients and the two moments, 4 × 4 bytes per parameter
// (gpt.ParamCount) — on the nanogpt-cpu, gpt2, gpt2-xl and gpt3-175b presets. 0 for gpt2 (the
// blank) is "not answered".
func Check15_1(stateBytes func(c gpt.Config) int64) Result {
	var configs []gpt.Config
	for _, name := range []string{"gpt2", "nanogpt-cpu", "gpt2-xl", "gpt3-175b"} {
		c, err := gpt.Preset(name)
		if err != nil {
			panic(err)
		}
		configs = append(configs, c)
	}
	if stateBytes(configs[0]) == 0 {
		return notAnswered("15.1", "实现 myTrainingStateBytes")
	}
	v := newVerdict("15.1")
	ok := true
	for _, c := range configs {
		want := 16 * gpt.ParamCount(c)
		if got := stateBytes(c); got != want {
			v.printf("练习 15.1：不对：%d 层、宽 %d 的模型（%d 个参数）你算出 %d 字节，应为 %d（是参数量的 %.1f 倍）。",
				c.NLayer, c.NEmbd, gpt.ParamCount(c), got, want, float64(got)/float64(gpt.ParamCount(c)))
			ok = false
			break
		}
	}
	c := configs[3]
	return v.result(ok, fmt.Sprintf("GPT-3 175B 的训练状态是 %.2f TB：权重、梯度、AdamW 的两个矩各 4 字节/参数。", float64(16*gpt.ParamCount(c))/1e12))
}

// Check15_2 checks exercise 15.2: global(means, counts) must combine per-device mean losses over
// different numbers of counted tokens into the mean over all tokens, Σ meanᵢ·countᵢ / Σ countᵢ.
// NaN for the first case (the blank) is "not answered".
func Check15_2(global func(means []float64, counts []int) float64) Result {
	cases := []struct {
		means  []float64
		counts []int
	}{
		{[]float64{2.0, 3.0}, []int{100, 300}},
		{[]float64{1.5, 1.5, 1.5, 1.5}, []int{7, 7, 7, 7}},
		{[]float64{4.2, 0.7, 2.9}, []int{640, 12, 301}},
	}
	if math.IsNaN(global(cases[0].means, cases[0].counts)) {
		return notAnswered("15.2", "实现 myGlobalLoss")
	}
	for _, c := range cases {
		var sum, n float64
		for i := range c.means {
			sum += c.means[i] * float64(c.counts[i])
			n += float64(c.counts[i])
		}
		want := sum / n
		if got := global(c.means, c.counts); math.Abs(got-want) > 1e-9 {
			if plain := mean(c.means); math.Abs(got-plain) < 1e-9 {
				return wrong("15.2", "不对：你取了各设备损失的简单平均 %.4f；两台设备计入的词元数不同（%v），应为 %.4f。", got, c.counts, want)
			}
			return wrong("15.2", "不对：平均损失 %v、词元数 %v 时你的结果是 %.4f，应为 %.4f。", c.means, c.counts, got, want)
		}
	}
	return correct("15.2", "每台设备贡献的是“损失之和”，全局平均要除以全部词元数。")
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Check15_3 checks exercise 15.3: kept(L, block, input, checkpoint) must be the activation bytes
// kept for the backward pass of an L-block stack: L·block without checkpointing; with it, the L
// block inputs plus one block's activations while that block is recomputed, L·input + block.
// -1 (the blank) is "not answered".
func Check15_3(kept func(layers int, block, input int64, checkpoint bool) int64) Result {
	if kept(4, 1000, 100, false) == -1 {
		return notAnswered("15.3", "实现 myKeptActivations")
	}
	for _, c := range []struct {
		L            int
		block, input int64
	}{{4, 1000, 100}, {12, 7 << 20, 1 << 20}, {1, 50, 10}, {96, 3 << 30, 1 << 28}} {
		if got, want := kept(c.L, c.block, c.input, false), int64(c.L)*c.block; got != want {
			return wrong("15.3", "不对：不做检查点时，%d 层、每层 %d 字节，你的结果是 %d，应为 %d。", c.L, c.block, got, want)
		}
		if got, want := kept(c.L, c.block, c.input, true), int64(c.L)*c.input+c.block; got != want {
			hint := ""
			if got == int64(c.L)*c.input {
				hint = "（别忘了反向传播到某一块时，要把这一块的激活重新算出来放在内存里）"
			}
			return wrong("15.3", "不对：做检查点时，%d 层、每块输入 %d 字节、每层激活 %d 字节，你的结果是 %d，应为 %d%s。", c.L, c.input, c.block, got, want, hint)
		}
	}
	return correct("15.3", "检查点把 L·(每层激活) 换成 L·(块的输入) + 一层的激活，代价是每块多算一次前向。")
}

// Check15_4 checks exercise 15.4: round(x) must round a float32 to the nearest bfloat16 (ties to
// even) and return it as a float32, as bfloat16.FromFloat32 does, on 2,000 random values, ties,
// and values near the largest finite number. round(1) == 0 (the blank returning 0) is "not answered".
func Check15_4(round func(x float32) float32) Result {
	if round(1) == 0 && round(3) == 0 {
		return notAnswered("15.4", "实现 myToBFloat16")
	}
	values := []float32{1, 1 + 1.0/256, 1 + 3.0/256, 1 + 1.0/512, 1.0009765625, -2.5, 0.1, 1e-3, 3.14159265, 65504, 3.3895e38, -1e-20}
	r := rand.New(rand.NewPCG(15, 4))
	for range 2000 {
		values = append(values, math.Float32frombits(r.Uint32()&0x7F7FFFFF|uint32(r.IntN(2))<<31)) // finite
	}
	for _, x := range values {
		want := bfloat16.FromFloat32(x).Float32()
		got := round(x)
		if got != want && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
			trunc := math.Float32frombits(math.Float32bits(x) &^ 0xFFFF)
			hint := ""
			if got == trunc {
				hint = "（你把低 16 位直接截掉了：那是向零舍入，不是就近舍入）"
			}
			return wrong("15.4", "不对：x = %.9g 时你的结果是 %.9g，应为 %.9g%s。", x, got, want, hint)
		}
	}
	return correct("15.4", fmt.Sprintf("在 1 附近 bfloat16 相邻两个数相差 2⁻⁷ = %.4f：比它的一半还小的更新会被舍掉。", 1.0/128))
}

// Check15_5 checks exercise 15.5: majority(train, test) must be the accuracy on test of always
// answering train's most frequent label (the smallest label among ties). NaN (the blank) is "not
// answered".
func Check15_5(majority func(train, test []int) float64) Result {
	train, test := []int{0, 1, 1, 2, 1, 0}, []int{1, 0, 2, 1}
	if math.IsNaN(majority(train, test)) {
		return notAnswered("15.5", "实现 myMajorityBaseline")
	}
	r := rand.New(rand.NewPCG(15, 5))
	cases := [][2][]int{{train, test}, {{3, 3, 4, 4}, {4, 3, 3}}}
	for range 20 {
		var a, b []int
		for range 50 + r.IntN(50) {
			a = append(a, min(r.IntN(7), r.IntN(7)))
		}
		for range 30 {
			b = append(b, r.IntN(7))
		}
		cases = append(cases, [2][]int{a, b})
	}
	for _, c := range cases {
		want := refMajority(c[0], c[1])
		if got := majority(c[0], c[1]); math.Abs(got-want) > 1e-12 {
			if math.Abs(got-refMajority(c[1], c[1])) < 1e-12 && got != want {
				return wrong("15.5", "不对：你用测试集自己的多数类算出 %.4f；基线只能从训练集学（应为 %.4f）。", got, want)
			}
			return wrong("15.5", "不对：训练标签 %v、测试标签 %v 时你的结果是 %.4f，应为 %.4f。", c[0], c[1], got, want)
		}
	}
	return correct("15.5", "探针的准确率要和这个基线比，才知道隐藏状态里多了什么。")
}

// refMajority is the majority-class accuracy (ties: the smallest label).
func refMajority(train, test []int) float64 {
	counts := map[int]int{}
	for _, y := range train {
		counts[y]++
	}
	best, bestN := 0, -1
	for y, n := range counts {
		if n > bestN || (n == bestN && y < best) {
			best, bestN = y, n
		}
	}
	hit := 0
	for _, y := range test {
		if y == best {
			hit++
		}
	}
	return float64(hit) / float64(len(test))
}

// Check15_6 checks exercise 15.6: spearman(a, b) must be Spearman's rank correlation (ties get the
// average of their ranks), the Pearson correlation of the ranks. NaN (the blank) is "not answered".
func Check15_6(spearman func(a, b []float64) float64) Result {
	if math.IsNaN(spearman([]float64{1, 2, 3}, []float64{3, 1, 2})) {
		return notAnswered("15.6", "实现 mySpearman")
	}
	r := rand.New(rand.NewPCG(15, 6))
	cases := [][2][]float64{
		{{1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}},
		{{0.1, 0.4, 0.2, 0.9}, {10, 40, 20, 90}},
		{{1, 2, 2, 3}, {4, 3, 3, 1}},
		{{3, 1, 2}, {1, 100, 10}},
	}
	for range 20 {
		n := 5 + r.IntN(20)
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i], b[i] = float64(r.IntN(6)), r.NormFloat64()+0.3*float64(i)
		}
		cases = append(cases, [2][]float64{a, b})
	}
	for _, c := range cases {
		want := pearson(ranks(c[0]), ranks(c[1]))
		got := spearman(c[0], c[1])
		if math.Abs(got-want) > 1e-9 {
			if p := pearson(c[0], c[1]); math.Abs(got-p) < 1e-9 {
				return wrong("15.6", "不对：你算的是原始数值的皮尔逊相关 %.4f，不是秩的相关（应为 %.4f）。", got, want)
			}
			return wrong("15.6", "不对：a = %v、b = %v 时你的结果是 %.4f，应为 %.4f（并列的值取平均秩）。", c[0], c[1], got, want)
		}
	}
	return correct("15.6", "秩相关只看顺序：两种解释方法是否把同样的位置排在前面。")
}

// ranks returns the 1-based ranks of xs, ties averaged.
func ranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return xs[idx[i]] < xs[idx[j]] })
	out := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			out[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return out
}

func pearson(a, b []float64) float64 {
	ma, mb := mean(a), mean(b)
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// Check15_7 checks exercise 15.7: patches(img, h, w, p) must cut an h×w image into p×p patches as
// datasets.Patches does (row by row, each patch flattened row-major), on rendered glyphs and
// numbered test images. nil (the blank) is "not answered".
func Check15_7(patches func(img []float32, h, w, p int) [][]float32) Result {
	numbered := func(h, w int) []float32 {
		img := make([]float32, h*w)
		for i := range img {
			img[i] = float32(i)
		}
		return img
	}
	if patches(numbered(4, 4), 4, 4, 2) == nil {
		return notAnswered("15.7", "实现 myPatches")
	}
	glyph, err := datasets.RenderGlyph(rand.New(rand.NewPCG(15, 7)), 'G', datasets.GlyphConfig{Height: 10, Width: 8, Noise: 0.05})
	if err != nil {
		panic(err)
	}
	for _, c := range []struct {
		img     []float32
		h, w, p int
	}{{numbered(4, 4), 4, 4, 2}, {numbered(6, 9), 6, 9, 3}, {numbered(10, 8), 10, 8, 2}, {glyph, 10, 8, 2}, {numbered(3, 3), 3, 3, 1}} {
		want, _ := datasets.Patches(c.img, c.h, c.w, c.p)
		got := patches(c.img, c.h, c.w, c.p)
		same := len(got) == len(want)
		for i := 0; same && i < len(want); i++ {
			same = slices.Equal(got[i], want[i])
		}
		if !same {
			first := "（空）"
			if len(got) > 0 {
				first = fmt.Sprint(got[0])
			}
			return wrong("15.7", "不对：%d×%d 的图切成 %d×%d 的块，应有 %d 块、第一块 %v；你得到 %d 块、第一块 %s。",
				c.h, c.w, c.p, c.p, len(want), want[0], len(got), first)
		}
	}
	return correct("15.7", "这些块就是图像的“词元”：每块 p² 个像素，经一个线性层变成一个向量。")
}
