/**
 * Generates a deterministic corpus of realistic ML Python files for the scan benchmark:
 * training scripts, data modules, serving apps and utilities assembled from varied building
 * blocks, with risky calls sprinkled in at a realistic rate (most files have none).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

const IMPORT_BLOCKS = [
  'import os\nimport sys\nimport json\nimport logging\nfrom pathlib import Path\n',
  'import numpy as np\nimport pandas as pd\n',
  'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch.utils.data import DataLoader, Dataset\n',
  'from transformers import AutoModel, AutoTokenizer, Trainer, TrainingArguments\n',
  'from sklearn.model_selection import train_test_split\nfrom sklearn.metrics import accuracy_score, f1_score\n',
  'import yaml\nimport argparse\n',
  'from dataclasses import dataclass, field\nfrom typing import Any, Dict, List, Optional\n',
];

const BODY_BLOCKS: Array<(n: number) => string> = [
  (n) => `

class Block${n}(nn.Module):
    """A residual block with layer norm and dropout."""

    def __init__(self, dim: int, hidden: int = 4 * 256, dropout: float = 0.1):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        residual = x
        x = self.norm(x)
        x = F.gelu(self.fc1(x))
        x = self.dropout(self.fc2(x))
        return x + residual
`,
  (n) => `

def train_epoch_${n}(model, loader, optimizer, device="cuda", clip=1.0):
    model.train()
    total, count = 0.0, 0
    for step, (inputs, labels) in enumerate(loader):
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad(set_to_none=True)
        logits = model(inputs)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        total += loss.item() * inputs.size(0)
        count += inputs.size(0)
        if step % 100 == 0:
            logging.info("step %d loss %.4f", step, total / max(count, 1))
    return total / max(count, 1)
`,
  (n) => `

@dataclass
class Config${n}:
    model_name: str = "bert-base-uncased"
    learning_rate: float = 3e-5
    batch_size: int = 32
    epochs: int = 3
    warmup_ratio: float = 0.06
    output_dir: str = "./runs/exp${n}"
    labels: List[str] = field(default_factory=lambda: ["neg", "pos"])


def parse_args_${n}(argv=None):
    parser = argparse.ArgumentParser(description="experiment ${n}")
    parser.add_argument("--config", default="configs/base.yaml")
    parser.add_argument("--seed", type=int, default=${n})
    parser.add_argument("--fp16", action="store_true")
    return parser.parse_args(argv)
`,
  (n) => `

def load_frame_${n}(path: str) -> "pd.DataFrame":
    frame = pd.read_csv(path)
    frame = frame.dropna(subset=["text", "label"])
    frame["text"] = frame["text"].str.strip().str.lower()
    frame = frame[frame["text"].str.len() > 3]
    train, test = train_test_split(frame, test_size=0.2, random_state=${n})
    return train.reset_index(drop=True), test.reset_index(drop=True)


def evaluate_${n}(y_true, y_pred) -> Dict[str, float]:
    return {"accuracy": accuracy_score(y_true, y_pred), "f1": f1_score(y_true, y_pred, average="macro")}
`,
  (n) => `

class TextDataset${n}(Dataset):
    def __init__(self, texts, labels, tokenizer, max_length=256):
        self.encodings = tokenizer(texts, truncation=True, padding="max_length", max_length=max_length)
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        item = {key: torch.tensor(values[index]) for key, values in self.encodings.items()}
        item["labels"] = torch.tensor(self.labels[index])
        return item
`,
  (n) => `

def save_checkpoint_${n}(model, optimizer, epoch, directory="checkpoints"):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"epoch_{epoch:03d}.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, path)
    with open(os.path.join(directory, "meta.json"), "w") as handle:
        json.dump({"epoch": epoch, "path": path}, handle, indent=2)
    return path
`,
];

const RISKY_BLOCKS: Array<(n: number) => string> = [
  (n) => `\n\ndef restore_${n}(path):\n    return torch.load(path, map_location="cpu")\n`,
  (n) => `\n\ndef read_config_${n}(path):\n    with open(path) as handle:\n        return yaml.load(handle, Loader=yaml.FullLoader)\n`,
  (n) => `\n\ndef backbone_${n}():\n    return AutoModel.from_pretrained("acme/encoder-${n}", trust_remote_code=True)\n`,
  (n) => `\n\ndef safe_restore_${n}(path):\n    return torch.load(path, map_location="cpu", weights_only=True)\n`,
];

export function generateCorpus(directory: string, fileCount: number, seed = 42): { files: number; bytes: number } {
  const random = prng(seed);
  fs.mkdirSync(directory, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < fileCount; i++) {
    const parts: string[] = [`"""Module ${i} of the generated benchmark corpus."""\n`];
    for (const block of IMPORT_BLOCKS) if (random() < 0.55) parts.push(block);
    const blocks = 3 + Math.floor(random() * 12);
    for (let b = 0; b < blocks; b++) parts.push(BODY_BLOCKS[Math.floor(random() * BODY_BLOCKS.length)]!(i * 100 + b));
    if (random() < 0.15) parts.push(RISKY_BLOCKS[Math.floor(random() * RISKY_BLOCKS.length)]!(i));
    const text = parts.join('');
    const sub = path.join(directory, `pkg${i % 40}`);
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `module_${i}.py`), text);
    bytes += Buffer.byteLength(text);
  }
  return { files: fileCount, bytes };
}
