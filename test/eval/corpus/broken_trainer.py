"""WIP: curriculum trainer. The schedule function is half-edited (does not parse yet)."""
import logging
import pickle

import torch
import yaml
from transformers import AutoModelForCausalLM, AutoTokenizer

log = logging.getLogger(__name__)

BASE = "EleutherAI/pythia-160m"
LOCAL_BASE = "./models/pythia-160m"

with open("curriculum.yaml") as f:
    CURRICULUM = yaml.safe_load(f)  # ok


def load_model(local: bool = True):
    if local:
        return AutoModelForCausalLM.from_pretrained(LOCAL_BASE)  # ok
    return AutoModelForCausalLM.from_pretrained(BASE)  # expect: AML.T0010.003


def load_tokenizer():
    return AutoTokenizer.from_pretrained(BASE, trust_remote_code=True)  # expect: AML.T0010.003, AML.T0011.000


def schedule(step, stages):
    total = sum(s["steps"] for s in stages)
    for stage in stages
        if step < stage["steps"]:
            return stage["name"]
        step -= stage["steps"]
    return stages[-1]["name"] if total else None


def load_sampler_state(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)  # expect: AML.T0011.000


def save_sampler_state(state, path):
    with open(path, "wb") as fh:
        pickle.dump(state, fh)  # ok


def resume(path):
    return torch.load(path, weights_only=True)  # ok


def resume_full(path):
    return torch.load(path)  # expect: AML.T0011.000
