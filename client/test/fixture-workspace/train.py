"""Fixture for the extension tests: one unsafe checkpoint load (torch-load-unsafe)."""
import torch


def load_checkpoint(path):
    model = torch.load(path)
    return model
