#!/usr/bin/env python3
"""Generate tokenizer parity fixtures for transformer/tokenizer (Go) with HF `tokenizers`.

Writes into transformer/tokenizer/testdata/:
  corpus.txt                  the small training text (Tang poems typed in here, the first
                              lines of TinyShakespeare, punctuation / accents / emoji / odd spaces)
  wordpiece/vocab.txt         BertWordPieceTokenizer trained on corpus.txt
  bpe/vocab.json, merges.txt  ByteLevelBPETokenizer trained on corpus.txt
  parity.json                 encodings (ids and tokens) of many test strings with both,
                              WordPiece under three normalizer settings

HF's WordPiece trainer may order tokens of equal frequency differently from run to run, so
a regenerated vocab.txt can differ; parity.json always matches the vocab.txt written with it.

Run: .venv-ref/bin/python scripts/reference/tokenizer_fixtures.py [path/to/tinyshakespeare/input.txt]
(default path ../shared/data/tinyshakespeare/input.txt relative to the repository root).
"""
import json
import os
import sys

import tokenizers
from tokenizers import BertWordPieceTokenizer, ByteLevelBPETokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "transformer", "tokenizer", "testdata")

# Public-domain Tang poems (simplified), typed in; a few lines also in traditional characters.
POEMS = """静夜思 李白
床前明月光，疑是地上霜。举头望明月，低头思故乡。
登鹳雀楼 王之涣
白日依山尽，黄河入海流。欲穷千里目，更上一层楼。
春晓 孟浩然
春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。
相思 王维
红豆生南国，春来发几枝。愿君多采撷，此物最相思。
江雪 柳宗元
千山鸟飞绝，万径人踪灭。孤舟蓑笠翁，独钓寒江雪。
绝句 杜甫
两个黄鹂鸣翠柳，一行白鹭上青天。窗含西岭千秋雪，门泊东吴万里船。
望庐山瀑布 李白
日照香炉生紫烟，遥看瀑布挂前川。飞流直下三千尺，疑是银河落九天。
早发白帝城 李白
朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。
黄鹤楼送孟浩然之广陵 李白
故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。
春望 杜甫
国破山河在，城春草木深。感时花溅泪，恨别鸟惊心。烽火连三月，家书抵万金。白头搔更短，浑欲不胜簪。
鹿柴 王维
空山不见人，但闻人语响。返景入深林，复照青苔上。
登乐游原 李商隐
向晚意不适，驱车登古原。夕阳无限好，只是近黄昏。
靜夜思（繁體）
床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。
登鸛雀樓（繁體）
白日依山盡，黃河入海流。欲窮千里目，更上一層樓。
"""

MISC = """Café, naïve résumé — Ångström façade; ÉCOLE Über straße.
Emoji: 😀 🎉 👍🏽 ❤️ and 中文😀混合。
Odd   spaces\there;\u3000全角空格\u00a0nbsp  trailing   
Numbers 1234567890, 3.14159, 1,000,000 and ¥100 €20 $5.
Punctuation!!! ??? ... --- (brackets) [square] {curly} <angle> "quotes" 'single' «guillemets» 「引号」『书名』《书名号》
don't won't I'm we'll they've she'd it's O'Brien rock'n'roll
"""

TESTS = [
    "", " ", "  ", "\n", "\t\n \r\n", "hello", "Hello, world!", "HELLO WORLD", "First Citizen:",
    "Before we proceed any further, hear me speak.", "You are all resolved rather to die than to famish?",
    "床前明月光，疑是地上霜。", "舉頭望明月，低頭思故鄉。", "春眠不觉晓", "千山鸟飞绝，万径人踪灭。",
    "李白 and 杜甫 wrote poems.", "中文English混合mixed文本", "Café naïve résumé", "ÅNGSTRÖM façade",
    "straße Über", "Emoji 😀🎉👍🏽❤️!", "😀", "a😀b", "Odd   spaces\there", "tab\tand\nnewline\r\nend",
    "full\u3000width\u3000space", "nbsp\u00a0here", "trailing   ", "   leading", "multiple     inner   spaces a",
    "  two leading", "x \n y", "a\n\nb", "end with newline\n", "don't won't I'm we'll they've she'd it's",
    "O'Brien's 'quoted' rock'n'roll", "DON'T IT'S", "'s 't 're", "Numbers 1234567890 and 3.14159",
    "1,000,000 ¥100 €20 $5", "(brackets) [square] {curly} <angle>", "\"quotes\" «guillemets»",
    "「引号」『书名』《书名号》", "!!!???...---", "unbelievable supercalifragilisticexpialidocious",
    "a" * 120, "antidisestablishmentarianism", "Zürich Ærøskøbing ﬁ ligature", "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ",
    "İstanbul ǅ", "ＡＢＣ１２３", "日本語のテキスト", "한국어 텍스트", "Русский текст", "العربية",
    "e\u0301 combining", "zero\u200bwidth", "control\x07bell", "\ufffdreplacement", "MENENIUS:\nWhy, masters,",
    "What authority surfeits on would relieve us:", "的的的的的的", "ﾊﾝｶｸ", "x²³ ½ ⅓", "ⅣⅫ roman",
    "<|endoftext|>", "before<|endoftext|>after", "The end.<|endoftext|>Next doc", "[CLS] hello [SEP] world [SEP]",
    "[MASK] is here", "unk [UNK] token",
]


