"""Text embeddings for merchant descriptors.

Merchant names are free text ("AMZN Mktp US*2K4...") so we embed them and feed
the vectors to the model next to the tabular features.
"""
from __future__ import annotations

import argparse
import logging

import numpy as np
import torch
from huggingface_hub import hf_hub_download
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer

log = logging.getLogger(__name__)

# Pinned to an exact commit of the encoder repository.
MERCHANT_ENCODER = "acme-risk/merchant-bert-small"
MERCHANT_ENCODER_REV = "3f1c9a7be2d04c5e8a6b1f0d9e7c2a4b5d6e8f01"

FINETUNED_DIR = "./checkpoints/merchant-encoder/best"


def load_sentence_encoder() -> SentenceTransformer:
    """General-purpose sentence encoder used for the baseline."""
    return SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")


def load_merchant_encoder():
    """Domain encoder, pinned to a reviewed commit."""
    tokenizer = AutoTokenizer.from_pretrained(MERCHANT_ENCODER, revision=MERCHANT_ENCODER_REV)
    model = AutoModel.from_pretrained(
        MERCHANT_ENCODER,
        revision=MERCHANT_ENCODER_REV,
        trust_remote_code=False,
    )
    return tokenizer, model


def load_finetuned_encoder():
    """Our own fine-tuned copy, saved by the training job."""
    tokenizer = AutoTokenizer.from_pretrained(FINETUNED_DIR)
    model = AutoModel.from_pretrained("./checkpoints/merchant-encoder/best")
    return tokenizer, model


def load_experimental_encoder():
    """Long-context encoder from a partner; it ships custom modelling code."""
    tokenizer = AutoTokenizer.from_pretrained("partnerlab/longmerchant-encoder")
    model = AutoModel.from_pretrained(
        "partnerlab/longmerchant-encoder",
        trust_remote_code=True,
    )
    return tokenizer, model


def download_merchant_vocab(cache_dir: str = "./data/cache") -> str:
    """Extra vocabulary file published next to the encoder weights."""
    return hf_hub_download(
        repo_id=MERCHANT_ENCODER,
        filename="merchant_vocab.txt",
        revision="main",
        cache_dir=cache_dir,
    )


@torch.no_grad()
def embed(texts: list[str], tokenizer, model, batch_size: int = 64) -> np.ndarray:
    """Mean-pooled embeddings for ``texts``."""
    model.eval()
    chunks = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(
            texts[start : start + batch_size],
            padding=True,
            truncation=True,
            max_length=32,
            return_tensors="pt",
        )
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        chunks.append(pooled.cpu().numpy())
    return np.concatenate(chunks).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description="Embed merchant names")
    parser.add_argument("names", help="text file, one merchant per line")
    parser.add_argument("--out", default="./data/merchant_embeddings.npy")
    parser.add_argument("--encoder", choices=["pinned", "finetuned", "experimental"], default="pinned")
    args = parser.parse_args()

    loaders = {
        "pinned": load_merchant_encoder,
        "finetuned": load_finetuned_encoder,
        "experimental": load_experimental_encoder,
    }
    tokenizer, model = loaders[args.encoder]()
    with open(args.names, encoding="utf-8") as f:
        names = [line.strip() for line in f if line.strip()]
    vectors = embed(names, tokenizer, model)
    np.save(args.out, vectors)
    log.info("wrote %d embeddings to %s", len(vectors), args.out)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
