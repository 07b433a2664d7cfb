"""Configuration loading.

Training and serving both read ``config/train.yaml``. Older experiment folders
still carry configs written by the previous tooling, which dumped Python
objects into YAML tags, so there is a separate loader for those.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "train.yaml"


@dataclass
class TrainConfig:
    """Typed view over the parts of the YAML config the trainer uses."""

    experiment: str
    seed: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    serving: dict[str, Any] = field(default_factory=dict)

    @property
    def checkpoint_dir(self) -> Path:
        return Path(self.training.get("checkpoint_dir", "./checkpoints"))


def load_config(path: str | os.PathLike[str] = DEFAULT_CONFIG) -> TrainConfig:
    """Read a YAML config file into a :class:`TrainConfig`."""
    with open(path, "r", encoding="utf-8") as f:
        raw = yaml.safe_load(f) or {}
    env_override = os.environ.get("FRAUD_CONFIG_OVERRIDES")
    if env_override:
        raw.update(json.loads(env_override))
    log.info("loaded config %s (experiment=%s)", path, raw.get("experiment"))
    return TrainConfig(**raw)


def load_legacy_config(path: str) -> dict[str, Any]:
    """Read a config produced by the old experiment tracker.

    Those files contain ``!!python/object`` tags, so ``safe_load`` rejects them.
    """
    with open(path) as f:
        cfg = yaml.load(f, Loader=yaml.FullLoader)
    log.warning("legacy config format in %s, please migrate", path)
    return cfg


def save_config(cfg: TrainConfig, path: str | os.PathLike[str]) -> None:
    """Write the effective config next to the checkpoints for reproducibility."""
    payload = {
        "experiment": cfg.experiment,
        "seed": cfg.seed,
        "data": cfg.data,
        "model": cfg.model,
        "training": cfg.training,
        "serving": cfg.serving,
    }
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(payload, f, sort_keys=False)


def load_label_map(path: str) -> dict[str, int]:
    """Label names to class indices, stored as JSON."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)
