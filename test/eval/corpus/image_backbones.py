"""Backbone zoo for the defect-detection experiments."""
import timm
import torch
from diffusers import DiffusionPipeline, StableDiffusionPipeline

SD_REPO = "stabilityai/stable-diffusion-2-1"
SD_COMMIT = "5cae40e6a2745ae2b01ad92ae5043f95f23644d6"


def convnext_from_hub():
    return timm.create_model("hf-hub:timm/convnext_tiny.fb_in22k", pretrained=True)  # expect: AML.T0010.003


def resnet_builtin():
    return timm.create_model("resnet50", pretrained=False, num_classes=4)  # ok


def resnet_pretrained():
    return timm.create_model("resnet50.a1_in1k", pretrained=True)  # maybe: timm default weights come from the Hub without an explicit repo


def vision_from_torchhub():
    return torch.hub.load("pytorch/vision", "resnet18", weights="IMAGENET1K_V1")  # expect: AML.T0010.003


def vision_from_torchhub_tagged():
    return torch.hub.load("pytorch/vision:v0.17.0", "resnet18", weights="IMAGENET1K_V1")  # ok


def dino_trusted():
    return torch.hub.load(  # expect: AML.T0010.003, AML.T0011.000
        "facebookresearch/dinov2",
        "dinov2_vits14",
        trust_repo=True,
    )


def local_hub_repo():
    return torch.hub.load("./third_party/yolov5", "custom", source="local", path="weights/best.pt")  # ok


def synth_pipeline_fp16():
    # fp16 branch is what the README says to use
    return StableDiffusionPipeline.from_pretrained(  # expect: AML.T0010.003
        SD_REPO,
        revision="fp16",
        torch_dtype=torch.float16,
    )


def synth_pipeline_pinned():
    return StableDiffusionPipeline.from_pretrained(SD_REPO, revision=SD_COMMIT, torch_dtype=torch.float16)  # ok


def synth_generic():
    return DiffusionPipeline.from_pretrained("runwayml/stable-diffusion-inpainting", variant="fp16")  # expect: AML.T0010.003
