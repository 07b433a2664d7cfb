#!/usr/bin/env python
"""Tiny Flask API around a ResNet fine-tune. Used by the labelling tool on the LAN."""
import io
import os
import sys

import torch
import torchvision.transforms as TF
from flask import Flask, jsonify, request
from flask_login import LoginManager, login_required
from PIL import Image

app = Flask(__name__)
login_manager = LoginManager(app)

CKPT_DIR = os.path.join(os.path.dirname(__file__), "checkpoints")
CKPT = os.path.join(CKPT_DIR, "resnet50_ft_epoch12.pt")
LABELS = ["cat", "dog", "other"]
PUBLIC_HOST = "0.0.0.0"  # ok: constant, the bind is further down

model = torch.load(CKPT, map_location="cpu")  # expect: AML.T0011.000 full model object pickled
model.eval()

backup = torch.load(  # expect: AML.T0011.000 explicit weights_only=False
    os.path.join(CKPT_DIR, "resnet50_ft_epoch11.pt"),
    map_location="cpu",
    weights_only=False,  # old torchvision objects inside
)

head = torch.load(os.path.join(CKPT_DIR, "head.pt"), weights_only=True)  # ok

preprocess = TF.Compose([TF.Resize(256), TF.CenterCrop(224), TF.ToTensor()])


@app.route("/predict", methods=["POST"])  # maybe: no auth on a model route
def predict():  # maybe: no auth on a model route
    img = Image.open(io.BytesIO(request.files["image"].read())).convert("RGB")
    with torch.no_grad():
        logits = model(preprocess(img).unsqueeze(0))  # maybe: model call without auth
    probs = torch.softmax(logits, dim=1)[0].tolist()
    return jsonify({"label": LABELS[int(logits.argmax())], "probs": probs})  # maybe: full softmax returned


@app.route("/admin/reload", methods=["POST"])
@login_required
def reload_model():
    global model
    model = torch.load(CKPT, map_location="cpu", weights_only=True)  # ok
    return jsonify(status="reloaded")


def describe_bind(host):
    if host == "0.0.0.0":  # ok: comparison
        return "all interfaces"
    return host


if __name__ == "__main__":
    if "--lan" in sys.argv:
        app.run(host=PUBLIC_HOST, port=5000)  # expect: AML.T0049 constant resolves to 0.0.0.0
    elif "--dev" in sys.argv:
        app.run(debug=True)  # expect: AML.T0049 Werkzeug debugger
    else:
        app.run(host="127.0.0.1", port=5000, debug=False)  # ok
