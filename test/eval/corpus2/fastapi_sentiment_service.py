import os
import logging
from typing import List

import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from transformers import pipeline

log = logging.getLogger("sentiment")

MODEL_ID = "cardiffnlp/twitter-roberta-base-sentiment-latest"
MODEL_SHA = "4ba3d4463bd152c9e4abd892b50844f30c646708"
API_KEYS = set(os.environ.get("SENTIMENT_KEYS", "").split(","))

app = FastAPI(title="sentiment")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

clf = pipeline("sentiment-analysis", model=MODEL_ID, revision=MODEL_SHA, top_k=None)  # ok: pinned by constant
toxic = pipeline(  # expect: AML.T0010.003
    task="text-classification",
    model="unitary/toxic-bert",  # TODO pin this one too
    device=-1,
)
lang_id = pipeline("text-classification", model="papluca/xlm-roberta-base-language-detection", revision="main")  # expect: AML.T0010.003 branch is not a pin


def require_key(key: str = Security(api_key_header)) -> str:
    if key not in API_KEYS:
        raise HTTPException(status_code=401, detail="bad key")
    return key


class Texts(BaseModel):
    texts: List[str]


@app.post("/v1/sentiment")
def sentiment(body: Texts, _key: str = Depends(require_key)):  # ok: auth dependency
    preds = clf(body.texts)  # ok: route has auth
    return [max(p, key=lambda d: d["score"])["label"] for p in preds]


@app.post("/v1/toxicity")  # maybe: no auth dependency
def toxicity(body: Texts):  # maybe: no auth dependency
    scores = toxic(body.texts, top_k=None)  # maybe: model call without auth
    return {"scores": scores}  # maybe: full score vector returned


@app.get("/health")
def health():
    return {"ok": True, "bind": "0.0.0.0"}  # ok: string in a response, not a bind


def serve():
    host = os.environ.get("HOST", "127.0.0.1")
    uvicorn.run(app, host=host, port=8000)  # maybe: host from environment


if __name__ == "__main__":
    if os.environ.get("IN_DOCKER"):
        uvicorn.run("fastapi_sentiment_service:app", host="0.0.0.0", port=8080, workers=2)  # expect: AML.T0049
    else:
        uvicorn.run(app, host="127.0.0.1", port=8000)  # ok: loopback
