"""Feature engineering for card transactions.

Raw rows come from the Hugging Face dataset (see ``train.py``); this module
turns them into a dense matrix and caches intermediate frames on disk so that
repeated experiments do not recompute the rolling aggregates.
"""
from __future__ import annotations

import json
import logging
import os

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

log = logging.getLogger(__name__)

CACHE_DIR = os.environ.get("FRAUD_FEATURE_CACHE", "./data/cache")


def add_velocity_features(df: pd.DataFrame) -> pd.DataFrame:
    """Per-account transaction counts and amount z-scores over the last 24h."""
    df = df.sort_values(["account_id", "timestamp"]).copy()
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    grouped = df.groupby("account_id")
    df["txn_count_24h"] = grouped.rolling("24h", on="timestamp")["amount"].count().values
    mean = grouped["amount"].transform("mean")
    std = grouped["amount"].transform("std").replace(0, 1).fillna(1)
    df["amount_z"] = (df["amount"] - mean) / std
    df["hour"] = df["timestamp"].dt.hour
    return df


def build_preprocessor(categorical: list[str], numerical: list[str]) -> Pipeline:
    """One-hot encode categoricals and scale numericals."""
    transformer = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("num", StandardScaler(), numerical),
        ]
    )
    return Pipeline([("columns", transformer)])


def cache_frame(df: pd.DataFrame, name: str) -> str:
    """Write an intermediate frame to the feature cache."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    path = os.path.join(CACHE_DIR, f"{name}.pkl")
    df.to_pickle(path)
    return path


def load_cached_frame(name: str) -> pd.DataFrame | None:
    """Read a frame written by :func:`cache_frame`, or ``None`` when missing."""
    path = os.path.join(CACHE_DIR, f"{name}.pkl")
    if not os.path.exists(path):
        return None
    log.debug("feature cache hit: %s", path)
    return pd.read_pickle(path)


def load_embedding_matrix(path: str) -> np.ndarray:
    """Merchant embeddings exported by ``embeddings.py`` (plain float32 array)."""
    return np.load(path)


def load_partner_features(path: str) -> dict:
    """Features shared by the partner bank as an ``.npz`` of object arrays."""
    archive = np.load(path, allow_pickle=True)
    return {key: archive[key] for key in archive.files}


def load_feature_list(path: str) -> list[str]:
    """Ordered list of feature names used at serving time."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]


def to_matrix(df: pd.DataFrame, preprocessor: Pipeline, fit: bool = False) -> np.ndarray:
    """Apply (and optionally fit) the preprocessor."""
    if fit:
        return preprocessor.fit_transform(df)
    return preprocessor.transform(df)
