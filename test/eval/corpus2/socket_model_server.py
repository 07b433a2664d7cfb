"""Minimal TCP model server used by the robot cell controllers.

Protocol: 4-byte length + payload. Old controllers still send pickles over
multiprocessing.connection; new ones send msgpack.
"""
import logging
import os
import socket
import struct
from multiprocessing.connection import Client, Listener

import msgpack
import msgpack_numpy as m  # maybe: the catalog names the module, a tool may report the import
import numpy as np
import onnxruntime as ort

log = logging.getLogger(__name__)

MODEL = "models/grasp_v4.onnx"
AUTHKEY = os.environ.get("CELL_AUTHKEY", "").encode()

sess = ort.InferenceSession(MODEL, providers=["CPUExecutionProvider"])


def infer(arr: np.ndarray) -> np.ndarray:
    return sess.run(None, {"input": arr.astype(np.float32)})[0]


def serve_tcp(port=9100):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))  # expect: AML.T0049
    srv.listen(8)
    while True:
        conn, addr = srv.accept()
        with conn:
            n = struct.unpack("!I", conn.recv(4))[0]  # ok: socket recv of raw bytes
            payload = msgpack.unpackb(conn.recv(n), raw=False)  # ok: plain msgpack
            out = infer(np.asarray(payload["x"]))
            conn.sendall(msgpack.packb({"y": out.argmax().item()}))


def serve_tcp6(port=9106):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.bind(("::", port))  # expect: AML.T0049
    srv.listen(8)
    return srv


def serve_loopback(port=9101):
    srv = socket.socket()
    srv.bind(("127.0.0.1", port))  # ok: loopback
    srv.listen(1)
    return srv


def serve_legacy(port=9200):
    # old controllers: multiprocessing.connection, pickles on the wire
    with Listener(("10.20.0.5", port), authkey=AUTHKEY) as listener:
        with listener.accept() as conn:
            msg = conn.recv()  # expect: AML.T0011.000 Connection.recv unpickles
            conn.send({"y": infer(np.asarray(msg["x"])).tolist()})  # ok: send


def decode_numpy_frame(frame: bytes):
    return msgpack.unpackb(frame, object_hook=m.decode)  # expect: AML.T0011.000 msgpack_numpy


def ping_legacy(host="10.20.0.5", port=9200):
    with Client((host, port), authkey=AUTHKEY) as c:
        c.send({"x": [[0.0] * 16]})
        return c.recv()  # expect: AML.T0011.000 reply is unpickled too


def is_wildcard(addr: str) -> bool:
    return addr in {"0.0.0.0", "::", ""}  # ok: comparison


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    bind_all = os.environ.get("BIND_ALL") == "1"
    if bind_all:
        serve_tcp()
    else:
        serve_loopback()
