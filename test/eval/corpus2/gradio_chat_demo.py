# Gradio demo for the internal chat model. `python gradio_chat_demo.py --share` for the tunnel.
import argparse
import os

import gradio as gr
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer
from threading import Thread

CHAT_MODEL = "Qwen/Qwen-7B-Chat"
PHI_REV = "e5a1c9b3d7f20468ace13579bdf02468ace13579"

tokenizer = AutoTokenizer.from_pretrained(CHAT_MODEL, trust_remote_code=True)  # expect: AML.T0010.003, AML.T0011.000
model = AutoModelForCausalLM.from_pretrained(  # expect: AML.T0010.003, AML.T0011.000
    CHAT_MODEL,
    device_map="auto",
    torch_dtype=torch.float16,
    trust_remote_code=True,  # Qwen ships its own modelling code
).eval()

# small fallback model, pinned, no remote code
phi = AutoModelForCausalLM.from_pretrained("microsoft/phi-2", revision=PHI_REV, trust_remote_code=False)  # ok


def chat(message, history):
    msgs = [{"role": "user", "content": m} for m, _ in history] + [{"role": "user", "content": message}]
    ids = tokenizer.apply_chat_template(msgs, return_tensors="pt").to(model.device)
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True)
    Thread(target=model.generate, kwargs=dict(input_ids=ids, streamer=streamer, max_new_tokens=512)).start()
    out = ""
    for piece in streamer:
        out += piece
        yield out


demo = gr.ChatInterface(chat, title="internal chat")

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--share", action="store_true")
    ap.add_argument("--public", action="store_true")
    args = ap.parse_args()

    if args.share:
        demo.queue().launch(share=True, auth=("team", os.environ["DEMO_PW"]))  # expect: AML.T0049 tunnel even with auth
    elif args.public:
        demo.launch(  # expect: AML.T0049
            server_name="0.0.0.0",
            server_port=7860,
            share=False,
        )
    else:
        demo.launch(server_name="127.0.0.1", share=False)  # ok
    share_flag = os.getenv("GRADIO_SHARE") == "1"
    gr.Interface(lambda x: x, "text", "text").launch(share=share_flag)  # maybe: share from environment
