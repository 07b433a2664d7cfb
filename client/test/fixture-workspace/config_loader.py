"""Fixture for the extension tests: yaml.load without a Loader has a safe fix (Fix All in File)."""
import yaml


def read_config(stream):
    return yaml.load(stream)
