# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
# ---

# %% [markdown]
# # Linear probes on frozen backbones
# Compare DINOv2 / CLIP / ConvNeXt features on our 40-class dataset.
# (Old version used `pickle.load` for the feature cache -- replaced by npz.)

# %%
import os, glob, json
import numpy as np
import torch as T
import timm
import open_clip
from huggingface_hub import hf_hub_download
from diffusers import DiffusionPipeline, StableDiffusionXLPipeline

DEVICE = "cuda" if T.cuda.is_available() else "cpu"
FEATS = "feats/"

# %%
dino = T.hub.load("facebookresearch/dinov2", "dinov2_vitb14")  # expect: AML.T0010.003 no tag
dino_tagged = T.hub.load("facebookresearch/dinov2:v1.0", "dinov2_vits14")  # ok: tagged
local_hub = T.hub.load("./third_party/dinov2", "dinov2_vitl14", source="local")  # ok: local source
yolo = T.hub.load("ultralytics/yolov5", "yolov5s", trust_repo=True)  # expect: AML.T0010.003, AML.T0011.000

# %%
convnext = timm.create_model("hf-hub:timm/convnext_base.fb_in22k_ft_in1k", pretrained=True)  # expect: AML.T0010.003
resnet = timm.create_model("resnet50", pretrained=True)  # maybe: timm name without hf-hub
clip_model, _, preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained="laion2b_s34b_b79k")  # maybe: open_clip hub weights, not listed in the catalog

# %%
cfg_path = hf_hub_download(repo_id="openai/clip-vit-base-patch32", filename="config.json")  # expect: AML.T0010.003
probe_path = hf_hub_download(  # ok: pinned commit
    "our-lab/linear-probes",
    "probe_dinov2_b14.safetensors",
    revision="7c1f0e3b9a2d4c6e8f0a1b3c5d7e9f1a3b5c7d9e",
)
with open(cfg_path) as f:
    print(json.load(f)["projection_dim"])  # ok: json

# %%
feats = {}
for p in sorted(glob.glob(os.path.join(FEATS, "*.npz"))):
    feats[os.path.basename(p)] = np.load(p)  # ok: npz, no pickle
old = np.load("feats/legacy_feats.npy", allow_pickle=True).item()  # expect: AML.T0011.000

# %%
head = T.load("probes/dino_head.pt", map_location=DEVICE)  # expect: AML.T0011.000
head_safe = T.load("probes/clip_head.pt", map_location=DEVICE, weights_only=True)  # ok

# %% [markdown]
# ## Synthetic augmentation with SDXL (fp16 variant)

# %%
sdxl = StableDiffusionXLPipeline.from_pretrained(  # expect: AML.T0010.003 variant is not a revision
    "stabilityai/stable-diffusion-xl-base-1.0",
    torch_dtype=T.float16,
    variant="fp16",
    use_safetensors=True,
).to(DEVICE)
refiner = DiffusionPipeline.from_pretrained("stabilityai/stable-diffusion-xl-refiner-1.0", revision="fp16")  # expect: AML.T0010.003 branch name

# %%
imgs = sdxl(prompt=["a scratched metal surface"] * 4).images
T.save({"n": len(imgs)}, "synthetic/meta.pt")  # ok: save
