"""Batch scoring with the Keras image models (TF 2.16 / Keras 3)."""
import os
import sys

import keras
import numpy as np
import tensorflow as tf
from tensorflow.keras.models import load_model

MODEL_DIR = os.environ.get("MODEL_DIR", "models")


def load_current():
    return keras.saving.load_model("models/classifier.keras")  # ok


def load_with_lambda_layers(path: str):
    # the augmentation block is a Lambda layer, Keras refuses it in safe mode
    return keras.models.load_model(path, safe_mode=False)  # expect: AML.T0011.000


def load_multiline(path: str):
    return tf.keras.models.load_model(  # expect: AML.T0011.000
        path,
        compile=False,
        safe_mode=False,
    )


def load_compat(path: str):
    return load_model(path, safe_mode=True)  # ok


def load_h5(path: str):
    return load_model("models/legacy_classifier.h5")  # maybe: legacy .h5 format (info)


def load_saved_model(export_dir: str):
    return tf.saved_model.load(export_dir)  # maybe: non-literal saved_model path (info)


def load_saved_model_local():
    return tf.saved_model.load("models/exported/1")  # ok


def load_custom_ops(path: str):
    return tf.load_op_library(path)  # expect: AML.T0011.000


def load_bundled_ops():
    return tf.load_op_library("./ops/build/libresize_ops.so")  # ok


def score(model, images: np.ndarray) -> np.ndarray:
    return model.predict(images, batch_size=64).argmax(-1)


if __name__ == "__main__":
    m = load_current()
    print(score(m, np.load(sys.argv[1])))  # ok
