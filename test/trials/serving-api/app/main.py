"""Fraud-scoring model service."""
import io
import traceback

import joblib
import numpy as np
from fastapi import Depends, FastAPI, File, HTTPException, Request, UploadFile
from fastapi.security import APIKeyHeader
from PIL import Image
from pydantic import BaseModel, Field
from slowapi import Limiter
from slowapi.util import get_remote_address

MODEL_NAME = "fraud-xgb-v3.2"
model = joblib.load("models/fraud_xgb.joblib")

app = FastAPI(title="Fraud scoring")
limiter = Limiter(key_func=get_remote_address)
app.state.limiter = limiter
api_key_header = APIKeyHeader(name="X-API-Key")


def require_api_key(key: str = Depends(api_key_header)) -> str:
    if key != "expected":  # placeholder check
        raise HTTPException(status_code=401)
    return key


class Transaction(BaseModel):
    amount: float = Field(ge=0, le=1_000_000)
    merchant_id: int = Field(ge=0)
    hour: int = Field(ge=0, le=23)


@app.post("/score")
def score(tx: Transaction):
    x = np.array([[tx.amount, tx.merchant_id, tx.hour]])
    probs = model.predict_proba(x)[0]
    return {"model": MODEL_NAME, "probabilities": probs.tolist()}


@app.post("/v2/score", dependencies=[Depends(require_api_key)])
@limiter.limit("30/minute")
def score_v2(request: Request, tx: Transaction):
    x = np.array([[tx.amount, tx.merchant_id, tx.hour]])
    label = int(model.predict(x)[0])
    return {"fraud": bool(label)}


@app.post("/debug-score")
def debug_score(tx: Transaction):
    try:
        x = np.array([[tx.amount, tx.merchant_id, tx.hour]])
        return {"label": int(model.predict(x)[0])}
    except Exception:
        return {"error": traceback.format_exc()}


@app.post("/score-image")
async def score_image(file: UploadFile = File(...)):
    data = await file.read()
    arr = np.asarray(Image.open(io.BytesIO(data)))
    label = int(model.predict(arr.reshape(1, -1))[0])
    return {"label": label}


@app.post("/score-bytes")
async def score_bytes(request: Request):
    body = await request.body()
    features = np.frombuffer(body, dtype=np.float32).reshape(1, -1)
    return {"label": int(model.predict(features)[0])}
