"""Model store for the churn models (sklearn), backed by a shared NFS folder."""
from __future__ import annotations

import datetime as dt
import json
import os

import joblib
from joblib import dump as jdump
from joblib import load
from sklearn.ensemble import RandomForestClassifier
from sklearn.externals import joblib as sk_joblib

STORE = "/nfs/models/churn"


class ModelCard:
    """Metadata stored as JSON next to each model."""

    def __init__(self, path: str):
        self.path = path
        self.data: dict = {}

    def load(self) -> "ModelCard":
        with open(self.path) as f:
            self.data = json.load(f)  # ok
        return self

    def save(self) -> None:
        with open(self.path, "w") as f:
            json.dump(self.data, f, indent=2)


def publish(model: RandomForestClassifier, name: str) -> str:
    stamp = dt.datetime.utcnow().strftime("%Y%m%d%H%M")
    path = os.path.join(STORE, f"{name}-{stamp}.joblib")
    joblib.dump(model, path, compress=("lz4", 3))  # ok
    jdump(model, path + ".bak")  # ok
    card = ModelCard(path + ".json")
    card.data = {"name": name, "created": stamp}
    card.save()
    return path


def fetch(path: str) -> RandomForestClassifier:
    return joblib.load(path)  # expect: AML.T0011.000


def fetch_with_mmap(path: str):
    return load(path, mmap_mode="r")  # expect: AML.T0011.000


def fetch_legacy(path: str):
    """Models pickled with scikit-learn 0.20."""
    return sk_joblib.load(path)  # expect: AML.T0011.000


def describe(path: str) -> dict:
    card = ModelCard(path + ".json").load()  # ok
    return card.data
