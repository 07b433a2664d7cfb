"""Knowledge distillation: teacher (ResNet-152) -> student (ResNet-18).

Author: data-science platform team.
"""
from __future__ import annotations

import logging
from pathlib import Path

import torch
import torch.serialization
from torch import load as tl
from torch import nn, save
from torchvision import models

logger = logging.getLogger(__name__)

TEACHER_PATH = Path("/mnt/shared/teachers/resnet152_imagenet.pth")
STUDENT_OUT = Path("artifacts/student")


def load_teacher(path: Path = TEACHER_PATH) -> nn.Module:
    """Load the teacher module; the file contains a pickled nn.Module."""
    teacher = tl(path, map_location="cpu")  # expect: AML.T0011.000
    teacher.eval()
    return teacher


def load_teacher_weights_only(path: Path) -> dict:
    """Only the state dict; safe against crafted files."""
    return tl(path, weights_only=True)  # ok


def load_legacy(path: str):
    """Old checkpoints saved with torch 1.4 and the legacy serializer."""
    with open(path, "rb") as fh:
        return torch.serialization.load(fh, weights_only=False)  # expect: AML.T0011.000


def load_calibration(path: str):
    """Temperature and class priors, saved next to the teacher."""
    return torch.serialization.load(path)  # expect: AML.T0011.000


def distill(teacher: nn.Module, student: nn.Module, loader, epochs: int = 3, temperature: float = 4.0) -> nn.Module:
    kl = nn.KLDivLoss(reduction="batchmean")
    opt = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(epochs):
        for x, _ in loader:
            with torch.no_grad():
                soft = torch.softmax(teacher(x) / temperature, dim=-1)
            loss = kl(torch.log_softmax(student(x) / temperature, dim=-1), soft) * temperature**2
            opt.zero_grad()
            loss.backward()
            opt.step()
        logger.info("epoch %d done, loss %.4f", epoch, loss.item())
    return student


def main(loader) -> None:
    teacher = load_teacher()
    student = models.resnet18(num_classes=1000)
    student = distill(teacher, student, loader)
    STUDENT_OUT.mkdir(parents=True, exist_ok=True)
    save(student.state_dict(), STUDENT_OUT / "student.pt")  # ok
    torch.save(student, STUDENT_OUT / "student_full.pt")  # ok
