package tokenizer_test

import (
	"fmt"

	"github.com/bert2gpt/bert2gpt/transformer/tokenizer"
)

func ExampleLoadWordPiece() {
	wp, err := tokenizer.LoadWordPiece("testdata/wordpiece/vocab.txt",
		tokenizer.WordPieceOptions{Basic: tokenizer.BasicOptions{Lowercase: true}})
	if err != nil {
		fmt.Println(err)
		return
	}
	toks, _ := wp.Tokenize("床前明月光, First Citizen!")
	ids, _ := wp.Encode("床前明月光, First Citizen!")
	fmt.Println(toks)
	fmt.Println(ids)
	// Output:
	// [床 前 明 月 光 , first citizen !]
	// [153 101 177 186 96 11 402 408 5]
}

func ExampleLoadBPE() {
	bpe, err := tokenizer.LoadBPE("testdata/bpe/vocab.json", "testdata/bpe/merges.txt", tokenizer.BPEOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	text := "Before we proceed any further, 床前明月光"
	toks, _ := bpe.Tokenize(text)
	ids, _ := bpe.Encode(text)
	back, _ := bpe.Decode(ids)
	fmt.Println(toks)
	fmt.Println(ids)
	fmt.Println(back == text)
	// Output:
	// [Be f ore Ġwe Ġproceed Ġany Ġf ur ther , Ġ åº Ĭåīį æĺİæľĪ åħ ī]
	// [622 70 492 346 852 832 277 361 440 12 221 756 981 695 495 232]
	// true
}

func ExampleTrainChar() {
	c, _ := tokenizer.TrainChar([]string{"床前明月光，疑是地上霜。举头望明月，低头思故乡。"},
		tokenizer.Specials{tokenizer.Pad: "[PAD]", tokenizer.Unknown: "[UNK]"}, 1)
	ids, _ := c.Encode("明月光")
	text, _ := c.Decode(ids)
	fmt.Println(c.VocabSize(), ids, text)
	// Output:
	// 21 [4 5 11] 明月光
}

func ExampleGPT2PreTokenize() {
	fmt.Printf("%q\n", tokenizer.GPT2PreTokenize("Hello   world, it's 2024!\n\nBye"))
	// Output:
	// ["Hello" "  " " world" "," " it" "'s" " 2024" "!" "\n" "\n" "Bye"]
}
