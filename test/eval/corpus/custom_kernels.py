"""Registers the fused attention kernels and the ONNX custom ops used in prod."""
import ctypes
import os
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

KERNEL_DIR = os.environ.get("KERNEL_DIR", "")


def register_torch_ops(lib_path: str) -> None:
    torch.ops.load_library(lib_path)  # expect: AML.T0011.000


def register_torch_classes() -> None:
    torch.classes.load_library(os.path.join(KERNEL_DIR, "libtokenizer_classes.so"))  # expect: AML.T0011.000


def register_bundled_ops() -> None:
    torch.ops.load_library("build/lib.linux-x86_64/fused_attn.so")  # ok


def load_numpy_helper(name: str):
    return np.ctypeslib.load_library(name, KERNEL_DIR)  # expect: AML.T0011.000


def make_session(model_path: str, ops_lib: str) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.register_custom_ops_library(ops_lib)  # expect: AML.T0011.000
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model_path, sess_options=so, providers=["CPUExecutionProvider"])


def make_session_bundled(model_path: str) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.register_custom_ops_library("./third_party/ort_ops/libortcustomops.so")  # ok
    return ort.InferenceSession(model_path, sess_options=so)


def cpu_features() -> int:
    libc = ctypes.CDLL("libc.so.6")
    return libc.sysconf(84)


if __name__ == "__main__":
    register_torch_ops(sys.argv[1])
    print(Path(KERNEL_DIR).resolve(), cpu_features())
