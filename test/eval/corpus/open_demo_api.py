"""Quick demo API for the sentiment model. No auth: it only runs on a laptop."""
from fastapi import FastAPI
from pydantic import BaseModel
from transformers import pipeline

SENTIMENT_DIR = "./models/sentiment-distilbert"

app = FastAPI()
clf = pipeline("sentiment-analysis", model=SENTIMENT_DIR)  # ok
zero_shot = pipeline("zero-shot-classification")  # maybe: default model for the task, resolved from the Hub at run time


class Item(BaseModel):
    text: str


@app.get("/health")
def health():
    return {"ok": True}


@app.post("/sentiment")  # maybe: model route without auth (info)
def sentiment(item: Item):  # maybe: model route without auth (info)
    return clf(item.text)[0]  # maybe: model route without auth (info)


@app.post("/topics")  # maybe: model route without auth (info)
def topics(item: Item):  # maybe: model route without auth (info)
    res = zero_shot(item.text, candidate_labels=["billing", "bug", "feature"])  # maybe: model route without auth (info)
    return {"scores": dict(zip(res["labels"], res["scores"]))}  # maybe: full score vector returned (info)
