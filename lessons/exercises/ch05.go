package exercises

import (
	"slices"

	"github.com/bert2gpt/bert2gpt/datasets"
)

// Chapter 5's vocabularies: source ids are digit+1 (0 = PAD); target ids 0, 1, 2 are PAD, <bos>,
// <eos> and 3… the characters 零一二三四五六七八九十百千万亿.
const (
	ch05SrcLen                         = 8
	ch05TgtPad, ch05TgtBOS, ch05TgtEOS = 0, 1, 2
)

// Check5_1 checks exercise 5.1: teacherForcing(target, bos, eos) must return the decoder input and
// the labels of the batch datasets.NewSeq2Seq builds for the pair 1001 → 一千零一 (with
// <bos> = 1, <eos> = 2). Two nil slices (the blank) are "not answered".
func Check5_1(teacherForcing func(target []int32, bos, eos int32) (decoderInput, labels []int32)) Result {
	src := []int{2, 1, 1, 2}  // "1001", as chapter 5's encodeSource
	tgt := []int{4, 15, 3, 4} // "一千零一", as chapter 5's encodeTarget
	ds, err := datasets.NewSeq2Seq("check", datasets.Seq2SeqConfig{Sources: [][]int{src}, Targets: [][]int{tgt},
		SrcLen: ch05SrcLen, TgtLen: len(tgt) + 1, BatchSize: 1, BOS: ch05TgtBOS, EOS: ch05TgtEOS, PAD: ch05TgtPad, Seed: 1})
	if err != nil {
		panic(err)
	}
	var wantIn, wantLabels []int32
	for batch, err := range ds.Iter() {
		if err != nil {
			panic(err)
		}
		wantIn, wantLabels = batch.Inputs[2].Value().([][]int32)[0], batch.Labels[0].Value().([][]int32)[0]
		break
	}
	target := make([]int32, len(tgt))
	for i, id := range tgt {
		target[i] = int32(id)
	}
	gotIn, gotLabels := teacherForcing(target, ch05TgtBOS, ch05TgtEOS)
	switch {
	case gotIn == nil && gotLabels == nil:
		return notAnswered("5.1", "实现 teacherForcing")
	case !slices.Equal(gotIn, wantIn) || !slices.Equal(gotLabels, wantLabels):
		return wrong("5.1", "不对。\n  你的输入 %v，应为 %v\n  你的标签 %v，应为 %v", gotIn, wantIn, gotLabels, wantLabels)
	}
	return correct("5.1", "")
}
