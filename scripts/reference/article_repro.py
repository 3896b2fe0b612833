#!/usr/bin/env python3
"""Runs minimal PyTorch reproductions of the article's §4 code and records what happens.

Run from the repository root:

    .venv-ref/bin/python scripts/reference/article_repro.py

The article (`article/` in the shared folder, never committed) gives PyTorch code in §4 that in
many places does not run as written, or runs and does something other than what its text says.
Each case below is a small reproduction written here (not the article's code): it exercises one
expression or call of the article with the smallest tensors that show the point. The script
compiles and runs it in a fresh namespace (seed 0, one thread, warnings silenced) and writes
lessons/article/repro.json:

    {"torch_version": ..., "python_version": ...,
     "cases": [{"id", "section", "expression", "repro", "outcome", "error_type", "message",
                "note_zh"}, ...]}

"expression" quotes only the article's expression under test; "section" lists every section of
the article where that expression occurs. For outcome "error", error_type and message are the
exception's class name and str(); for "runs", error_type is "" and message is what the repro
printed. The script stops with an error if a case's outcome is not the expected one (e.g. after a
torch upgrade). Re-running it writes the same file byte for byte.
"""
import contextlib
import io
import json
import os
import platform
import sys
import warnings

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "lessons", "article", "repro.json")

