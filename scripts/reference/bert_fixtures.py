#!/usr/bin/env python3
"""Writes the Hugging Face reference fixtures for the Go package `transformer/bert`.

Run from the repository root:

    .venv-ref/bin/python scripts/reference/bert_fixtures.py

No download: each case builds a randomly initialised transformers.BertForPreTraining from a small
config (fixed seed, float32, CPU, eval mode) and writes transformer/testdata-style files into
transformer/bert/testdata/<case>/:

    config.json, model.safetensors   what save_pretrained writes (the "legacy" case renames every
                                     LayerNorm weight/bias to gamma/beta, as old TF-converted
                                     checkpoints such as bert-base-chinese have them)
    vocab.txt                        a WordPiece vocabulary of vocab_size entries
    outputs.json                     {"meta": {...}, "tensors": {name: {"shape", "data"}}}: inputs
                                     (input_ids, token_type_ids, attention_mask, mlm_labels,
                                     nsp_labels), outputs (mlm_logits, nsp_logits, pooled,
                                     hidden_<i> for the embeddings and every layer), the losses
                                     HF computes with those labels, and a sequence-classification
                                     head (classifier weight/bias, logits) on the same encoder.

With --check-export DIR it instead loads a model the Go package exported (DIR/config.json and
DIR/model.safetensors) with BertForPreTraining.from_pretrained, runs it on DIR/inputs.json and
writes DIR/hf_outputs.json, which the Go test TestExportLoadsInHF compares with our outputs.
"""
import argparse
import json
import os

import torch
from safetensors.torch import load_file, save_file
from transformers import BertConfig, BertForPreTraining, BertForSequenceClassification

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "transformer", "bert", "testdata")


def flat(t):
    a = t.detach().cpu().to(torch.float32).numpy()
    return {"shape": list(a.shape), "data": [float(str(v)) for v in a.reshape(-1)]}


def write_json(path, meta, tensors):
    with open(path, "w") as f:
        json.dump({"meta": meta, "tensors": {k: flat(v) for k, v in tensors.items()}}, f,
                  separators=(",", ":"))


def run(model, inputs):
    with torch.no_grad():
        out = model(input_ids=inputs["input_ids"], token_type_ids=inputs["token_type_ids"],
                    attention_mask=inputs["attention_mask"], labels=inputs.get("mlm_labels"),
                    next_sentence_label=inputs.get("nsp_labels"), output_hidden_states=True)
        pooled = model.bert.pooler(out.hidden_states[-1])
    res = {"mlm_logits": out.prediction_logits, "nsp_logits": out.seq_relationship_logits,
           "pooled": pooled}
    for i, h in enumerate(out.hidden_states):
        res[f"hidden_{i}"] = h
    return res, out.loss


def make_inputs(cfg, batch, seq, gen):
    ids = torch.randint(5, cfg.vocab_size, (batch, seq), generator=gen)
    types = torch.zeros(batch, seq, dtype=torch.long)
    mask = torch.ones(batch, seq, dtype=torch.long)
    ids[:, 0] = 2  # [CLS]
    half = seq // 2
    types[:, half:] = torch.randint(0, cfg.type_vocab_size, (batch, 1), generator=gen).clamp(min=1)
    # Row 1 is padded after 3/4 of the sequence (id 0 = [PAD], type 0, mask 0).
    cut = 3 * seq // 4
    ids[1, cut:] = 0
    types[1, cut:] = 0
    mask[1, cut:] = 0
    labels = torch.full((batch, seq), -100, dtype=torch.long)
    for b in range(batch):
        for t in range(1, seq):
            if mask[b, t] and torch.rand(1, generator=gen).item() < 0.3:
                labels[b, t] = ids[b, t]
                ids[b, t] = 4  # [MASK]
    nsp = torch.tensor([0, 1][:batch] + [0] * max(0, batch - 2))
    return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask,
            "mlm_labels": labels, "nsp_labels": nsp}


def write_vocab(path, size):
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [chr(0x4E00 + i) for i in range(size - len(specials))]  # CJK: one character per token
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(specials + chars) + "\n")


CASES = {
    # name: (config overrides, batch, seq, legacy LayerNorm names)
    "tiny": (dict(vocab_size=40, hidden_size=24, num_hidden_layers=2, num_attention_heads=4,
                  intermediate_size=48, max_position_embeddings=16, type_vocab_size=2,
                  hidden_act="gelu"), 2, 10, False),
    "legacy": (dict(vocab_size=30, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
                    intermediate_size=40, max_position_embeddings=12, type_vocab_size=3,
                    hidden_act="gelu_new", layer_norm_eps=1e-5, initializer_range=0.1), 3, 8, True),
}


