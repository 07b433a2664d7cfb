"""Image tagging API. Deployed on the edge boxes; uvicorn is started from here."""
import io
import os

import torch
import uvicorn
from fastapi import Depends, FastAPI, File, HTTPException, Security, UploadFile
from fastapi.security import APIKeyHeader
from PIL import Image
from torchvision import transforms

BIND_ALL = "0.0.0.0"
LOOPBACK = "127.0.0.1"
WEIGHTS = "./weights/tagger_v5.pt"

api_key = APIKeyHeader(name="X-Key")
app = FastAPI(title="tagger")

model = torch.jit.load(WEIGHTS, map_location="cpu")  # ok
state = torch.load(WEIGHTS.replace(".pt", "_head.pt"), map_location="cpu")  # expect: AML.T0011.000
labels = torch.load("./weights/labels.pt", weights_only=True)  # ok
prep = transforms.Compose([transforms.Resize(224), transforms.CenterCrop(224), transforms.ToTensor()])


def auth(key: str = Security(api_key)):
    if key != os.environ.get("TAGGER_KEY"):
        raise HTTPException(401)


@app.post("/tag", dependencies=[Depends(auth)])
async def tag(file: UploadFile = File(...)):
    img = Image.open(io.BytesIO(await file.read())).convert("RGB")
    with torch.no_grad():
        idx = model(prep(img).unsqueeze(0)).argmax(-1).item()
    return {"tag": labels[idx]}


def serve_public():
    uvicorn.run(app, host=BIND_ALL, port=8080)  # expect: AML.T0049


def serve_local():
    uvicorn.run(app, host=LOOPBACK, port=8080)  # ok


def serve_ipv6():
    uvicorn.run("vision_api:app", host="::", port=8080, workers=2)  # expect: AML.T0049


def serve_tls():
    config = uvicorn.Config(  # expect: AML.T0049
        app,
        host="0.0.0.0",
        port=8443,
        ssl_keyfile="/etc/tagger/key.pem",
        ssl_certfile="/etc/tagger/cert.pem",
    )
    uvicorn.Server(config).run()


def serve_dev():
    uvicorn.run("vision_api:app", host="127.0.0.1", port=8080, reload=True)  # ok


def serve_from_env():
    uvicorn.run(app, host=os.environ.get("HOST", "127.0.0.1"), port=8080)  # maybe: host from the environment


if __name__ == "__main__":
    serve_local()
