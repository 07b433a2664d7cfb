"""Evaluation harness: runs registered tasks against saved predictions/checkpoints.

    python -m eval_harness --tasks mmlu,gsm8k --ckpt runs/exp42/last.ckpt

Security note for contributors: never use pickle.loads / yaml.load on files
that come from outside the team; prefer json and yaml.safe_load.
"""
import functools
import importlib
import json
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Callable, Dict

import cloudpickle
import dill
import numpy as np
import torch
from yaml import load, FullLoader, SafeLoader

TASK_DIR = osp.join(osp.dirname(osp.abspath(__file__)), "tasks")
RESULTS = osp.expanduser("~/.cache/eval_harness/results")

_REGISTRY: Dict[str, "Task"] = {}


@dataclass
class Task:
    name: str
    metric: Callable = None
    config: dict = field(default_factory=dict)


class TaskRegistry:
    """Our own registry; its .load() reads JSON task cards."""

    def __init__(self, root=TASK_DIR):
        self.root = root

    def load(self, name):
        with open(osp.join(self.root, f"{name}.json")) as fh:
            return Task(name=name, config=json.load(fh))

    @classmethod
    def from_pretrained(cls, preset):
        return cls(osp.join(TASK_DIR, preset))


def read_task_yaml(path):
    with open(path) as fh:
        return load(fh, Loader=FullLoader)  # expect: AML.T0011.000 FullLoader via from-import


def read_task_yaml_safe(path):
    with open(path) as fh:
        return load(fh, Loader=SafeLoader)  # ok


def load_ckpt(p):
    return torch.load(p)  # expect: AML.T0011.000 wrapper without weights_only


load_weights = functools.partial(torch.load, map_location="cpu", weights_only=True)  # ok


def load_metric_fn(path):
    # metric functions are shipped as dill blobs by the task authors
    with open(path, "rb") as fh:
        return dill.load(fh)  # expect: AML.T0011.000


def load_postprocessor(blob: bytes):
    return cloudpickle.loads(blob)  # expect: AML.T0011.000


def load_predictions(run_dir):
    preds = np.load(osp.join(run_dir, "preds.npy"))  # ok: allow_pickle default
    meta = np.load(osp.join(run_dir, "meta.npy"), allow_pickle=True)  # expect: AML.T0011.000
    return preds, meta.item()


def save_results(name, scores):
    os.makedirs(RESULTS, exist_ok=True)
    with open(osp.join(RESULTS, f"{name}.pkl"), "wb") as fh:
        cloudpickle.dump(scores, fh)  # ok: writing
    with open(osp.join(RESULTS, f"{name}.dill"), "wb") as fh:
        dill.dump(scores, fh)  # ok: writing


def run(tasks, ckpt, trusted_ckpt=False):
    registry = TaskRegistry.from_pretrained("default")  # ok: own class method
    state = load_ckpt(ckpt)  # maybe: the risky call is inside load_ckpt
    state2 = load_weights(ckpt)  # ok: partial with weights_only=True
    state3 = torch.load(ckpt, weights_only=not trusted_ckpt)  # maybe: non-literal weights_only
    results = {}
    for t in tasks:
        task = registry.load(t)  # ok: user-defined load
        mod = importlib.import_module(f"tasks.{t}")
        results[t] = mod.evaluate(state or state2 or state3, task.config)
    save_results("latest", results)
    return results


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", default="mmlu")
    ap.add_argument("--ckpt", required=True)
    a = ap.parse_args()
    print(json.dumps(run(a.tasks.split(","), a.ckpt), indent=2))
