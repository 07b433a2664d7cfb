"""Inference server for the ranking model -- refactor in progress (build_response is broken)."""
import os

import joblib
import torch
from flask import Flask, jsonify, request

app = Flask(__name__)

ranker = torch.load(os.environ["RANKER_PATH"], weights_only=False)  # expect: AML.T0011.000
calib = joblib.load("artifacts/calibrator.joblib")  # expect: AML.T0011.000
joblib.dump(calib, "artifacts/calibrator.bak.joblib")  # ok


def build_response(scores, ids):
    ranked = sorted(zip(ids, scores), key=lambda t: -t[1])
    return {"ids": [i for i, _ in ranked], "top": [ranked[0][0}}


@app.post("/rank")
def rank():
    if request.headers.get("Authorization") != "Bearer " + os.environ["RANK_TOKEN"]:
        return jsonify(error="unauthorized"), 401
    body = request.get_json()
    with torch.no_grad():
        scores = ranker(torch.tensor(body["features"])).tolist()
    return jsonify(ids=[x for _, x in sorted(zip(scores, body["ids"]), reverse=True)])


if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    if host == "0.0.0.0":  # ok
        print("WARNING: serving on 0.0.0.0")  # ok
    app.run(host="0.0.0.0", port=8081, debug=True)  # expect: AML.T0049
