"""Disk cache for expensive feature computations (used by the ranking pipeline).

Entries are written with pickle.dump and read back on the next run. Never point
this cache at a directory other people can write to: pickle.load executes code.
"""
import _pickle
import hashlib
import logging
import os
import pickle
import shelve
from pickle import loads as l

import cloudpickle
import dill
import pandas as pd

log = logging.getLogger("feature_cache")

CACHE_ROOT = os.path.expanduser("~/.cache/ranker-features")


def _key(*parts) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def put(obj, *parts) -> str:
    os.makedirs(CACHE_ROOT, exist_ok=True)
    path = os.path.join(CACHE_ROOT, _key(*parts) + ".pkl")
    with open(path, "wb") as f:
        pickle.dump(obj, f)  # ok
    return path


def get(*parts):
    path = os.path.join(CACHE_ROOT, _key(*parts) + ".pkl")
    if not os.path.exists(path):
        return None
    log.debug("cache hit, calling pickle.load on %s", path)  # ok
    with open(path, "rb") as f:
        return pickle.load(f)  # expect: AML.T0011.000


def get_raw(blob: bytes):
    return l(blob)  # expect: AML.T0011.000


def get_fast(blob: bytes):
    return _pickle.loads(blob)  # expect: AML.T0011.000


def serialize(obj) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)  # ok


def load_lambda_features(path: str):
    """Feature functions are lambdas, so they were saved with dill."""
    with open(path, "rb") as f:
        return dill.load(f)  # expect: AML.T0011.000


def save_lambda_features(fns, path: str) -> None:
    with open(path, "wb") as f:
        dill.dump(fns, f)  # ok


def load_udf(blob: bytes):
    return cloudpickle.loads(blob)  # expect: AML.T0011.000


def open_index(path: str):
    return shelve.open(path, flag="r")  # expect: AML.T0011.000


def load_frame(path: str) -> pd.DataFrame:
    return pd.read_pickle(path)  # expect: AML.T0011.000


def store_frame(df: pd.DataFrame, path: str) -> None:
    df.to_pickle(path)  # ok


def load_frame_parquet(path: str) -> pd.DataFrame:
    return pd.read_parquet(path)  # ok


class Unpickler(pickle.Unpickler):  # ok: restricting subclass definition, not a load
    """Restricting unpickler: only allows a few numpy globals."""

    ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed")
        return super().find_class(module, name)


def load_arrays_restricted(path: str):
    with open(path, "rb") as f:
        return Unpickler(f).load()  # maybe: restricted subclass of pickle.Unpickler


def load_arrays_unrestricted(path: str):
    with open(path, "rb") as f:
        return pickle.Unpickler(f).load()  # expect: AML.T0011.000
