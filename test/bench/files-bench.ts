/**
 * Benchmark of the non-Python analyzers (run on demand: `node --import tsx test/bench/files-bench.ts`).
 * Generates notebooks (40 code cells with shell lines), requirements files, pyproject.toml files,
 * Dockerfiles and compose files, analyses each kind many times and prints ms per file and MB/s per kind.
 */
import { Engine } from '../../server/src/engine/engine';

function notebook(cells: number): string {
  const out = [];
  for (let i = 0; i < cells; i++) {
    out.push({ cell_type: 'markdown', metadata: {}, source: [`## Step ${i}\n`, 'Some explanation of what happens next.\n'] });
    const source = [
      i % 5 === 0 ? '!pip install -q torch transformers==4.46.3\n' : '%matplotlib inline\n',
      'import numpy as np\n',
      'import torch\n',
      `x_${i} = np.arange(${i * 10}).reshape(-1, 2)\n`,
      `def step_${i}(batch):\n`,
      '    """Normalise and score a batch."""\n',
      '    mean = batch.mean(axis=0)\n',
      '    return (batch - mean) / (batch.std(axis=0) + 1e-6)\n',
      i % 7 === 0 ? `state_${i} = torch.load("ckpt_${i}.pt")\n` : `y_${i} = step_${i}(x_${i})\n`,
      i % 9 === 0 ? '!wget -q http://example.com/data.csv\n' : `print(y_${i} if "y_${i}" in dir() else None)`,
    ];
    out.push({ cell_type: 'code', execution_count: i, metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: ['[0.1, 0.2]\n'] }], source });
  }
  return JSON.stringify({ cells: out, metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

const requirements = Array.from({ length: 120 }, (_, i) => (i % 10 === 0 ? 'torch>=2.1' : i % 13 === 0 ? 'git+https://github.com/org/lib.git@main' : `package-${i}==1.${i}.0  # pinned`)).join('\n');
const pyproject = `[project]\nname = "x"\ndependencies = [\n${Array.from({ length: 80 }, (_, i) => `  "pkg-${i}>=1.${i}",`).join('\n')}\n  "transformers",\n]\n[tool.poetry.dependencies]\n${Array.from({ length: 40 }, (_, i) => `dep-${i} = "^${i}.0"`).join('\n')}\n`;
const dockerfile = `FROM pytorch/pytorch:latest AS build\n${Array.from({ length: 40 }, (_, i) => `RUN apt-get update && apt-get install -y pkg${i} \\\n    && pip install --no-cache-dir lib${i}==1.0 \\\n    && curl -fsSLo /tmp/f${i} https://example.com/f${i}`).join('\n')}\nENV FLASK_DEBUG=0\n`;
const compose = `services:\n${Array.from({ length: 30 }, (_, i) => `  svc${i}:\n    image: ${i % 3 === 0 ? 'pytorch/torchserve' : 'nginx:1.27'}\n    ports:\n      - "${8000 + i}:${i % 3 === 0 ? 8081 : 80}"\n    environment:\n      - MODE=prod\n      - FLASK_DEBUG=${i % 2}`).join('\n')}\n`;

async function main(): Promise<void> {
  const engine = await Engine.create();
  const cases: Array<[string, string, string]> = [
    ['notebook (40 code cells)', '/bench/explore.ipynb', notebook(40)],
    ['requirements.txt (120 lines)', '/bench/requirements.txt', requirements],
    ['pyproject.toml (120 deps)', '/bench/pyproject.toml', pyproject],
    ['Dockerfile (40 RUN)', '/bench/Dockerfile', dockerfile],
    ['docker-compose.yml (30 services)', '/bench/docker-compose.yml', compose],
  ];
  for (const [name, file, text] of cases) {
    for (let i = 0; i < 5; i++) engine.analyze(file, text); // warm up
    const runs = 200;
    const started = performance.now();
    let findings = 0;
    for (let i = 0; i < runs; i++) findings = engine.analyze(file, text).findings.length;
    const ms = (performance.now() - started) / runs;
    console.log(`${name.padEnd(34)} ${(text.length / 1024).toFixed(1).padStart(6)} KB  ${ms.toFixed(2).padStart(7)} ms/file  ${(text.length / 1e6 / (ms / 1000)).toFixed(1).padStart(6)} MB/s  ${findings} findings`);
  }
}

void main();
