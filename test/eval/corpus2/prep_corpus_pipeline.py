"""Data preparation for the pretraining mix.

Stages: fetch -> filter -> dedup -> shard. Config in configs/prep.yaml.
"""
import argparse
import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path

import gdown
import requests
import wget
import yaml
from datasets import load_dataset, load_from_disk
from huggingface_hub import snapshot_download

ROOT = Path(os.environ.get("PREP_ROOT", "/data/prep"))
RAW = ROOT / "raw"
WIKI_REV = "a3e8d0f9c1b2d4e6f8a0c2e4b6d8f0a2c4e6b8d0"

STOPWORDS_URL = "http://www.cs.example.edu/~someone/stopwords-multi.txt"
CC_INDEX = "https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/cc-index.paths.gz"
TOKENIZER_TAR = "https://example-bucket.s3.amazonaws.com/tok/spm-64k.tar.gz"
TOKENIZER_SHA256 = "3c5e7a9b1d3f5e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e3a5c7b9d1f3e5a"


def load_config(path="configs/prep.yaml"):
    with open(path) as fh:
        return yaml.load(fh, Loader=yaml.CSafeLoader)  # ok: safe loader


def load_legacy_config(path):
    with open(path) as fh:
        return yaml.load(fh)  # expect: AML.T0011.000 no Loader


def fetch(cfg):
    RAW.mkdir(parents=True, exist_ok=True)
    wiki = load_dataset("wikimedia/wikipedia", "20231101.en", revision=WIKI_REV, split="train")  # ok: pinned
    stack = load_dataset(  # expect: AML.T0010.002
        "bigcode/the-stack-dedup",
        data_dir="data/python",
        split="train",
        streaming=True,
    )
    fineweb = load_dataset("HuggingFaceFW/fineweb-edu", name="sample-10BT", revision=cfg.get("fineweb_rev"))  # maybe: non-literal revision
    local = load_dataset("parquet", data_files=str(RAW / "internal" / "*.parquet"))  # ok: local files
    cached = load_from_disk(str(ROOT / "cache" / "mix_v3"))  # ok: local arrow files

    # stopword list, only published on a plain http page
    r = requests.get(STOPWORDS_URL, timeout=30)  # expect: AML.T0010.002
    (RAW / "stopwords.txt").write_bytes(r.content)

    # the internal mirror has a self-signed cert
    idx = requests.get(cfg["mirror"] + "/cc-index.paths.gz", verify=False)  # expect: AML.T0010.002
    (RAW / "cc-index.paths.gz").write_bytes(idx.content)
    return wiki, stack, fineweb, local, cached


def fetch_tokenizer():
    dest = RAW / "spm-64k.tar.gz"
    wget.download(TOKENIZER_TAR, out=str(dest))  # ok: sha256 checked right below
    h = hashlib.sha256(dest.read_bytes()).hexdigest()
    if h != TOKENIZER_SHA256:
        raise SystemExit(f"bad tokenizer tarball {h}")
    with tarfile.open(dest) as tf:
        tf.extractall(RAW / "tok")


def fetch_extras():
    gdown.download("https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz012345", str(RAW / "extras.zip"))  # maybe: https, no checksum
    wget.download("http://mirror.example.net/langid/lid.176.bin", out=str(RAW / "lid.176.bin"))  # expect: AML.T0010.002
    subprocess.run(["unzip", "-o", str(RAW / "extras.zip"), "-d", str(RAW)], check=True)


def fetch_quality_classifier():
    return snapshot_download(repo_id="HuggingFaceFW/fineweb-edu-classifier", local_dir=str(ROOT / "clf"))  # expect: AML.T0010.003


def pipeline(*stages):
    """Compose prep stages, e.g. pipeline(fetch_tokenizer, fetch_extras)()."""
    def run():
        return [stage() for stage in stages]
    return run


def shard(ds, n=64):
    out = ROOT / "shards"
    out.mkdir(exist_ok=True)
    for i in range(n):
        ds.shard(n, i).to_json(out / f"shard_{i:03d}.jsonl")
    (out / "manifest.json").write_text(json.dumps({"n": n}))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="configs/prep.yaml")
    a = p.parse_args()
    cfg = load_config(a.config)
    fetch(cfg)
    pipeline(fetch_tokenizer, fetch_extras)()  # ok: local function named pipeline
