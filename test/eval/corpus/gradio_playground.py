"""Gradio playground for the captioning model, shared with the design team."""
import os

import gradio as gr
import torch
from transformers import BlipForConditionalGeneration, BlipProcessor

CKPT = "./checkpoints/blip-captions-ft"
SHARE = os.environ.get("GRADIO_SHARE") == "1"

processor = BlipProcessor.from_pretrained(CKPT)  # ok
model = BlipForConditionalGeneration.from_pretrained(CKPT, torch_dtype=torch.float16)  # ok


def caption(image):
    inputs = processor(images=image, return_tensors="pt")
    out = model.generate(**inputs, max_new_tokens=30)
    return processor.decode(out[0], skip_special_tokens=True)


demo = gr.Interface(fn=caption, inputs=gr.Image(type="pil"), outputs="text", title="Captioner")

if os.environ.get("MODE") == "public":
    demo.launch(share=True)  # expect: AML.T0049
elif os.environ.get("MODE") == "lan":
    demo.queue(max_size=16).launch(  # expect: AML.T0049
        server_name="0.0.0.0",
        server_port=7860,
    )
elif os.environ.get("MODE") == "env":
    demo.launch(share=SHARE)  # maybe: non-literal share
else:
    demo.launch(server_name="127.0.0.1", share=False)  # ok


def lan_demo():
    demo.launch(server_name="0.0.0.0", share=False)  # expect: AML.T0049


def second_demo():
    with gr.Blocks() as blocks:
        gr.Markdown("Set share=True only for a quick demo, never for real data.")  # ok
        img = gr.Image(type="pil")
        txt = gr.Textbox()
        img.change(caption, img, txt)
    blocks.launch(share=True, auth=("design", os.environ["DEMO_PASSWORD"]))  # expect: AML.T0049
