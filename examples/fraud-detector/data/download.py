"""Fetch auxiliary data files used by the feature pipeline.

* BIN (bank identification number) table from the card-network mirror,
* a merchant-category-code lookup,
* a list of known-compromised terminals shared by a partner over their
  internal mirror (self-signed certificate).
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import urllib.request

import requests

log = logging.getLogger(__name__)

DATA_DIR = os.path.join(os.path.dirname(__file__), "raw")

BIN_TABLE_URL = "https://data.example-cards.org/bins/v3/bin_table.csv"
BIN_TABLE_SHA256 = "9b1d4c2e0f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"

MCC_URL = "http://mirror.example-cards.org/mcc/mcc_codes.csv"
PARTNER_URL = "https://partner-mirror.internal.example/terminals/compromised.csv"


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_bin_table(dest_dir: str = DATA_DIR) -> str:
    """Download the BIN table and verify it against the published checksum."""
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, "bin_table.csv")
    resp = requests.get(BIN_TABLE_URL, timeout=60)
    resp.raise_for_status()
    with open(dest, "wb") as f:
        f.write(resp.content)
    if sha256_of(dest) != BIN_TABLE_SHA256:
        os.remove(dest)
        raise RuntimeError("BIN table checksum mismatch")
    return dest


def download_mcc_codes(dest_dir: str = DATA_DIR) -> str:
    """Merchant category codes; the mirror only serves plain HTTP."""
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, "mcc_codes.csv")
    urllib.request.urlretrieve(MCC_URL, dest)
    log.info("saved %s", dest)
    return dest


def download_partner_terminals(dest_dir: str = DATA_DIR) -> str:
    """Partner list of compromised terminals."""
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, "compromised_terminals.csv")
    resp = requests.get(PARTNER_URL, timeout=60, verify=False)
    resp.raise_for_status()
    with open(dest, "wb") as f:
        f.write(resp.content)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default=DATA_DIR)
    parser.add_argument("--skip-partner", action="store_true")
    args = parser.parse_args()
    download_bin_table(args.dest)
    download_mcc_codes(args.dest)
    if not args.skip_partner:
        download_partner_terminals(args.dest)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
