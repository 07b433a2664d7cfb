# TF/Keras training + export script for the defect classifier.
# Usage: python keras_train_export.py --data /mnt/defects --out export/
import argparse
import os
import sys

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.models import load_model

IMG = (224, 224)
CUSTOM_OPS_SO = "third_party/ops/libfused_resize.so"
BASE_WEIGHTS_URL = "http://models.example-cdn.com/keras/efficientnetb0_notop.h5"

fused_ops = tf.load_op_library(CUSTOM_OPS_SO)  # ok: literal path inside the repo


def load_plugin_ops(plugin_dir):
    path = os.path.join(plugin_dir, "libplugin_ops.so")
    return tf.load_op_library(path)  # expect: AML.T0011.000 non-literal native library


def build(num_classes):
    weights = keras.utils.get_file("effb0_notop.h5", BASE_WEIGHTS_URL)  # expect: AML.T0010.002 http download
    base = keras.applications.EfficientNetB0(include_top=False, weights=weights, input_shape=IMG + (3,))
    x = keras.layers.GlobalAveragePooling2D()(base.output)
    out = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(base.input, out)


def load_previous(args):
    if args.prev.endswith(".h5"):
        return keras.models.load_model(args.prev, compile=False)  # maybe: legacy h5
    if args.prev.endswith(".keras"):
        return load_model(args.prev)  # maybe: non-literal path, a .keras file per the branch
    return tf.saved_model.load(args.prev)  # maybe: non-literal SavedModel path


def load_teacher():
    # the teacher has a Lambda layer, so safe mode refuses it
    return tf.keras.models.load_model(  # expect: AML.T0011.000
        "teachers/defects_teacher.keras",
        safe_mode=False,
        compile=False,
    )


def load_student():
    return keras.saving.load_model("students/defects_student.keras", safe_mode=True)  # ok


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", default="export")
    ap.add_argument("--prev")
    ap.add_argument("--plugins")
    args = ap.parse_args(argv)

    if args.plugins:
        load_plugin_ops(args.plugins)

    train = keras.utils.image_dataset_from_directory(os.path.join(args.data, "train"), image_size=IMG)
    val = keras.utils.image_dataset_from_directory(os.path.join(args.data, "val"), image_size=IMG)
    model = load_previous(args) if args.prev else build(len(train.class_names))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train, validation_data=val, epochs=10)

    class_weights = np.load(os.path.join(args.data, "class_weights.npy"))  # ok
    print("class weights", class_weights)

    os.makedirs(args.out, exist_ok=True)
    model.save(os.path.join(args.out, "defects.keras"))  # ok: saving
    tf.saved_model.save(model, os.path.join(args.out, "saved"))  # ok: saving
    reloaded = tf.saved_model.load("export/saved")  # ok: literal local path
    return reloaded


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 1)
