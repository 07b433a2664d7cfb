# Kaggle "Playground S4E7" baseline -- feature cache + LightGBM + submission
# Ran on a Kaggle kernel, then copied here. Not pretty.

import os
import gc
import pickle
import hashlib
import requests
import numpy
import pandas as pd
import joblib
from urllib.request import urlretrieve

DATA_DIR = "/kaggle/input/playground-series-s4e7"
WORK = "/kaggle/working"
FEATURE_CACHE = os.path.join(WORK, "features.pkl")
EXTRA_URL = "http://storage.example-mirror.org/kaggle/extra_train.csv"
EXTERNAL_WEIGHTS = "https://github.com/someuser/tabular-priors/releases/download/v3/priors.npy"
EXTERNAL_SHA256 = "9f2c1b7a3e5d4c6b8a7f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b"

train = pd.read_csv(os.path.join(DATA_DIR, "train.csv"))
test = pd.read_csv(os.path.join(DATA_DIR, "test.csv"))

# ---- extra data from the discussion thread (someone's mirror) ----
if not os.path.exists(f"{WORK}/extra_train.csv"):
    urlretrieve(EXTRA_URL, f"{WORK}/extra_train.csv")  # expect: AML.T0010.002 plain http mirror
extra = pd.read_csv(f"{WORK}/extra_train.csv")
train = pd.concat([train, extra], ignore_index=True)


def fetch_priors(dest=f"{WORK}/priors.npy"):
    """Download the priors and check them against the published hash."""
    r = requests.get(EXTERNAL_WEIGHTS, timeout=60)  # ok: https, sha256 checked below
    r.raise_for_status()
    digest = hashlib.sha256(r.content).hexdigest()
    if digest != EXTERNAL_SHA256:
        raise RuntimeError("priors.npy checksum mismatch")
    with open(dest, "wb") as fh:
        fh.write(r.content)
    return dest


priors = numpy.load(fetch_priors())  # ok: allow_pickle left at its default

# ---- feature cache ----
if os.path.exists(FEATURE_CACHE):
    with open(FEATURE_CACHE, "rb") as f:
        feats = pickle.load(f)  # expect: AML.T0011.000
else:
    feats = {c: train[c].astype("category").cat.codes for c in ["Gender", "Region_Code"]}
    with open(FEATURE_CACHE, "wb") as f:
        pickle.dump(feats, f, protocol=pickle.HIGHEST_PROTOCOL)  # ok: writing

# the organisers ship the old folds as a pickled frame
folds = pd.read_pickle(f"{DATA_DIR}/folds.pkl")  # expect: AML.T0011.000
oof_prev = numpy.load(f"{WORK}/oof_v2.npy", allow_pickle=True)  # expect: AML.T0011.000
oof_meta = numpy.load(f"{WORK}/oof_meta.npz", allow_pickle=False)  # ok

import lightgbm as lgb

params = dict(objective="binary", learning_rate=0.05, num_leaves=127, verbose=-1)
models = []
for k in range(5):
    tr = folds != k
    m = lgb.train(params, lgb.Dataset(train[tr].drop(columns="Response"), train[tr].Response))
    models.append(m)
    joblib.dump(m, f"{WORK}/lgb_fold{k}.joblib")  # ok: dump only
    gc.collect()

# blend with last week's models (saved from another kernel)
old_models = [joblib.load(f"{WORK}/old/lgb_fold{k}.joblib") for k in range(5)]  # expect: AML.T0011.000

preds = numpy.mean([m.predict(test) for m in models + old_models], axis=0)
sub = pd.DataFrame({"id": test.id, "Response": preds})
sub.to_pickle(f"{WORK}/sub.pkl")  # ok: writing a pickle
sub.to_csv(f"{WORK}/submission.csv", index=False)
print("pickle.load was only used for the cache")  # ok: just a string
