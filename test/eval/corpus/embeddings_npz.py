"""Utilities for the precomputed embedding shards (.npy / .npz).

Shards written by the old Spark job contain object arrays (ragged token lists),
newer shards are plain float16.
"""
import logging
import os
from pathlib import Path

import numpy
import numpy as np
from numpy import load as npload

log = logging.getLogger(__name__)

SHARD_DIR = Path(os.environ.get("EMB_SHARDS", "/data/emb/shards"))


def read_dense_shard(i: int) -> np.ndarray:
    return np.load(SHARD_DIR / f"dense_{i:05d}.npy")  # ok


def read_dense_mmap(i: int) -> np.ndarray:
    return np.load(SHARD_DIR / f"dense_{i:05d}.npy", mmap_mode="r", allow_pickle=False)  # ok


def read_ragged_shard(i: int):
    data = np.load(  # expect: AML.T0011.000
        SHARD_DIR / f"ragged_{i:05d}.npz",
        allow_pickle=True,
    )
    return data["tokens"], data["offsets"]


def read_legacy(path: str):
    return numpy.load(path, allow_pickle=True, encoding="latin1")  # expect: AML.T0011.000


def read_ids(path: str):
    ids = npload(path, allow_pickle=True)  # expect: AML.T0011.000
    return ids.tolist()


def read_labels(path: str):
    return npload(path)  # ok


def read_any(path: str, trusted: bool = False):
    """Caller decides; untrusted shards must never set allow_pickle."""
    return np.load(path, allow_pickle=trusted)  # maybe: non-literal allow_pickle


def write_shard(arr: np.ndarray, i: int) -> None:
    np.save(SHARD_DIR / f"dense_{i:05d}.npy", arr, allow_pickle=False)  # ok


def write_ragged(tokens, offsets, i: int) -> None:
    np.savez_compressed(SHARD_DIR / f"ragged_{i:05d}.npz", tokens=np.array(tokens, dtype=object), offsets=offsets)  # ok


if __name__ == "__main__":
    log.info("allow_pickle=True is only used for the legacy ragged shards")  # ok
    print(read_dense_shard(0).shape)
