"""Flask scoring service used by the payments gateway.

POST /score with a JSON transaction, get back a fraud probability.
"""
from __future__ import annotations

import logging
import os

import joblib
import numpy as np
import pandas as pd
from flask import Flask, abort, jsonify, request

from utils.checkpoints import load_pipeline
from utils.config import load_config

log = logging.getLogger("serve")

CHECKPOINT_DIR = os.environ.get("FRAUD_CHECKPOINT_DIR", "./checkpoints")

app = Flask(__name__)
cfg = load_config()
preprocessor = load_pipeline(os.path.join(CHECKPOINT_DIR, "preprocessor.joblib"))
clf = joblib.load(os.path.join(CHECKPOINT_DIR, "gbm.joblib"))
THRESHOLD = float(os.environ.get("FRAUD_THRESHOLD", "0.5"))
API_TOKEN = os.environ.get("FRAUD_API_TOKEN")


@app.before_request
def check_token():
    if API_TOKEN and request.headers.get("Authorization") != f"Bearer {API_TOKEN}":
        abort(401)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/score")
def score():
    payload = request.get_json(force=True)
    frame = pd.DataFrame([payload])
    features = preprocessor.transform(frame)
    proba = float(clf.predict_proba(features)[0, 1])
    return jsonify({"fraud": proba >= THRESHOLD, "score": round(proba, 3)})


@app.post("/score/batch")
def score_batch():
    rows = request.get_json(force=True)["transactions"]
    features = preprocessor.transform(pd.DataFrame(rows))
    proba = clf.predict_proba(features)[:, 1]
    return jsonify({"fraud": (proba >= THRESHOLD).tolist(), "scores": np.round(proba, 3).tolist()})


def main() -> None:
    host = os.environ.get("FRAUD_HOST", cfg.serving.get("host", "127.0.0.1"))
    if host == "0.0.0.0":
        log.warning("binding to all interfaces; make sure the gateway firewall is in place")
    if os.environ.get("FRAUD_DEV") == "1":
        # Local development: hot reload and the interactive debugger.
        app.run(host="0.0.0.0", port=8080, debug=True)
    else:
        app.run(host=host, port=int(cfg.serving.get("port", 8080)), debug=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
