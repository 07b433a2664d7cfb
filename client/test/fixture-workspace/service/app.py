"""Fixture for the workspace review: a model server open to every interface, loading a pickle."""
import pickle

from flask import Flask

app = Flask(__name__)


def load(path):
    with open(path, "rb") as f:
        return pickle.load(f)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080)
