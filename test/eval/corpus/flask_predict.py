"""Flask wrapper around the credit-scoring model (v2). Run: python flask_predict.py --host 127.0.0.1"""
import argparse
import logging
import os
from functools import wraps

import joblib
from flask import Flask, abort, jsonify, request

log = logging.getLogger(__name__)

app = Flask(__name__)
model = joblib.load(os.environ.get("MODEL_PATH", "model.joblib"))  # expect: AML.T0011.000
API_KEY = os.environ.get("API_KEY", "")


def login_required(fn):
    @wraps(fn)
    def wrapper(*a, **kw):
        if request.headers.get("X-API-Key") != API_KEY:
            abort(401)
        return fn(*a, **kw)

    return wrapper


@app.route("/predict", methods=["POST"])
@login_required
def predict():
    row = request.get_json()
    return jsonify(label=int(model.predict([row["features"]])[0]))


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5000)
    ap.add_argument("--dev", action="store_true")
    return ap.parse_args()


def serve_container(port: int = 5000):
    """Entry point used by the Dockerfile (gunicorn is not installed there)."""
    app.run("0.0.0.0", port)  # expect: AML.T0049


def serve_loopback(port: int = 5000):
    app.run("127.0.0.1", port, debug=False)  # ok


if __name__ == "__main__":
    args = parse_args()
    if args.host == "0.0.0.0":  # ok
        log.warning("listening on 0.0.0.0, put this behind the reverse proxy")  # ok
    if args.dev:
        app.run(debug=True)  # expect: AML.T0049
    elif os.environ.get("IN_DOCKER"):
        app.run(host="0.0.0.0", port=args.port)  # expect: AML.T0049
    elif os.environ.get("PROFILE"):
        app.run(  # expect: AML.T0049
            host="0.0.0.0",
            port=args.port,
            debug=True,
        )
    else:
        app.run(host=args.host, port=args.port, debug=False)  # ok