# (id, section, expression, expected outcome, repro source, note_zh)
CASES = [
    ("attn_sqrt_int", "§4.1.1", "torch.sqrt(self.head_dim)", "error", """\
import torch
head_dim = 8 // 2  # embed_dim // num_heads: an int
torch.sqrt(head_dim)
""", "head_dim 是 Python 整数，torch.sqrt 只收张量，构造函数即报 TypeError。"),

    ("attn_scale_multiplies", "§4.1.1", "self.q_lin(q) * self.scaling", "runs", """\
import torch
d = 4
scaling = torch.sqrt(torch.tensor(float(d)))  # type fixed, value as written
q = k = torch.ones(1, d)
print((q * scaling) @ k.T, (q @ k.T) / d ** 0.5)
""", "即使类型改对，也是乘以而非除以 √d_k，得分是公式的 d_k 倍（8 对 2）。"),

    ("attn_no_head_split", "§4.1.1", "torch.matmul(q, k.transpose(-2, -1))", "runs", """\
import torch, torch.nn as nn
q_lin, k_lin = nn.Linear(8, 8), nn.Linear(8, 8)  # embed_dim 8, num_heads 2
x = torch.randn(1, 3, 8)
print(torch.matmul(q_lin(x), k_lin(x).transpose(-2, -1)).shape)
""", "q、k 没有按头拆分，只得到一张 [batch, seq, seq] 的注意力图，num_heads 只改了缩放。"),

    ("attn_mask_rows", "§4.1.1", "attn_mask.unsqueeze(-1)", "runs", """\
import torch
scores = torch.zeros(1, 3, 3)               # [batch, query, key]
pad = torch.tensor([[False, False, True]])  # key 2 is padding
print(torch.softmax(scores.masked_fill(pad.unsqueeze(-1), -1e18), -1))
""", "[batch, seq, 1] 的掩码遮住的是查询行而不是键列，每个查询仍以 1/3 关注填充位。"),

    ("attn_mask_cross", "§4.1.1", "attn_mask.unsqueeze(-1)", "error", """\
import torch
scores = torch.zeros(1, 2, 3)  # 2 queries, 3 keys
scores.masked_fill(torch.tensor([[False, False, True]]).unsqueeze(-1), -1e18)
""", "查询与键长度不同时，[batch, key, 1] 的掩码无法广播到 [batch, query, key]。"),

    ("attn_mask_causal", "§4.1.1", "attn_output.masked_fill(attn_mask.unsqueeze(-1), -1e18)", "runs", """\
import torch
causal = torch.ones(3, 3, dtype=torch.bool).triu(1)  # [query, key]
print(torch.zeros(1, 3, 3).masked_fill(causal.unsqueeze(-1), -1e18).shape)
""", "[seq, seq] 的因果掩码加一维后与 [1, 3, 3] 广播成 [3, 3, 3]，批次维悄悄变成 3。"),

    ("attn_fill_fp16", "§4.1.1", "masked_fill(attn_mask.unsqueeze(-1), -1e18)", "error", """\
import torch
pad = torch.tensor([[False, False, True]])
torch.zeros(1, 3, 3).half().masked_fill(pad.unsqueeze(-1), -1e18)
""", "-1e18 超出 float16 范围（约 65504），半精度下 masked_fill 报错。"),

    ("pe_math_undefined", "§4.1.2", "math.pi", "error", """\
import torch
torch.sin(torch.arange(3) * 2 * math.pi / 3)
""", "§4 的代码从未 import math，positional_encoding 一运行就 NameError。"),

    ("pe_position_1d", "§4.1.2", "position[:, 0]", "error", """\
import torch
position = torch.arange(5)
position[:, 0]
""", "一维的 torch.arange(seq_len) 在 position[:, 0] 处报 IndexError，原文要求二维输入。"),

    ("pe_broadcast", "§4.1.2", "pe[:, 0::2] = torch.sin(pos_i * 2 * math.pi / position.size(1))", "error", """\
import math, torch
position = torch.arange(5).unsqueeze(1)  # [seq, 1]
pe = torch.zeros(position.size(0), 4)
pos_i = position[:, 0]
pe[:, 0::2] = torch.sin(pos_i * 2 * math.pi / position.size(1))
""", "[seq] 的角度赋给 [seq, d_hid/2] 时沿列广播，seq 不是 1 或 d_hid/2 就报错。"),

    ("pe_one_angle", "§4.1.2", "pos_i * 2 * math.pi / position.size(1)", "runs", """\
import math, torch
position = torch.arange(5).unsqueeze(1)
angle = position[:, 0] * 2 * math.pi / position.size(1)
print(angle.shape, bool(torch.sin(angle).abs().max() < 1e-5))
""", "角度没有维度下标 i，所有列同一频率 2π/position.size(1)；[seq, 1] 时每个位置的 sin 都≈0。"),

    ("pe_rows_identical", "§4.1.2", "pe[:, 0::2] = torch.sin(pos_i * 2 * math.pi / position.size(1))", "runs", """\
import math, torch
position = torch.tensor([[0, 1, 2], [1, 2, 3]])  # seq 2 == d_hid / 2
pe = torch.zeros(2, 4)
pe[:, 0::2] = torch.sin(position[:, 0] * 2 * math.pi / position.size(1))
pe[:, 1::2] = torch.cos(position[:, 0] * 2 * math.pi / position.size(1))
print(pe)
""", "能运行的形状下（seq = d_hid/2），每个位置得到完全相同的编码。"),

    ("pe_dropout_always_on", "§4.1.2", "nn.Dropout(dropout)(pe)", "runs", """\
import torch, torch.nn as nn
torch.manual_seed(0)
drop = nn.Dropout(0.1)  # new module: model.eval() never reaches it
print(drop.training, drop(torch.ones(1, 8)))
""", "函数内新建的 Dropout 总在训练模式，推理时位置编码也被随机置零。"),

    ("layer_norm_unit_norm", "§4.1.3", "x * torch.rsqrt(torch.sum(x ** 2, dim=-1, keepdim=True) + 1e-8)", "runs", """\
import torch, torch.nn.functional as F
x = torch.tensor([[1., 2., 3., 4.]])
y = x * torch.rsqrt(torch.sum(x ** 2, dim=-1, keepdim=True) + 1e-8)
print(y.norm(dim=-1), y.mean(dim=-1), (y ** 2).mean(dim=-1))
print(torch.allclose(y * 4 ** 0.5, F.rms_norm(x, (4,))), F.layer_norm(x, (4,)))
""", "每行被缩放到范数 1（均方 1/d 而非方差 1），不减均值；乘 √d 才是 RMSNorm，与 LayerNorm 不同。"),

    ("bert_decoder_repeated_kwarg", "§4.2.1", "src_mask=decoder_attention_mask, src_mask=decoder_hidden_states", "error", """\
decoder_layers(encoder_outputs, src_mask=decoder_attention_mask, src_mask=decoder_hidden_states)
""", "重复的关键字参数是语法错误，BertPreTraining 整个类都无法编译。"),

    ("bert_decoder_src_mask", "§4.2.1", "self.decoder_layers(encoder_outputs, src_mask=decoder_attention_mask)", "error", """\
import torch, torch.nn as nn
dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 1)
dec(torch.randn(2, 3, 4), src_mask=torch.ones(2, 1, 3, dtype=torch.bool))
""", "TransformerDecoder.forward 没有 src_mask 参数，调用即 TypeError。"),

    ("gpt_decoder_src_key_padding_mask", "§4.3.1", "self.decoder_layers(encoder_outputs, src_key_padding_mask=decoder_attention_mask)", "error", """\
import torch, torch.nn as nn
dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 1)
dec(torch.randn(2, 3, 4), src_key_padding_mask=torch.ones(2, 1, 3, dtype=torch.bool))
""", "TransformerDecoder.forward 也没有 src_key_padding_mask（应为 tgt_key_padding_mask）。"),

    ("decoder_missing_memory", "§4.2.1, §4.3.1", "self.decoder_layers(encoder_outputs, …)", "error", """\
import torch, torch.nn as nn
dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 1)
dec(torch.randn(2, 3, 4))
""", "去掉错误的关键字后，解码器仍缺必需的 memory 参数。"),

    ("encoder_src_mask_kwarg", "§4.2.1, §4.3.1", "self.encoder_layers(embeddings, src_key_padding_mask=encoder_attention_mask, src_mask=encoder_hidden_states)", "error", """\
import torch, torch.nn as nn
enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 1)
enc(torch.randn(2, 3, 4), src_key_padding_mask=None, src_mask=torch.randn(2, 3, 4))
""", "TransformerEncoder.forward 的参数叫 mask 不叫 src_mask，这个分支必报 TypeError。"),

    ("encoder_padding_mask_batch", "§4.2.1, §4.3.1", "self.encoder_layers(embeddings, src_key_padding_mask=encoder_attention_mask)", "error", """\
import torch, torch.nn as nn
enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 1)
embeddings = torch.randn(2, 3, 4)     # [batch, seq, dim]
enc(embeddings, src_key_padding_mask=torch.zeros(2, 3, dtype=torch.bool))
""", "默认 batch_first=False，[batch, seq, dim] 被当成 [seq, batch, dim]，[batch, seq] 掩码对不上。"),

    ("encoder_mixes_batch", "§4.2.1, §4.3.1", "self.encoder_layers(embeddings, src_key_padding_mask=encoder_attention_mask)", "runs", """\
import torch, torch.nn as nn
enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 1).eval()
a = torch.randn(2, 3, 4)  # [batch, seq, dim]
b = a.clone()
b[1] += 1                 # change example 1 only
print(bool((enc(a)[0] - enc(b)[0]).abs().max() > 1e-4))
""", "注意力沿批次维进行：改动第 2 个样本会改变第 1 个样本的输出。"),

    ("gpt_no_causal_mask", "§4.3.1", "self.encoder_layers(embeddings, src_key_padding_mask=encoder_attention_mask)", "runs", """\
import torch, torch.nn as nn
enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 1).eval()
a = torch.randn(3, 1, 4)  # [seq, batch, dim]
b = a.clone()
b[2] += 1                 # change the last token only
print(bool((enc(a)[0] - enc(b)[0]).abs().max() > 1e-4))
""", "没有因果掩码，第一个位置的输出随最后一个词改变，模型能看到未来。"),

    ("gt_mask_polarity", "§4.2.1, §4.3.1", "torch.gt(attention_mask, 0).unsqueeze(1)", "runs", """\
import torch
m = torch.gt(torch.tensor([[1, 1, 0]]), 0).unsqueeze(1)  # 0 = padding
print(m, m.shape)
""", "得到 [batch, 1, seq] 且真实词为 True；PyTorch 的填充掩码是 [batch, seq] 且 True 表示忽略。"),

    ("classifier_two_logits", "§4.2.1, §4.3.1", "nn.Linear(embed_dim, num_encoder_tokens)", "runs", """\
import torch, torch.nn as nn
print(nn.Linear(4, 2)(torch.randn(2, 3, 4)).shape)  # num_encoder_tokens=2
""", "每个位置只有 2 个 logit，既不是词表上的 MLM/语言模型输出，也不是 [CLS] 的 NSP。"),

    ("loss_not_scalar", "§4.2.2, §4.3.2", "loss.backward()", "error", """\
import torch, torch.nn as nn
loss = nn.Linear(4, 2)(torch.randn(2, 3, 4))  # model(...) returns logits
loss.backward()
""", "model(...) 返回 logits 而非标量损失，backward() 直接报错。"),

    ("train_loader_undefined", "§4.2.2, §4.3.2", "for batch in train_loader:", "error", """\
for batch in train_loader:
    pass
""", "train_loader 从未定义，训练循环 NameError。"),

    ("load_position_table", "§4.2.1, §4.3.1", "self.position_embeddings = nn.Embedding(vocab_size, embed_dim)", "error", """\
import torch, torch.nn as nn
position_embeddings = nn.Embedding(30522, 384)  # vocab_size rows, as written (all-MiniLM-L6-v2's sizes)
# a real BERT checkpoint's table has max_position_embeddings = 512 rows
position_embeddings.load_state_dict({"weight": torch.zeros(512, 384)})
""", "位置表按原文有 vocab_size 行，真实检查点的位置表只有 512 行：load_state_dict 报尺寸不符（段表 2 行，同理）。"),

    ("load_encoder_layer_names", "§4.2.1, §4.3.1",
     "nn.TransformerEncoderLayer(d_model=embed_dim, nhead=num_attention_heads, dim_feedforward=intermediate_size, dropout=0.1)",
     "error", """\
import torch, torch.nn as nn
layer = nn.TransformerEncoderLayer(d_model=384, nhead=12, dim_feedforward=1536, dropout=0.1)
# one layer of a real BERT checkpoint (all-MiniLM-L6-v2's shapes), named as HF's BertLayer names it
d, f = 384, 1536
hf = {}
for name in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
    hf[name + ".weight"], hf[name + ".bias"] = torch.zeros(d, d), torch.zeros(d)
hf["intermediate.dense.weight"], hf["intermediate.dense.bias"] = torch.zeros(f, d), torch.zeros(f)
hf["output.dense.weight"], hf["output.dense.bias"] = torch.zeros(d, f), torch.zeros(d)
for name in ("attention.output.LayerNorm", "output.LayerNorm"):
    hf[name + ".weight"], hf[name + ".bias"] = torch.ones(d), torch.zeros(d)
layer.load_state_dict(hf)
""", "PyTorch 的编码层把 q、k、v 合成一个 in_proj_weight，各层的名字也与 HF 的 BertLayer 不同：严格加载时 12 个键缺失、16 个键多余。"),
]


