"""Evaluate a trained checkpoint on the held-out month.

    python evaluate.py --checkpoint checkpoints/best.pt --holdout data/holdout_2024_05.npz
"""
from __future__ import annotations

import argparse
import json
import logging
import os

import numpy as np
import torch
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

from model import FraudMLP
from utils.config import load_config

log = logging.getLogger("evaluate")


def load_holdout(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Held-out features and labels stored as a plain numeric ``.npz``."""
    with np.load(path, allow_pickle=False) as data:
        return data["x"], data["y"]


def recall_at_precision(y_true: np.ndarray, scores: np.ndarray, min_precision: float) -> float:
    precision, recall, _ = precision_recall_curve(y_true, scores)
    feasible = recall[precision >= min_precision]
    return float(feasible.max()) if feasible.size else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate a fraud checkpoint")
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--holdout", required=True)
    parser.add_argument("--config", default="config/train.yaml")
    parser.add_argument("--out", default="reports/metrics.json")
    args = parser.parse_args()

    cfg = load_config(args.config)
    x, y = load_holdout(args.holdout)
    model = FraudMLP(x.shape[1], cfg.model["hidden_sizes"], cfg.model.get("dropout", 0.2))
    model.load_state_dict(torch.load(args.checkpoint, map_location="cpu", weights_only=True))
    model.eval()

    with torch.no_grad():
        scores = torch.sigmoid(model(torch.tensor(x, dtype=torch.float32))).numpy()

    metrics = {
        "roc_auc": float(roc_auc_score(y, scores)),
        "average_precision": float(average_precision_score(y, scores)),
        "recall_at_p90": recall_at_precision(y, scores, 0.90),
        "n": int(len(y)),
    }
    baseline_path = os.path.join(os.path.dirname(args.out), "baseline.json")
    if os.path.exists(baseline_path):
        with open(baseline_path, encoding="utf-8") as f:
            baseline = json.load(f)
        metrics["delta_ap"] = metrics["average_precision"] - baseline["average_precision"]

    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(metrics, f, indent=2)
    log.info("metrics: %s", metrics)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
