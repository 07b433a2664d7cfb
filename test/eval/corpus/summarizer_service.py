"""Summarization microservice (FastAPI) for the support-ticket pipeline."""
import os

import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, pipeline

MODEL_ID = "acme-nlp/ticket-summarizer-t5"
MODEL_SHA = "0b3f5d6a7c8e9f01a2b3c4d5e6f708192a3b4c5d"
LOCAL_MODEL = "/srv/models/ticket-summarizer"

bearer = HTTPBearer()

summarizer = pipeline("summarization", model=MODEL_ID, revision=MODEL_SHA)  # ok
classifier = pipeline(  # expect: AML.T0010.003
    task="text-classification",
    model="acme-nlp/ticket-priority",
)
ner = pipeline("ner", model=LOCAL_MODEL)  # ok
long_tok = AutoTokenizer.from_pretrained("acme-nlp/long-t5-custom", trust_remote_code=True)  # expect: AML.T0010.003, AML.T0011.000
long_model = AutoModelForSeq2SeqLM.from_pretrained(  # expect: AML.T0010.003, AML.T0011.000
    "acme-nlp/long-t5-custom",
    revision=MODEL_SHA,
    trust_remote_code=True,
)
safe_model = AutoModelForSeq2SeqLM.from_pretrained(MODEL_ID, revision=MODEL_SHA, trust_remote_code=False)  # ok

app = FastAPI()


class Ticket(BaseModel):
    text: str


def check_token(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> None:
    if creds.credentials != os.environ["SUMMARIZER_TOKEN"]:
        raise HTTPException(status_code=403)


@app.post("/summarize", dependencies=[Depends(check_token)])
def summarize(t: Ticket):
    return {"summary": summarizer(t.text[:4000], max_length=120)[0]["summary_text"]}


@app.post("/priority", dependencies=[Depends(check_token)])
def priority(t: Ticket):
    return {"label": classifier(t.text[:2000])[0]["label"]}


if __name__ == "__main__":
    uvicorn.run(  # expect: AML.T0049
        app,
        host="0.0.0.0",
        port=int(os.environ.get("PORT", "8000")),
    )
