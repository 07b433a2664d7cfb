#!/usr/bin/env python
"""Resume a fine-tuning run of the ViT classifier from the last good checkpoint.

Quick research script, kept around because everyone copies it.
"""
import argparse
import glob
import os

import torch as t
import torch.nn.functional as F
from torchvision.models import vit_b_16

p = argparse.ArgumentParser()
p.add_argument("--ckpt-dir", default="runs/vit/ckpt")
p.add_argument("--trusted", action="store_true", help="checkpoint comes from our own bucket")
p.add_argument("--lr", type=float, default=3e-5)
args = p.parse_args()

model = vit_b_16(num_classes=37)
opt = t.optim.AdamW(model.parameters(), lr=args.lr)

ckpts = sorted(glob.glob(os.path.join(args.ckpt_dir, "*.pt")))
last = ckpts[-1]

# full state incl. optimizer + RNG, needs the pickled objects
state = t.load(last, map_location="cpu", weights_only=False)  # expect: AML.T0011.000
model.load_state_dict(state["model"])
opt.load_state_dict(state["opt"])
t.set_rng_state(state["rng"])

# the EMA weights are stored separately
ema = t.load(  # expect: AML.T0011.000
    os.path.join(args.ckpt_dir, "ema.pt"),
    map_location="cuda:0" if t.cuda.is_available() else "cpu",
)

# warm start head from the linear-probe run: plain tensors only
head = t.load("runs/probe/head.pt", weights_only=True)  # ok
model.heads.load_state_dict(head)

backbone = t.load(  # ok
    os.path.join(args.ckpt_dir, "backbone.pt"),
    map_location="cpu",
    weights_only=True,
)

extra = t.load(os.path.join(args.ckpt_dir, "extra.pt"), weights_only=not args.trusted)  # maybe: non-literal weights_only

t.save({"model": model.state_dict(), "opt": opt.state_dict()}, os.path.join(args.ckpt_dir, "resumed.pt"))  # ok
print("resumed from", last, "loss fn", F.cross_entropy.__name__)
