"""LightningModule wrapping a seq2seq summariser.

Loading notes: we used to do ``torch.load(ckpt)`` here, which is unsafe for
checkpoints downloaded from the internet; now everything goes through
safetensors or ``weights_only=True``.
"""
from __future__ import annotations

import functools
from pathlib import Path

import torch as T
import transformers
import lightning.pytorch as pl
from datasets import load_dataset
from torch import load as torch_load
from transformers import AutoTokenizer

BACKBONE = "google/flan-t5-base"
BACKBONE_REV = "0b1f64f8aa4e3d5ac1d2b8c7e6f5a4b3c2d1e0f9"
LOCAL_INIT = Path(__file__).resolve().parent / "artifacts" / "flan-t5-init"

safe_load = functools.partial(T.load, weights_only=True)  # ok: weights_only=True


class Summarizer(pl.LightningModule):
    def __init__(self, lr: float = 3e-4, from_local: bool = False):
        super().__init__()
        self.save_hyperparameters()
        if from_local:
            self.model = transformers.AutoModelForSeq2SeqLM.from_pretrained(LOCAL_INIT)  # ok: local path
            self.tok = AutoTokenizer.from_pretrained(str(LOCAL_INIT))  # ok: local path
        else:
            self.model = transformers.AutoModelForSeq2SeqLM.from_pretrained(  # ok: pinned via constant
                BACKBONE,
                revision=BACKBONE_REV,  # full commit sha
                torch_dtype=T.bfloat16,
            )
            self.tok = AutoTokenizer.from_pretrained(BACKBONE)  # expect: AML.T0010.003 tokenizer left unpinned

    def training_step(self, batch, batch_idx):
        out = self.model(**batch)
        self.log("train_loss", out.loss)
        return out.loss

    def configure_optimizers(self):
        return T.optim.AdamW(self.parameters(), lr=self.hparams.lr)

    def load_teacher_logits(self, path: str):
        # cached teacher outputs, plain tensors
        return safe_load(path)  # ok: partial with weights_only=True

    def warm_start(self, ckpt_path: str):
        state = torch_load(ckpt_path, map_location="cpu")  # expect: AML.T0011.000 alias, no weights_only
        self.model.load_state_dict(state["state_dict"], strict=False)

    def warm_start_safe(self, ckpt_path: str):
        state = T.load(ckpt_path, map_location="cpu", weights_only=True)  # ok
        self.model.load_state_dict(state, strict=False)


class SummDataModule(pl.LightningDataModule):
    DATASET = "abisee/cnn_dailymail"

    def __init__(self, tok, batch_size=8):
        super().__init__()
        self.tok = tok
        self.batch_size = batch_size

    def prepare_data(self):
        load_dataset(self.DATASET, "3.0.0")  # expect: AML.T0010.002 config name is not a revision

    def setup(self, stage=None):
        ds = load_dataset(  # ok: pinned commit
            "abisee/cnn_dailymail",
            "3.0.0",
            revision="96df5e686bee6baa90b8bee7c28b81fa3fa6223d",
        )
        self.train_ds = ds["train"]
        self.val_ds = load_dataset("json", data_files={"validation": "data/val.jsonl"})["validation"]  # ok: local files


def resume(trainer_ckpt: str) -> Summarizer:
    return Summarizer.load_from_checkpoint(trainer_ckpt)  # maybe: Lightning loads the checkpoint itself


if __name__ == "__main__":
    model = Summarizer()
    dm = SummDataModule(model.tok)
    trainer = pl.Trainer(max_epochs=3, precision="bf16-mixed")
    trainer.fit(model, dm)
    T.save(model.model.state_dict(), "artifacts/summarizer.pt")  # ok: save
