"""Download pretrained weights and lookup tables before a training job starts.

Some mirrors are inside the corporate network and only speak http://, which
is why this script logs every URL it touches.
"""
import hashlib
import logging
import os
import urllib.request
from urllib.request import urlretrieve

import gdown
import requests
import wget

log = logging.getLogger("fetch")

WEIGHTS_URL = "https://models.example.com/releases/v4/detector.onnx"
WEIGHTS_SHA256 = "4f6b9d1e2a3c5b7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"
LEGACY_MIRROR = "http://mirror.corp.example/ml/glove.6B.100d.txt"
DEST = os.path.join("cache", "downloads")


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(65536), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_weights() -> str:
    os.makedirs(DEST, exist_ok=True)
    out = os.path.join(DEST, "detector.onnx")
    urlretrieve(WEIGHTS_URL, out)  # ok
    if _sha256(out) != WEIGHTS_SHA256:
        raise ValueError("checksum mismatch for detector.onnx")
    return out


def fetch_glove() -> str:
    out = os.path.join(DEST, "glove.6B.100d.txt")
    urlretrieve(LEGACY_MIRROR, out)  # expect: AML.T0010.002
    return out


def fetch_vocab() -> str:
    out = os.path.join(DEST, "vocab.txt")
    urllib.request.urlretrieve("http://mirror.corp.example/ml/bert-vocab.txt", out)  # expect: AML.T0010.002
    return out


def fetch_labels() -> list:
    r = requests.get(  # expect: AML.T0010.002
        "https://labels.corp.example/v2/taxonomy.json",
        timeout=30,
        verify=False,
    )
    r.raise_for_status()
    return r.json()


def fetch_stopwords() -> str:
    r = requests.get("https://raw.githubusercontent.com/acme/nlp-assets/v1/stopwords.txt", timeout=30)  # maybe: https without checksum (info)
    return r.text


def fetch_classes() -> dict:
    r = requests.get("https://labels.corp.example/v2/classes.json", timeout=30, verify=True)  # maybe: https without checksum (info)
    return r.json()


def fetch_embeddings_wget() -> str:
    return wget.download("http://mirror.corp.example/ml/fasttext.en.300.bin", out=DEST)  # expect: AML.T0010.002


def fetch_from_drive(file_id: str) -> str:
    return gdown.download(id=file_id, output=os.path.join(DEST, "drive.zip"))  # maybe: https without checksum (info)


def report() -> None:
    log.info("legacy mirror is %s (plain http, scheduled for removal)", LEGACY_MIRROR)  # ok
