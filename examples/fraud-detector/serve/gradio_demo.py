"""Interactive demo for the risk analysts: type a transaction, see the score."""
from __future__ import annotations

import argparse
import logging

import gradio as gr
import pandas as pd

from utils.checkpoints import load_pipeline, load_teacher

log = logging.getLogger("demo")


def build_demo(checkpoint: str, preprocessor_path: str) -> gr.Blocks:
    model = load_teacher(checkpoint)
    model.eval()
    preprocessor = load_pipeline(preprocessor_path)

    def predict(amount: float, merchant_category: str, country: str, channel: str, hour: int) -> str:
        import torch

        frame = pd.DataFrame(
            [{
                "amount": amount,
                "merchant_category": merchant_category,
                "country": country,
                "channel": channel,
                "hour": hour,
                "account_age_days": 365,
                "txn_count_24h": 1,
            }]
        )
        x = torch.tensor(preprocessor.transform(frame), dtype=torch.float32)
        with torch.no_grad():
            prob = torch.sigmoid(model(x)).item()
        return f"fraud probability: {prob:.1%}"

    with gr.Blocks(title="Fraud detector demo") as demo:
        gr.Markdown("# Fraud detector\nScores a single card transaction.")
        with gr.Row():
            amount = gr.Number(label="Amount", value=42.0)
            mcc = gr.Textbox(label="Merchant category", value="5411")
            country = gr.Textbox(label="Country", value="FR")
            channel = gr.Dropdown(["pos", "ecom", "atm"], label="Channel", value="ecom")
            hour = gr.Slider(0, 23, step=1, label="Hour", value=14)
        out = gr.Textbox(label="Result")
        gr.Button("Score").click(predict, [amount, mcc, country, channel, hour], out)
    return demo


def main() -> None:
    parser = argparse.ArgumentParser(description="Gradio demo")
    parser.add_argument("--checkpoint", default="./checkpoints/teacher.pt")
    parser.add_argument("--preprocessor", default="./checkpoints/preprocessor.joblib")
    parser.add_argument("--public", action="store_true", help="create a public share link")
    args = parser.parse_args()

    demo = build_demo(args.checkpoint, args.preprocessor)
    if args.public:
        demo.launch(share=True)
    else:
        demo.launch(server_name="127.0.0.1", share=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
