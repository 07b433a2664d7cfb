"""Experiment config handling for the speech team's training scripts."""
import logging
import sys

import yaml
from yaml import SafeLoader
from yaml import load as yload

log = logging.getLogger("config")


def read_config(path):
    with open(path) as f:
        return yaml.safe_load(f)  # ok


def read_config_fast(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)  # ok


def read_config_explicit(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.SafeLoader)  # ok


def read_config_short(path):
    with open(path) as f:
        return yload(f, Loader=SafeLoader)  # ok


def read_all(path):
    with open(path) as f:
        return list(yaml.safe_load_all(f))  # ok


def read_old_config(path):
    # old configs have python/tuple tags
    with open(path) as f:
        return yaml.load(f, Loader=yaml.FullLoader)  # expect: AML.T0011.000


def read_hparams(path):
    with open(path) as f:
        return yaml.load(f)  # expect: AML.T0011.000


def read_sweep(path):
    with open(path) as f:
        return yaml.load(  # expect: AML.T0011.000
            f,
            Loader=yaml.Loader,
        )


def read_objects(path):
    with open(path) as f:
        return yaml.unsafe_load(f)  # expect: AML.T0011.000


def read_objects_explicit(path):
    with open(path) as f:
        return yload(f, Loader=yaml.UnsafeLoader)  # expect: AML.T0011.000


def read_objects_c(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.CLoader)  # expect: AML.T0011.000


def read_with(path, loader_cls):
    with open(path) as f:
        return yaml.load(f, Loader=loader_cls)  # maybe: non-literal Loader


def write_config(cfg, path):
    with open(path, "w") as f:
        yaml.dump(cfg, f, default_flow_style=False)  # ok


if __name__ == "__main__":
    log.info("never use yaml.load without Loader=SafeLoader")  # ok
    print(read_config(sys.argv[1]))
