"""Misc helpers shared by the training and serving code.

Nothing in here should call ``pickle.loads`` on network data; see
``safe_unpickle`` for the restricted variant we use for legacy caches.
"""
from __future__ import annotations

import io
import json
import marshal
import os
import shelve
from pathlib import Path
from typing import Any

try:
    import cPickle as pickle  # py2 leftovers
except ImportError:  # pragma: no cover
    import pickle

import jsonpickle
import torch
from safetensors.torch import load_file as load, save_file

CACHE_ROOT = Path(os.environ.get("ML_CACHE", "~/.cache/ml_utils")).expanduser()
_ALLOWED = {("collections", "OrderedDict"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct")}


class RestrictedUnpickler(pickle.Unpickler):  # ok: subclass restricting find_class
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"blocked {module}.{name}")
        return super().find_class(module, name)


def safe_unpickle(data: bytes) -> Any:
    return RestrictedUnpickler(io.BytesIO(data)).load()  # maybe: restricted unpickler


def unsafe_unpickle(data: bytes) -> Any:
    return pickle.Unpickler(io.BytesIO(data)).load()  # expect: AML.T0011.000


def from_cache(key: str) -> Any:
    blob = (CACHE_ROOT / f"{key}.pkl").read_bytes()
    return pickle.loads(blob)  # expect: AML.T0011.000 cPickle/pickle alias


def to_cache(key: str, obj: Any) -> None:
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    (CACHE_ROOT / f"{key}.pkl").write_bytes(pickle.dumps(obj))  # ok: dumps


def load_tensors(path: str) -> dict:
    return load(path)  # ok: safetensors load_file imported as load


def save_tensors(tensors: dict, path: str) -> None:
    save_file(tensors, path)


def load_compiled_hook(path: str):
    with open(path, "rb") as fh:
        code = marshal.load(fh)  # expect: AML.T0011.000
    return code


def open_run_index(path: str):
    return shelve.open(path, flag="r")  # expect: AML.T0011.000


def decode_event(payload: str):
    return jsonpickle.decode(payload)  # expect: AML.T0011.000


def encode_event(obj) -> str:
    return jsonpickle.encode(obj)  # ok: encoding


def load_legacy_state(path: str):
    return torch.serialization.load(path)  # expect: AML.T0011.000


def load_state(path: str, map_location="cpu"):
    return torch.load(path, map_location=map_location, weights_only=True)  # ok


def read_json(path: str | os.PathLike) -> Any:
    with open(path) as fh:
        return json.load(fh)  # ok


def describe_loader(name: str) -> str:
    hints = {
        "torch.load": "pass weights_only=True",  # ok: string
        "yaml.load": "use yaml.safe_load",  # ok: string
        "pickle.loads": "never on untrusted data",  # ok: string
    }
    return hints.get(name, "")
