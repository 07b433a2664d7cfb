"""Saving and restoring model checkpoints.

The trainer writes three kinds of artefacts:

* ``*.pt``      – PyTorch state dicts for the MLP,
* ``*.joblib``  – the fitted sklearn preprocessing pipeline / GBM,
* ``*.pkl``     – small Python objects (feature statistics, thresholds).
"""
from __future__ import annotations

import glob
import logging
import os
import pickle
from pickle import loads as unpickle
from typing import Any

import joblib
import torch as t

log = logging.getLogger(__name__)


def save_checkpoint(model: t.nn.Module, optimizer, epoch: int, ckpt_dir: str) -> str:
    """Persist model + optimizer state for ``epoch`` and return the file path."""
    os.makedirs(ckpt_dir, exist_ok=True)
    path = os.path.join(ckpt_dir, f"epoch_{epoch:03d}.pt")
    t.save(
        {
            "epoch": epoch,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
        },
        path,
    )
    log.info("saved checkpoint %s", path)
    return path


def load_weights(model: t.nn.Module, path: str) -> t.nn.Module:
    """Load only tensors into ``model`` (safe for checkpoints from anywhere)."""
    state = t.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state["model"] if "model" in state else state)
    return model


def resume_training(path: str, device: str = "cpu") -> dict[str, Any]:
    """Restore the full training state, including optimizer and scheduler objects."""
    state = t.load(
        path,
        map_location=device,
        weights_only=False,
    )
    log.info("resuming from epoch %d", state.get("epoch", -1))
    return state


def latest_checkpoint(ckpt_dir: str) -> str | None:
    """Return the newest ``epoch_*.pt`` in ``ckpt_dir``, if any."""
    candidates = sorted(glob.glob(os.path.join(ckpt_dir, "epoch_*.pt")))
    return candidates[-1] if candidates else None


def load_teacher(path: str):
    """Load the distillation teacher exported by the research team."""
    return t.load(path, map_location="cpu")


def save_pipeline(pipeline, path: str) -> None:
    """Store the fitted sklearn pipeline."""
    joblib.dump(pipeline, path, compress=3)


def load_pipeline(path: str):
    """Restore the fitted sklearn pipeline written by :func:`save_pipeline`."""
    return joblib.load(path)


def save_stats(stats: dict[str, Any], path: str) -> None:
    """Feature statistics used for drift monitoring."""
    with open(path, "wb") as f:
        pickle.dump(stats, f, protocol=pickle.HIGHEST_PROTOCOL)


def load_stats(path: str) -> dict[str, Any]:
    """Counterpart of :func:`save_stats`."""
    with open(path, "rb") as f:
        blob = f.read()
    return unpickle(blob)


def prune_checkpoints(ckpt_dir: str, keep_last: int = 3) -> None:
    """Delete all but the ``keep_last`` most recent checkpoints."""
    files = sorted(glob.glob(os.path.join(ckpt_dir, "epoch_*.pt")))
    for stale in files[:-keep_last]:
        os.remove(stale)
        log.debug("removed %s", stale)