# Alphabet of the random strings: the pre-tokenizers' corner cases (apostrophes, every kind
# of space, digits, letters with marks, CJK, punctuation, emoji, control characters).
RANDOM_ALPHABET = list("ab xyZ'sStdmlrev09,.!?-_\"") + [" ", " ", "  ", "\n", "\t", "\r", "\u3000", "\u00a0", "\u2028",
                  "\u0085", "\u000b", "é", "e\u0301", "Ü", "ß", "床", "月", "，", "。", "😀", "👍🏽", "\u200b", "\x00", "\x07",
                  "\ufffd", "²", "Ⅻ", "٣", "ﬁ", "İ", "'s", "'ll", " '", "<|endoftext|>", "[SEP]", "##"]


def random_strings(n, seed=1234):
    import random
    r = random.Random(seed)
    return ["".join(r.choice(RANDOM_ALPHABET) for _ in range(r.randint(1, 14))) for _ in range(n)]


def build_corpus():
    shakes = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "data", "tinyshakespeare", "input.txt")
    with open(shakes, encoding="utf-8") as f:
        text = f.read()
    excerpt = text[:12000]
    excerpt = excerpt[: excerpt.rfind("\n\n") + 1]
    return POEMS + "\n" + MISC + "\n" + excerpt


def main():
    os.makedirs(os.path.join(OUT, "wordpiece"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "bpe"), exist_ok=True)
    corpus = build_corpus()
    corpus_path = os.path.join(OUT, "corpus.txt")
    with open(corpus_path, "w", encoding="utf-8", newline="") as f:
        f.write(corpus)

    wp = BertWordPieceTokenizer(lowercase=True)
    wp.train([corpus_path], vocab_size=800, min_frequency=1, limit_alphabet=1000,
             special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    wp.save_model(os.path.join(OUT, "wordpiece"))
    vocab_txt = os.path.join(OUT, "wordpiece", "vocab.txt")

    bpe = ByteLevelBPETokenizer(add_prefix_space=False)
    bpe.train([corpus_path], vocab_size=1000, min_frequency=2, special_tokens=["<|endoftext|>"])
    bpe.save_model(os.path.join(OUT, "bpe"))
    bpe = ByteLevelBPETokenizer(os.path.join(OUT, "bpe", "vocab.json"), os.path.join(OUT, "bpe", "merges.txt"),
                                add_prefix_space=False)
    bpe.add_special_tokens(["<|endoftext|>"])

    configs = {
        "uncased": dict(lowercase=True),  # strip_accents follows lowercase
        "cased": dict(lowercase=False, strip_accents=False),
        "cased_strip": dict(lowercase=False, strip_accents=True),
    }
    wps = {}
    for name, kw in configs.items():
        t = BertWordPieceTokenizer(vocab_txt, **kw)
        wps[name] = t

    # Test strings: the fixed list plus every corpus line of the poems and misc text.
    tests = list(TESTS) + [l for l in (POEMS + MISC).split("\n") if l.strip()] + random_strings(300)
    cases = []
    for s in tests:
        case = {"text": s}
        for name, t in wps.items():
            e = t.encode(s, add_special_tokens=False)
            case["wordpiece_" + name] = {"ids": e.ids, "tokens": e.tokens} if name == "uncased" else {"ids": e.ids}
        e = bpe.encode(s)
        case["bpe"] = {"ids": e.ids, "tokens": e.tokens, "decoded": bpe.decode(e.ids, skip_special_tokens=False)}
        cases.append(case)
    with open(os.path.join(OUT, "parity.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizers_version": tokenizers.__version__,
                   "wordpiece_configs": configs, "cases": cases}, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print("wrote", len(cases), "cases to", OUT)


if __name__ == "__main__":
    main()