def make_case(name):
    overrides, batch, seq, legacy = CASES[name]
    torch.manual_seed(1234)
    cfg = BertConfig(hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, **overrides)
    model = BertForPreTraining(cfg).eval()
    # Random init leaves biases and LayerNorms at 0/1; perturb everything so every tensor matters.
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    model.save_pretrained(d, safe_serialization=True)
    if legacy:
        path = os.path.join(d, "model.safetensors")
        sd = load_file(path)
        renamed = {}
        for k, v in sd.items():
            if "LayerNorm." in k:
                k = k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
            renamed[k] = v
        save_file(renamed, path, metadata={"format": "pt"})
    write_vocab(os.path.join(d, "vocab.txt"), cfg.vocab_size)

    gen = torch.Generator().manual_seed(99)
    inputs = make_inputs(cfg, batch, seq, gen)
    outs, total = run(model, inputs)
    # Attention weights (HF's output_attentions) need the eager attention implementation; the
    # other outputs stay those of the default one, as before.
    eager = BertForPreTraining.from_pretrained(d, attn_implementation="eager").eval()
    with torch.no_grad():
        att = eager.bert(input_ids=inputs["input_ids"], token_type_ids=inputs["token_type_ids"],
                         attention_mask=inputs["attention_mask"], output_attentions=True).attentions
    for i, w in enumerate(att):  # [batch, heads, seq, seq] per layer
        outs[f"attention_{i}"] = w
    with torch.no_grad():
        mlm_loss = torch.nn.functional.cross_entropy(
            outs["mlm_logits"].reshape(-1, cfg.vocab_size), inputs["mlm_labels"].reshape(-1), ignore_index=-100)
        nsp_loss = torch.nn.functional.cross_entropy(outs["nsp_logits"], inputs["nsp_labels"])
    assert abs((mlm_loss + nsp_loss).item() - total.item()) < 1e-5

    # Sequence classification on the same encoder: a fresh classifier (3 labels) on the pooled output.
    base = {k: v for k, v in cfg.to_dict().items() if k not in ("id2label", "label2id")}
    cls_cfg = BertConfig(num_labels=3, **base)
    clf = BertForSequenceClassification(cls_cfg).eval()
    clf.bert.load_state_dict(model.bert.state_dict())
    with torch.no_grad():
        clf.classifier.weight.normal_(0, 0.3)
        clf.classifier.bias.normal_(0, 0.3)
        cls_logits = clf(input_ids=inputs["input_ids"], token_type_ids=inputs["token_type_ids"],
                         attention_mask=inputs["attention_mask"]).logits

    tensors = dict(inputs)
    tensors.update(outs)
    tensors["mlm_loss"] = mlm_loss
    tensors["nsp_loss"] = nsp_loss
    tensors["total_loss"] = total
    tensors["classifier/weight"] = clf.classifier.weight
    tensors["classifier/bias"] = clf.classifier.bias
    tensors["cls_logits"] = cls_logits
    meta = {"case": name, "legacy_names": legacy, "num_layers": cfg.num_hidden_layers,
            "torch": torch.__version__}
    write_json(os.path.join(d, "outputs.json"), meta, {k: v.float() for k, v in tensors.items()})
    print(f"wrote {d}: {sum(p.numel() for p in model.parameters())} parameters")


def check_export(d):
    model, info = BertForPreTraining.from_pretrained(d, output_loading_info=True)
    model.eval()
    bad = {k: v for k, v in info.items() if v}
    assert not bad, f"transformers did not load the export cleanly: {bad}"
    with open(os.path.join(d, "inputs.json")) as f:
        raw = json.load(f)["tensors"]
    inputs = {k: torch.tensor(v["data"], dtype=torch.long).reshape(v["shape"]) for k, v in raw.items()}
    outs, _ = run(model, inputs)
    write_json(os.path.join(d, "hf_outputs.json"), {"loaded_by": "transformers.BertForPreTraining.from_pretrained"}, outs)
    print(f"wrote {d}/hf_outputs.json")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-export", metavar="DIR")
    args = ap.parse_args()
    if args.check_export:
        check_export(args.check_export)
    else:
        for name in CASES:
            make_case(name)
