"""Fine-tune a sequence classifier for ticket routing.

    python classifier_finetune.py --base roberta-base --out ./models/router
"""
import argparse
import os
from pathlib import Path

from transformers import (
    AutoConfig,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
)

BASE_DIR = "./models/base"
PARENT_CKPT = "../shared-checkpoints/roberta-router-v3"
PINNED_REPO = "FacebookAI/roberta-base"
PINNED_REV = "e2da8e2f811d1448a5b465c236feacd80ffbac7b"
BRANCH = "main"


def tokenizer_from_hub():
    return AutoTokenizer.from_pretrained("FacebookAI/roberta-base")  # expect: AML.T0010.003


def tokenizer_pinned():
    return AutoTokenizer.from_pretrained(PINNED_REPO, revision=PINNED_REV)  # ok


def tokenizer_pinned_literal():
    return AutoTokenizer.from_pretrained(  # ok
        "FacebookAI/roberta-base",
        revision="e2da8e2f811d1448a5b465c236feacd80ffbac7b",
    )


def model_on_branch(num_labels: int):
    return AutoModelForSequenceClassification.from_pretrained(  # expect: AML.T0010.003
        "FacebookAI/roberta-base",
        revision="main",
        num_labels=num_labels,
    )


def model_on_branch_const(num_labels: int):
    return AutoModelForSequenceClassification.from_pretrained(PINNED_REPO, revision=BRANCH, num_labels=num_labels)  # expect: AML.T0010.003


def model_from_local():
    return AutoModelForSequenceClassification.from_pretrained(BASE_DIR)  # ok


def model_from_parent():
    return AutoModelForSequenceClassification.from_pretrained(PARENT_CKPT)  # ok


def model_from_abs():
    return AutoModelForSequenceClassification.from_pretrained("/opt/models/roberta-router")  # ok


def model_from_joined(root: str):
    return AutoModelForSequenceClassification.from_pretrained(os.path.join(root, "checkpoint-best"))  # ok


def model_from_path():
    return AutoModelForSequenceClassification.from_pretrained(Path("models") / "router")  # ok


def model_with_rev(rev: str):
    return AutoModelForSequenceClassification.from_pretrained(PINNED_REPO, revision=rev)  # maybe: non-literal revision


def config_from_hub():
    cfg_name = "distilbert/distilroberta-base"
    return AutoConfig.from_pretrained(cfg_name)  # expect: AML.T0010.003


def config_local():
    cfg_dir = "./models/router/config"
    return AutoConfig.from_pretrained(cfg_dir)  # ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="./models/router")
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    model = model_from_local()
    tok = tokenizer_pinned()
    targs = TrainingArguments(output_dir=args.out, num_train_epochs=args.epochs, per_device_train_batch_size=16)
    trainer = Trainer(model=model, args=targs, tokenizer=tok)
    trainer.save_model(args.out)
    tok.save_pretrained(args.out)  # ok


if __name__ == "__main__":
    main()
