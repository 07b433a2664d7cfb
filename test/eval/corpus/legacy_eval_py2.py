"""Evaluation helpers ported from the 2017 codebase. report() is still Python 2."""
import cPickle
import json
import os

import numpy as np
import yaml


def load_predictions(path):
    with open(path, "rb") as f:
        return cPickle.load(f)  # expect: AML.T0011.000


def load_gold(path):
    with open(path) as f:
        return json.load(f)  # ok


def load_thresholds(path):
    return yaml.load(open(path))  # expect: AML.T0011.000


def report(preds, gold):
    correct = sum(1 for p, g in zip(preds, gold) if p == g)
    try:
        acc = correct / float(len(gold))
    except ZeroDivisionError, e:
        acc = 0.0
    print "accuracy: %.4f" % acc
    return acc


def load_features(path):
    return np.load(path, allow_pickle=True)  # expect: AML.T0011.000


def load_features_safe(path):
    return np.load(path, allow_pickle=False)  # ok


def save_report(acc, out_dir):
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump({"accuracy": acc}, f)  # ok
