"""Train the card-transaction fraud model.

Usage::

    python train.py --config config/train.yaml
    python train.py --config config/train.yaml --resume checkpoints/epoch_007.pt
"""
from __future__ import annotations

import argparse
import logging
import os
import pickle
import random

import joblib
import numpy as np
import torch
from datasets import load_dataset
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import average_precision_score
from torch.utils.data import DataLoader, TensorDataset

from features import add_velocity_features, build_preprocessor, cache_frame, load_cached_frame, to_matrix
from model import build_model
from utils.checkpoints import latest_checkpoint, prune_checkpoints, resume_training, save_checkpoint, save_pipeline
from utils.config import load_config, save_config

log = logging.getLogger("train")

# Chargeback labels are versioned by the data team; this is the reviewed snapshot.
CHARGEBACKS_REPO = "fraudlabs/chargeback-labels"
CHARGEBACKS_REVISION = "c0ffee1234567890abcdef1234567890abcdef12"


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_transactions(cfg) -> "pd.DataFrame":
    """Transactions from the Hub, with engineered features, cached on disk."""
    cached = load_cached_frame("transactions_features")
    if cached is not None:
        return cached
    ds = load_dataset(cfg.data["dataset"], split=cfg.data.get("split", "train"))
    public = load_dataset("fraudlabs/card-transactions-public", split="train")
    labels = load_dataset(CHARGEBACKS_REPO, split="train", revision=CHARGEBACKS_REVISION)
    df = ds.to_pandas()
    df = df.merge(public.to_pandas()[["txn_id", "merchant_risk"]], on="txn_id", how="left")
    df = df.merge(labels.to_pandas(), on="txn_id", how="left")
    df["is_fraud"] = df["is_fraud"].fillna(0).astype(int)
    df = add_velocity_features(df)
    cache_frame(df, "transactions_features")
    return df


def train_gbm(x_train, y_train, params: dict) -> GradientBoostingClassifier:
    clf = GradientBoostingClassifier(
        n_estimators=params.get("n_estimators", 300),
        max_depth=params.get("max_depth", 4),
        learning_rate=params.get("learning_rate", 0.05),
    )
    clf.fit(x_train, y_train)
    return clf


def train_mlp(x_train, y_train, x_val, y_val, cfg, resume: str | None = None):
    model = build_model(cfg.model, in_features=x_train.shape[1])
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=cfg.training["lr"],
        weight_decay=cfg.training.get("weight_decay", 0.0),
    )
    start_epoch = 0
    if resume:
        state = resume_training(resume)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch = state["epoch"] + 1

    loader = DataLoader(
        TensorDataset(torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32)),
        batch_size=cfg.training["batch_size"],
        shuffle=True,
    )
    pos_weight = torch.tensor((len(y_train) - y_train.sum()) / max(y_train.sum(), 1))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    ckpt_dir = str(cfg.checkpoint_dir)

    for epoch in range(start_epoch, cfg.training["epochs"]):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            scores = torch.sigmoid(model(torch.tensor(x_val, dtype=torch.float32))).numpy()
        log.info("epoch %d  val AP=%.4f", epoch, average_precision_score(y_val, scores))
        save_checkpoint(model, optimizer, epoch, ckpt_dir)
        prune_checkpoints(ckpt_dir, cfg.training.get("keep_last", 3))
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the fraud model")
    parser.add_argument("--config", default="config/train.yaml")
    parser.add_argument("--resume", help="checkpoint to resume from ('latest' for the newest)")
    args = parser.parse_args()

    cfg = load_config(args.config)
    set_seed(cfg.seed)
    os.makedirs(cfg.checkpoint_dir, exist_ok=True)
    save_config(cfg, cfg.checkpoint_dir / "config.yaml")

    df = load_transactions(cfg)
    val_mask = np.random.rand(len(df)) < cfg.data.get("validation_fraction", 0.15)
    pre = build_preprocessor(cfg.data["categorical"], cfg.data["numerical"])
    x_train = to_matrix(df[~val_mask], pre, fit=True)
    x_val = to_matrix(df[val_mask], pre)
    y_train = df.loc[~val_mask, "is_fraud"].to_numpy()
    y_val = df.loc[val_mask, "is_fraud"].to_numpy()
    save_pipeline(pre, str(cfg.checkpoint_dir / "preprocessor.joblib"))

    if cfg.model.get("kind") == "gbm":
        clf = train_gbm(x_train, y_train, cfg.model.get("gbm", {}))
        joblib.dump(clf, cfg.checkpoint_dir / "gbm.joblib")
    else:
        resume = latest_checkpoint(str(cfg.checkpoint_dir)) if args.resume == "latest" else args.resume
        model = train_mlp(x_train, y_train, x_val, y_val, cfg, resume=resume)
        torch.save(model.state_dict(), cfg.checkpoint_dir / "best.pt")

    with open(cfg.checkpoint_dir / "threshold.pkl", "wb") as f:
        pickle.dump({"threshold": 0.5, "val_positive_rate": float(y_val.mean())}, f)
    log.info("done; artefacts in %s", cfg.checkpoint_dir)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main()
