"""Mirror selected Hub repos into the offline model cache of the GPU cluster."""
import argparse
import logging
import os

from huggingface_hub import hf_hub_download, snapshot_download

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("hub_sync")

CACHE = os.environ.get("HF_HOME", "/cluster/hf-cache")
WHISPER_COMMIT = "75dcd4d0dbc7de2a5b7da6d3a8b2d1ed28c6e25a"


def sync_whisper():
    return snapshot_download(  # ok
        repo_id="openai/whisper-small",
        revision=WHISPER_COMMIT,
        cache_dir=CACHE,
    )


def sync_llm():
    return snapshot_download("mistralai/Mistral-7B-Instruct-v0.2", cache_dir=CACHE)  # expect: AML.T0010.003


def sync_tokenizer_only():
    return hf_hub_download(  # expect: AML.T0010.003
        "meta-llama/Llama-2-7b-hf",
        "tokenizer.model",
        cache_dir=CACHE,
    )


def sync_config(repo: str, rev: str):
    return hf_hub_download(repo_id=repo, filename="config.json", revision=rev)  # maybe: non-literal revision


def sync_adapter():
    return hf_hub_download(repo_id="acme/lora-adapters", filename="adapter_model.safetensors", revision="v1.2")  # expect: AML.T0010.003


def sync_pinned_file():
    return hf_hub_download(  # ok
        repo_id="openai/whisper-small",
        filename="preprocessor_config.json",
        revision="75dcd4d0dbc7de2a5b7da6d3a8b2d1ed28c6e25a",
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["whisper", "llm", "tok", "adapter"])
    a = ap.parse_args()
    log.info("syncing %s (snapshot_download without revision is not allowed in CI)", a.what)  # ok
    {"whisper": sync_whisper, "llm": sync_llm, "tok": sync_tokenizer_only, "adapter": sync_adapter}[a.what]()
