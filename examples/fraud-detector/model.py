"""Model definitions: a small MLP over engineered transaction features."""
from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn

log = logging.getLogger(__name__)


class FraudMLP(nn.Module):
    """Feed-forward classifier producing a fraud logit per transaction."""

    def __init__(self, in_features: int, hidden_sizes: list[int], dropout: float = 0.2):
        super().__init__()
        layers: list[nn.Module] = []
        prev = in_features
        for size in hidden_sizes:
            layers += [nn.Linear(prev, size), nn.ReLU(), nn.Dropout(dropout)]
            prev = size
        layers.append(nn.Linear(prev, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


class ModelRegistry:
    """Tiny local registry: one directory per model version."""

    def __init__(self, root: str | Path = "./checkpoints/registry"):
        self.root = Path(root)

    def path_for(self, version: str) -> Path:
        return self.root / version / "model.pt"

    def load(self, version: str, in_features: int, hidden_sizes: list[int]) -> FraudMLP:
        """Build a model and fill it with the registered weights."""
        model = FraudMLP(in_features, hidden_sizes)
        state = torch.load(self.path_for(version), weights_only=True)
        model.load_state_dict(state)
        model.eval()
        log.info("loaded model version %s", version)
        return model

    def from_pretrained(self, version: str) -> Path:
        """Return the directory of a registered version (mirrors the HF naming)."""
        return self.root / version


def build_model(cfg: dict, in_features: int) -> FraudMLP:
    """Instantiate the model described by the ``model`` section of the config."""
    return FraudMLP(
        in_features=in_features,
        hidden_sizes=list(cfg.get("hidden_sizes", [128, 64])),
        dropout=float(cfg.get("dropout", 0.2)),
    )