def run(src):
    """Compiles and runs src in a fresh namespace; returns (outcome, error_type, message)."""
    torch.manual_seed(0)
    buf = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(buf):
            warnings.simplefilter("ignore")
            exec(compile(src, "<repro>", "exec"), {"__name__": "__repro__"})
    except Exception as e:  # SyntaxError included: compile() raises it
        return "error", type(e).__name__, str(e)
    return "runs", "", buf.getvalue().rstrip("\n")


def main():
    torch.set_num_threads(1)
    cases, bad = [], []
    for cid, section, expr, expect, src, note in CASES:
        outcome, etype, msg = run(src)
        if outcome != expect:
            bad.append(f"{cid}: expected {expect}, got {outcome} {etype}: {msg}")
        cases.append({"id": cid, "section": section, "expression": expr, "repro": src,
                      "outcome": outcome, "error_type": etype, "message": msg, "note_zh": note})
        print(f"{cid:34} {outcome:5} {etype} {msg.splitlines()[0] if msg else ''}")
    if bad:
        sys.exit("unexpected outcomes:\n" + "\n".join(bad))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        # One case per line: small, and a re-run that changes one case changes one line.
        head = json.dumps({"torch_version": torch.__version__, "python_version": platform.python_version()},
                          ensure_ascii=False)
        f.write(head[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n]}\n")
    print("wrote", len(cases), "cases to", os.path.relpath(OUT))


if __name__ == "__main__":
    main()
