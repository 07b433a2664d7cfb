"""Credit-risk scorer behind Starlette. Model trained in notebooks/risk_v7.ipynb."""
import os
import pathlib
import pickle as pkl

import joblib as jl
import uvicorn
from skops.io import load as skops_load, get_untrusted_types
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .auth import TokenBackend

HERE = pathlib.Path(__file__).parent
MODEL_PATH = HERE / "models" / "risk_v7.joblib"
ENCODER_PATH = HERE / "models" / "encoders.pkl"

pipe = jl.load(MODEL_PATH)  # expect: AML.T0011.000
with open(ENCODER_PATH, "rb") as fh:
    encoders = pkl.load(fh)  # expect: AML.T0011.000

unknown = get_untrusted_types(file=str(HERE / "models" / "calib.skops"))
calibrator = skops_load(str(HERE / "models" / "calib.skops"), trusted=unknown)  # maybe: skops, but every reported type is trusted


def _features(payload):
    row = [encoders[k].transform([payload[k]])[0] if k in encoders else payload[k] for k in pipe.feature_names_in_]
    return [row]


async def score(request: Request):
    payload = await request.json()
    p = pipe.predict_proba(_features(payload))[0]  # ok: app-wide auth middleware in this file
    return JSONResponse({"approve": bool(p[1] < 0.2), "proba": p.tolist()})  # maybe: full probability vector


async def healthz(request: Request):
    return JSONResponse({"status": "ok"})


def refresh(path=MODEL_PATH):
    global pipe
    pipe = jl.load(path)  # expect: AML.T0011.000
    jl.dump(pipe, HERE / "models" / "risk_v7.bak.joblib")  # ok: dump


app = Starlette(
    routes=[Route("/score", score, methods=["POST"]), Route("/healthz", healthz)],
    middleware=[Middleware(AuthenticationMiddleware, backend=TokenBackend())],
)

if __name__ == "__main__":
    config = uvicorn.Config(app, host="0.0.0.0", port=int(os.environ.get("PORT", 8000)))  # expect: AML.T0049
    uvicorn.Server(config).run()
