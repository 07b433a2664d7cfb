#!/usr/bin/env python3
"""ckpt-tool: inspect, convert and serve checkpoints.

Examples:
    ckpt-tool inspect runs/exp/last.pt
    ckpt-tool convert runs/exp/last.pt --to safetensors
    ckpt-tool fetch meta-llama/Llama-3.1-8B --revision <sha>
    ckpt-tool serve --host 127.0.0.1
"""
import argparse
import http.server
import json
import os
import sys

import torch
import yaml
from huggingface_hub import hf_hub_download, snapshot_download
from safetensors.torch import save_file
from transformers import AutoConfig, AutoModel

DEFAULT_HOST = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"  # ok: constant


def cmd_inspect(args):
    sd = torch.load(args.ckpt, map_location="cpu", weights_only=args.safe)  # maybe: non-literal weights_only
    for k, v in list(sd.items())[:20]:
        print(k, tuple(getattr(v, "shape", ())))


def cmd_convert(args):
    sd = torch.load(args.ckpt, map_location="cpu", weights_only=False)  # expect: AML.T0011.000
    if "state_dict" in sd:
        sd = sd["state_dict"]
    save_file({k: v.contiguous() for k, v in sd.items()}, args.out or args.ckpt.rsplit(".", 1)[0] + ".safetensors")


def cmd_meta(args):
    with open(args.meta) as fh:
        meta = yaml.unsafe_load(fh)  # expect: AML.T0011.000
    print(json.dumps(meta, indent=2, default=str))


def cmd_fetch(args):
    if args.file:
        path = hf_hub_download(args.repo, args.file, revision=args.revision)  # maybe: non-literal revision
    else:
        path = snapshot_download(args.repo, revision=args.revision, allow_patterns=["*.json", "*.safetensors"])  # maybe: non-literal revision
    cfg = AutoConfig.from_pretrained(path)  # maybe: path returned by a download
    print(cfg)


def cmd_legacy(args)
    print "this never worked on py3", args
    return torch.load(args.ckpt)  # maybe: inside the function with the syntax error, not measured


def cmd_probe(args):
    model = AutoModel.from_pretrained(args.repo, trust_remote_code=True)  # expect: AML.T0010.003, AML.T0011.000
    print(sum(p.numel() for p in model.parameters()))


def cmd_serve(args):
    host = ALL_INTERFACES if args.public else DEFAULT_HOST
    if host == ALL_INTERFACES:  # ok: comparison
        print("serving on every interface!", file=sys.stderr)
    httpd = http.server.ThreadingHTTPServer((host, args.port), http.server.SimpleHTTPRequestHandler)  # maybe: host chosen by a flag
    httpd.serve_forever()


def main(argv=None):
    p = argparse.ArgumentParser(prog="ckpt-tool")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("inspect"); s.add_argument("ckpt"); s.add_argument("--safe", action="store_true")
    s = sub.add_parser("convert"); s.add_argument("ckpt"); s.add_argument("--out")
    s = sub.add_parser("meta"); s.add_argument("meta")
    s = sub.add_parser("fetch"); s.add_argument("repo"); s.add_argument("--file"); s.add_argument("--revision")
    s = sub.add_parser("probe"); s.add_argument("repo")
    s = sub.add_parser("serve"); s.add_argument("--public", action="store_true"); s.add_argument("--port", type=int, default=8000)
    args = p.parse_args(argv)
    return {"inspect": cmd_inspect, "convert": cmd_convert, "meta": cmd_meta, "fetch": cmd_fetch,
            "probe": cmd_probe, "serve": cmd_serve}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
