package exercises

// Check8_1 checks exercise 8.1: headParams(H, K) must count the classifier W_c [K×H] + b_c [K] and
// the pooler W_p [H×H] + b_p [H]: (258, 16512) for H = 128, K = 2 and (2307, 590592) for BERT-base
// with three classes. A negative count (the blank returns −1, −1) is "not answered".
func Check8_1(headParams func(H, K int) (classifier, pooler int)) Result {
	cls, pool := headParams(128, 2)
	cls2, pool2 := headParams(768, 3)
	switch {
	case cls < 0 || pool < 0:
		return notAnswered("8.1", "实现 headParams")
	case cls != 258 || pool != 16512 || cls2 != 2307 || pool2 != 590592:
		return wrong("8.1", "不对。H=128、K=2 时你的答案是 (%d, %d)，H=768、K=3 时是 (%d, %d)；提示：权重矩阵 K×H 加偏置 K，池化层 H×H 加 H。",
			cls, pool, cls2, pool2)
	}
	return correct("8.1", "BERT-base 的池化层有 59 万个参数，而一个三分类头只有 2307 个。")
}
