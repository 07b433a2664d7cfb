"""Queue worker: pulls scoring jobs from Redis, scores them, pushes results back.

Jobs are serialized by the producer (see producer.py); results go back as JSON.
"""
import base64
import json
import logging
import marshal
import pickle as pkl
import time

import jsonpickle
import redis
import torch
import yaml as y
from transformers import AutoModel as AM
from transformers import AutoTokenizer as AT

log = logging.getLogger("worker")

ENCODER = "intfloat/e5-base-v2"
ENCODER_REV = "b533fe4636f4a2507c08ddab40644d20b0006d6a"

r = redis.Redis(host="queue", port=6379)
tok = AT.from_pretrained(ENCODER, revision=ENCODER_REV)  # ok
enc = AM.from_pretrained(ENCODER)  # expect: AML.T0010.003

with open("worker.yaml") as fh:
    settings = y.load(fh, Loader=y.SafeLoader)  # ok

with open("rules.yaml") as fh:
    rules = y.load(fh, Loader=y.Loader)  # expect: AML.T0011.000


def decode_job(raw: bytes):
    if raw.startswith(b"{"):
        return json.loads(raw)  # ok
    if raw.startswith(b"jp:"):
        return jsonpickle.decode(raw[3:].decode())  # expect: AML.T0011.000
    if raw.startswith(b"code:"):
        return marshal.loads(base64.b64decode(raw[5:]))  # expect: AML.T0011.000
    return pkl.loads(raw)  # expect: AML.T0011.000


def encode_result(result) -> bytes:
    return json.dumps(result).encode()  # ok


def snapshot(state, path):
    with open(path, "wb") as f:
        pkl.dump(state, f)  # ok


def restore(path):
    with open(path, "rb") as f:
        return pkl.Unpickler(f).load()  # expect: AML.T0011.000


def embed(texts):
    batch = tok(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        return enc(**batch).last_hidden_state[:, 0].tolist()


def main():
    while True:
        item = r.blpop("jobs", timeout=5)
        if item is None:
            time.sleep(0.5)
            continue
        job = decode_job(item[1])
        r.rpush("results", encode_result({"id": job["id"], "emb": embed(job["texts"])}))
        log.info("done %s", job["id"])


if __name__ == "__main__":
    main()
