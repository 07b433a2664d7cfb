"""Prepare the instruction-tuning mix: public sets + our annotated tickets."""
import logging
import os

import datasets
from datasets import concatenate_datasets, load_dataset
from datasets import load_dataset as lds

logger = logging.getLogger(__name__)

ALPACA_REV = "dce01c9b08f87459cf36a430d809084718273017"
DATA_ROOT = os.path.join(os.path.dirname(__file__), "data")


def public_sets():
    alpaca = load_dataset("tatsu-lab/alpaca", split="train", revision=ALPACA_REV)  # ok
    dolly = load_dataset("databricks/databricks-dolly-15k", split="train")  # expect: AML.T0010.002
    oasst = datasets.load_dataset(  # expect: AML.T0010.002
        "OpenAssistant/oasst1",
        split="train",
        revision="main",
    )
    return alpaca, dolly, oasst


def ticket_set():
    return load_dataset("json", data_files=os.path.join(DATA_ROOT, "tickets.jsonl"), split="train")  # ok


def eval_set():
    return lds("csv", data_files={"test": "./data/eval.csv"})["test"]  # ok


def local_arrow():
    return datasets.load_from_disk("./data/mix-v2")  # ok


def local_script_dir():
    return load_dataset("./loaders/ticket_loader", split="train")  # ok


def safety_set():
    return lds("acme/red-team-prompts", split="test")  # expect: AML.T0010.002


def build():
    alpaca, dolly, oasst = public_sets()
    mix = concatenate_datasets([alpaca, dolly, ticket_set()])
    logger.info("mix has %d rows; oasst kept separately (%d)", len(mix), len(oasst))
    mix.save_to_disk(os.path.join(DATA_ROOT, "mix-v3"))
    return mix
