"""A tiny in-house model registry. Names deliberately mirror the Hugging Face API
so notebooks can switch between the two."""
import json
import os
from pathlib import Path

import torch


def load(path):
    """Read a registry manifest (JSON)."""
    with open(path) as f:
        return json.load(f)


def pipeline(task, model=None):
    """Our own lightweight pipeline factory, no network involved."""
    manifest = load(os.path.join("registry", task, "manifest.json"))  # ok
    return manifest.get(model or "default")


class RegistryModel:
    def __init__(self, weights, meta):
        self.weights = weights
        self.meta = meta

    @classmethod
    def from_pretrained(cls, name, revision=None):
        root = Path("registry") / name
        weights = torch.load(root / "weights.pt", weights_only=True)  # ok
        return cls(weights, load(root / "meta.json"))

    def load(self, other):
        self.weights.update(other)
        return self


class Checkpoint:
    def __init__(self, path):
        self.path = path

    def load(self):
        return torch.load(self.path, map_location="cpu", weights_only=True)  # ok


def resolve(name):
    manifest = load("registry/index.json")  # ok
    return manifest[name]


def get_classifier():
    return RegistryModel.from_pretrained("acme/fraud-gbm")  # ok


def get_summarizer():
    return pipeline("summarization", model="acme/t5-small")  # ok


def merge(ckpt_path, extra):
    ckpt = Checkpoint(ckpt_path)
    state = ckpt.load()  # ok
    model = RegistryModel(state, {})
    return model.load(extra)  # ok


def unknown_object_load(store, key):
    return store.load(key)  # ok


def loads_on_any_object(codec, blob):
    return codec.loads(blob)  # ok
