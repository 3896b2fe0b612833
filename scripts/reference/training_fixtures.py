#!/usr/bin/env python3
"""Writes the PyTorch reference fixture for the Go package `transformer/training`.

Run from the repository root:

    .venv-ref/bin/python scripts/reference/training_fixtures.py

transformer/training/testdata/adamw.json holds STEPS updates of torch.optim.AdamW on the loss

    L(w, b) = Σ C ⊙ w²  +  Σ D ⊙ b⁴        (w: a "weight" [3, 4], decayed; b: a "bias" [4], not decayed)

run the way nanoGPT's train.py runs it: two parameter groups (weight decay on matrices only), the
learning rate of update `it` set from nanoGPT's get_lr (linear warm-up, cosine decay to min_lr),
then backward, torch.nn.utils.clip_grad_norm_ (the global norm is recorded before clipping), step.
C and D are large enough that the first updates are clipped and the later ones are not. Everything
is float32 on the CPU with fixed values, so the output is deterministic.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "transformer", "training", "testdata")
STEPS = 30
HP = {"peak_lr": 0.1, "min_lr": 0.01, "warmup": 3, "decay_steps": 25, "beta1": 0.9, "beta2": 0.99,
      "eps": 1e-8, "weight_decay": 0.1, "clip": 1.0}


def get_lr(it):
    """nanoGPT's get_lr."""
    if it < HP["warmup"]:
        return HP["peak_lr"] * (it + 1) / (HP["warmup"] + 1)
    if it > HP["decay_steps"]:
        return HP["min_lr"]
    ratio = (it - HP["warmup"]) / (HP["decay_steps"] - HP["warmup"])
    return HP["min_lr"] + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (HP["peak_lr"] - HP["min_lr"])


def values(t):
    # str(np.float32) is the shortest decimal that reads back to the same float32.
    return [float(str(v)) for v in t.detach().numpy().reshape(-1)]


def main():
    w = torch.tensor([[0.5, -1.0, 1.5, -2.0], [0.25, 0.75, -0.5, 1.0], [2.0, -0.25, 0.125, -1.5]],
                     requires_grad=True)
    b = torch.tensor([0.5, -0.75, 1.0, 0.25], requires_grad=True)
    c = torch.tensor([[0.3, 0.2, 0.5, 0.1], [1.0, 0.4, 0.6, 0.2], [0.05, 0.7, 0.3, 0.25]])
    d = torch.tensor([0.4, 0.1, 0.2, 0.3])
    init = {"weight": values(w), "bias": values(b)}
    opt = torch.optim.AdamW([{"params": [w], "weight_decay": HP["weight_decay"]},
                             {"params": [b], "weight_decay": 0.0}],
                            lr=HP["peak_lr"], betas=(HP["beta1"], HP["beta2"]), eps=HP["eps"], foreach=False)
    steps = []
    for it in range(STEPS):
        lr = get_lr(it)
        for group in opt.param_groups:
            group["lr"] = lr
        loss = (c * w * w).sum() + (d * b ** 4).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_([w, b], HP["clip"])
        opt.step()
        steps.append({"lr": lr, "grad_norm": float(norm), "weight": values(w), "bias": values(b)})
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "adamw.json"), "w") as f:
        json.dump({"meta": {"torch": torch.__version__, **HP}, "c": values(c), "d": values(d),
                   "init": init, "steps": steps}, f, indent=1)
        f.write("\n")
    clipped = sum(s["grad_norm"] > HP["clip"] for s in steps)
    print(f"wrote {os.path.join(OUT, 'adamw.json')}: {STEPS} steps, {clipped} clipped")


if __name__ == "__main__":
    main()
