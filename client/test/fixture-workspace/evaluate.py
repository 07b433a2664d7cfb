"""Fixture for the extension tests: the settings test turns torch-load-unsafe off and on again."""
import torch


def evaluate(checkpoint):
    state = torch.load(checkpoint)
    return state
