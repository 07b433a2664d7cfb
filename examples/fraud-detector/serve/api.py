"""FastAPI variant of the scoring service, used behind the internal API gateway."""
from __future__ import annotations

import logging
import os
import secrets

import torch
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from model import ModelRegistry

log = logging.getLogger("api")

MODEL_VERSION = os.environ.get("FRAUD_MODEL_VERSION", "v12")
api_key_header = APIKeyHeader(name="X-API-Key")

app = FastAPI(title="fraud-scoring", docs_url=None, openapi_url=None)
registry = ModelRegistry("./checkpoints/registry")
model = registry.load(MODEL_VERSION, in_features=48, hidden_sizes=[128, 64])


class Transaction(BaseModel):
    features: list[float]


def require_api_key(key: str = Security(api_key_header)) -> None:
    expected = os.environ.get("FRAUD_API_KEY", "")
    if not expected or not secrets.compare_digest(key, expected):
        raise HTTPException(status_code=401, detail="invalid API key")


@app.post("/v1/score", dependencies=[Depends(require_api_key)])
def score(txn: Transaction) -> dict:
    if len(txn.features) != 48:
        raise HTTPException(status_code=422, detail="expected 48 features")
    with torch.no_grad():
        prob = torch.sigmoid(model(torch.tensor([txn.features]))).item()
    return {"fraud": prob >= 0.5}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
