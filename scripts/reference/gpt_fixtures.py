"""GPT-2 parity fixtures for transformer/gpt (run with .venv-ref/bin/python).

  python scripts/reference/gpt_fixtures.py             writes transformer/gpt/testdata/hf-tiny/
      (config.json + model.safetensors of a randomly initialised, small GPT2LMHeadModel, no
      download, plus the 1000-token byte-level BPE of transformer/tokenizer/testdata/bpe as
      vocab.json + merges.txt) and testdata/hf_tiny.json (input ids, logits, loss, a prompt
      encoded by GPT2TokenizerFast, its greedy continuation as ids and text).
  python scripts/reference/gpt_fixtures.py --check-export DIR
      loads a model exported by Go (gpt.Model.ExportHF, DIR/config.json + model.safetensors)
      with transformers' GPT2LMHeadModel and compares its logits with DIR/expected.json
      (written by the Go test TestExportHF with BERT2GPT_WRITE_EXPORT=DIR); exits 1 on mismatch.
"""
import json
import os
import shutil
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "..", "transformer", "gpt", "testdata")


def make_fixture():
    torch.manual_seed(1234)
    cfg = GPT2Config(vocab_size=1000, n_positions=32, n_embd=32, n_layer=2, n_head=4,
                     activation_function="gelu_new", layer_norm_epsilon=1e-5,
                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(cfg).eval()
    # Random values everywhere (biases and LayerNorm parameters too), so every tensor matters.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    out_dir = os.path.join(TESTDATA, "hf-tiny")
    model.save_pretrained(out_dir, safe_serialization=True)
    gen_cfg = os.path.join(out_dir, "generation_config.json")
    if os.path.exists(gen_cfg):
        os.remove(gen_cfg)
    bpe = os.path.join(HERE, "..", "..", "transformer", "tokenizer", "testdata", "bpe")
    for f in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(bpe, f), os.path.join(out_dir, f))
    tok = GPT2TokenizerFast(vocab_file=os.path.join(out_dir, "vocab.json"),
                            merges_file=os.path.join(out_dir, "merges.txt"))
    prompt_text = "First Citizen: we are accounted poor"
    prompt_ids = tok(prompt_text)["input_ids"]
    ids = torch.randint(0, cfg.vocab_size, (2, 6), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        logits = model(ids).logits
        labels_loss = model(ids, labels=ids).loss
        prompt = torch.tensor([prompt_ids])
        greedy = model.generate(prompt, max_new_tokens=10, do_sample=False, pad_token_id=0,
                                attention_mask=torch.ones_like(prompt))
    fixture = {
        "ids": ids.tolist(),
        "logits": [round(float(x), 7) for x in logits.flatten().tolist()],
        "logits_shape": list(logits.shape),
        "hf_loss": float(labels_loss),
        "prompt": prompt[0].tolist(),
        "prompt_text": prompt_text,
        "greedy": greedy[0, len(prompt_ids):].tolist(),
        "greedy_text": tok.decode(greedy[0, len(prompt_ids):].tolist()),
        "torch": torch.__version__,
    }
    with open(os.path.join(TESTDATA, "hf_tiny.json"), "w") as f:
        json.dump(fixture, f)
    print("wrote", out_dir, "and hf_tiny.json")


def check_export(d):
    model = GPT2LMHeadModel.from_pretrained(d).eval()
    with open(os.path.join(d, "expected.json")) as f:
        exp = json.load(f)
    ids = torch.tensor(exp["ids"])
    with torch.no_grad():
        logits = model(ids).logits.flatten()
    want = torch.tensor(exp["logits"])
    diff = float((logits - want).abs().max())
    print(f"HF GPT2LMHeadModel on the Go export: max |Δlogits| = {diff:.3g} over {want.numel()} values")
    if diff > 1e-4:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-export":
        check_export(sys.argv[2])
    else:
        make_fixture()
