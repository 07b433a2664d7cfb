"""Publish the fine-tuned text model after training."""
from transformers import AutoModelForSequenceClassification, AutoTokenizer

OUT_DIR = "./outputs/fraud-text-classifier"

model = AutoModelForSequenceClassification.from_pretrained(OUT_DIR)
tokenizer = AutoTokenizer.from_pretrained(OUT_DIR)

model.push_to_hub("acme-ml/fraud-text-classifier")
tokenizer.push_to_hub("acme-ml/fraud-text-classifier", private=True)
