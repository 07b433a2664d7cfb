/**
 * The keystroke path warmed up while the server is idle. V8 optimises a function only once it
 * has run often, and the code a keystroke runs (a definition parsed alone, findings reused,
 * diagnostics made and encoded) is only run by keystrokes. Over stdio on a 5,000-line file, the
 * first 100 edits after the server started had a p95 of 13–16 ms, edits after 400 others 5.5–6.2
 * ms, while a compiler thread beside them took ~2 s of CPU in all. So after it starts, when no
 * message has come for a while and no scan runs, the server types into a sample module of its
 * own, a keystroke at a time, as an editor would, and throws the results away; once a notebook is
 * open, into the same sample as a notebook too. A message from the editor pauses it until the
 * server is quiet again.
 *
 * The sample is ours (no user code) and its path is relative: the checks that look on disk take
 * it for an unsaved document and read nothing (test/server/warm-up.test.ts). Its state is dropped
 * at the end. Off with initializationOptions.warmUp = false.
 */
import { performance } from 'node:perf_hooks';
import type { AtlasCatalog } from '../engine/atlas/catalog';
import type { AnalysisSettings, Engine } from '../engine/engine';
import type { Finding } from '../engine/types';
import type { Parser } from 'web-tree-sitter';
import type { ClientFeatures } from './capabilities';
import { editorBudgetMs } from './analysis';
import { findingToDiagnostic } from './diagnostics';
import { DocumentStore, type LspDocument } from './documents';
import type { Logger } from './logger';
import { lspJsonEncoder } from './message-encoder';

/**
 * The sample's name: a relative path, which the checks that look on disk take for a file that is
 * not there (as an unsaved document's), without looking.
 */
export const WARM_UP_FILE = 'atlas-lens-warm-up/warm_up_sample.py';
const WARM_UP_URI = `atlas-lens-warm-up:/${WARM_UP_FILE}`;
/** The same sample as a notebook, a block a cell: warmed once a notebook is open (NotebookWarmUpSession). */
export const WARM_UP_NOTEBOOK = 'atlas-lens-warm-up/warm_up_sample.ipynb';
const WARM_UP_NOTEBOOK_URI = `atlas-lens-warm-up:/${WARM_UP_NOTEBOOK}`;
/** Quiet time before a step runs: the editor's messages come first. */
export const IDLE_MS = 400;
/** Keystrokes typed (each analysed); in process, the JIT had settled after ~300 edits of a 1,000-line file. */
export const WARM_UP_STEPS = 400;
/** Keystrokes typed into the notebook's cells, once a notebook is open. */
export const NOTEBOOK_WARM_UP_STEPS = 150;
/** Main-thread time after which the warm-up stops anyway (a slow machine pays no more than this). */
const MAX_BUSY_MS = 3000;
/** Blocks of the sample (60 lines each). */
const SAMPLE_BLOCKS = 20;

export interface WarmUpContext {
  engine: Engine;
  catalog: AtlasCatalog;
  /** The analysis settings of a file outside any project (the user's rule settings). */
  analysis: AnalysisSettings;
  features: Pick<ClientFeatures, 'codeDescription' | 'relatedInformation'>;
}

export interface WarmUpOptions {
  parser: Parser;
  /** The engine and catalog the open documents use (the default project's); undefined when analysis is off (atlasLens.enable). */
  context: () => Promise<WarmUpContext | undefined>;
  log: Logger;
  /** Other work the server is doing (a workspace scan): the warm-up waits for it too. */
  busy?: () => boolean;
  /** The sample typed into: the module (the default) or the notebook. */
  session?: (parser: Parser, context: WarmUpContext) => WarmUpStepper;
  /** What the log calls it ("in a module"). */
  what?: string;
  /** Steps to run (tests run a few). */
  steps?: number;
  idleMs?: number;
  /** Called when the warm-up ends, with the steps run (tests). */
  done?: (steps: number) => void;
}

/** A sample typed into a keystroke at a time. */
export interface WarmUpStepper {
  readonly steps: number;
  step(): void;
  dispose(): void;
}

export class WarmUp {
  private lastActivity = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private session: WarmUpStepper | undefined;
  private busyMs = 0;
  private finishedSteps = 0;
  private readonly steps: number;
  private readonly idleMs: number;

  constructor(private readonly options: WarmUpOptions) {
    this.steps = options.steps ?? WARM_UP_STEPS;
    this.idleMs = options.idleMs ?? IDLE_MS;
  }

  /** Keystrokes analysed so far. */
  get stepsRun(): number {
    return this.session?.steps ?? this.finishedSteps;
  }

  /** Whether it has ended (its steps run, or stopped). */
  get finished(): boolean {
    return this.stopped;
  }

  /** Starts waiting for an idle moment. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(this.idleMs);
  }

  /** A message came from the editor: the next step waits for quiet again. */
  activity(): void {
    this.lastActivity = performance.now();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const steps = this.session?.steps ?? 0;
    this.finishedSteps = steps;
    this.session?.dispose();
    this.session = undefined;
    this.options.log.debug(`warm-up: ${steps} keystroke(s) ${this.options.what ?? 'in a module'} analysed in ${this.busyMs.toFixed(0)} ms`);
    this.options.done?.(steps);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const quietFor = performance.now() - this.lastActivity;
    if (quietFor < this.idleMs) return this.schedule(this.idleMs - quietFor);
    if (this.options.busy?.()) return this.schedule(this.idleMs);
    try {
      if (!this.session) {
        const context = await this.options.context();
        if (this.stopped) return;
        if (!context) return this.stop(); // nothing will be analysed: nothing to warm
        this.session = (this.options.session ?? ((parser, given) => new WarmUpSession(parser, given)))(this.options.parser, context);
      }
      const started = performance.now();
      this.session.step();
      this.busyMs += performance.now() - started;
    } catch (error) {
      this.options.log.warn(`warm-up stopped: ${(error as Error)?.stack ?? String(error)}`);
      return this.stop();
    }
    if (this.session.steps >= this.steps || this.busyMs > MAX_BUSY_MS) return this.stop();
    // setTimeout 0, not setImmediate: a message read meanwhile is handled (and noted) before the next step.
    this.schedule(0);
  }
}

/** The sample module and the keystrokes typed into it. */
export class WarmUpSession implements WarmUpStepper {
  private readonly documents: DocumentStore;
  /** Findings of the last step (tests). */
  lastFindings: readonly Finding[] = [];
  private readonly keystrokes: Generator<Keystroke>;
  steps = 0;

  constructor(parser: Parser, private readonly context: WarmUpContext) {
    this.documents = new DocumentStore(parser);
    const text = warmUpSample(SAMPLE_BLOCKS);
    this.documents.open(WARM_UP_URI, 'python', 1, text);
    this.keystrokes = typing(text);
  }

  step(): void {
    const document = this.documents.get(WARM_UP_URI)!;
    typeKeystroke(document, this.keystrokes.next().value as Keystroke);
    const tree = document.tree!.syntax(document.source);
    const result = tree ? this.context.engine.analyzeTree(WARM_UP_FILE, document.source, tree, editSettings(this.context.analysis)) : undefined;
    this.lastFindings = result?.findings ?? [];
    encodeAsPublished(this.context, document, this.lastFindings);
    this.steps++;
  }

  /** How the sample's tree was parsed so far: one definition alone, incrementally as a whole, from scratch (tests). */
  get parses(): { definition: number; incremental: number; full: number } {
    const stats = this.documents.get(WARM_UP_URI)!.tree!.stats;
    return { definition: stats.definition, incremental: stats.incremental, full: stats.full };
  }

  dispose(): void {
    this.documents.close(WARM_UP_URI);
    this.context.engine.forget(WARM_UP_FILE);
  }
}

/**
 * The sample as a notebook, a block a cell, and the keystrokes typed into its cells, the notebook
 * analysed after each as the server does (lsp/notebooks.ts: every code cell's text). Only once a
 * notebook is open: warming both paths made typing in a .py file slower (shared code polymorphic).
 */
export class NotebookWarmUpSession implements WarmUpStepper {
  /** The cells, as the server keeps an open notebook's. */
  private readonly cells: DocumentStore;
  private readonly cellUris: string[];
  private readonly keystrokes: Generator<{ cell: number; keystroke: Keystroke }>;
  /** Findings of the last step in the cell typed into (tests). */
  lastFindings: readonly Finding[] = [];
  steps = 0;

  constructor(parser: Parser, private readonly context: WarmUpContext) {
    const blocks = sampleBlocks(SAMPLE_BLOCKS);
    this.cells = new DocumentStore(parser);
    this.cellUris = blocks.map((block, index) => this.cells.open(`${WARM_UP_NOTEBOOK_URI}#cell${index}`, 'python', 1, block).uri);
    this.keystrokes = cellTyping(blocks);
  }

  step(): void {
    const { cell, keystroke } = this.keystrokes.next().value as { cell: number; keystroke: Keystroke };
    const document = this.cells.get(this.cellUris[cell]!)!;
    typeKeystroke(document, keystroke);
    const result = this.context.engine.analyzeCells(WARM_UP_NOTEBOOK, this.cellUris.map((uri) => this.cells.get(uri)!.text), editSettings(this.context.analysis));
    this.lastFindings = result.findings.filter((finding) => finding.cell.index === cell);
    encodeAsPublished(this.context, document, this.lastFindings);
    this.steps++;
  }

  dispose(): void {
    for (const uri of this.cellUris) this.cells.close(uri);
    this.context.engine.forget(WARM_UP_NOTEBOOK);
  }
}

/** A keystroke sent to a document as an editor's didChange would be, as its next version. */
function typeKeystroke(document: LspDocument, keystroke: Keystroke): void {
  const range = { start: document.positionAt(keystroke.at), end: document.positionAt(keystroke.at + keystroke.removed) };
  document.update([{ range, text: keystroke.inserted }], document.version + 1);
}

/** The findings made diagnostics and encoded as the server would publish them for the document, and dropped. */
function encodeAsPublished(context: WarmUpContext, document: LspDocument, findings: readonly Finding[]): void {
  const diagnostics = findings.map((finding) => findingToDiagnostic(finding, context.catalog, context.features));
  void lspJsonEncoder.encode({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: document.uri, version: document.version, diagnostics } } as never, { charset: 'utf-8' });
}

/**
 * The settings of an analysis after an edit, made as the server makes them (lsp/analysis.ts), a
 * new object each time, but with no project root, so that nothing on disk is looked up: '' (no
 * root, as undefined is) keeps them the same shape as a document's, whose root is a string. One
 * object made once had another shape than the server's (V8 then threw away the engine's code
 * optimised for it at the user's first keystrokes: "wrong map").
 */
function editSettings(analysis: AnalysisSettings): AnalysisSettings {
  return { ...analysis, projectRoot: '', timeBudgetMs: editorBudgetMs(analysis.timeBudgetMs, true), syntaxErrorProblems: false };
}

/** Typed at the end of a function, a character a keystroke, then deleted: a round is its length plus one keystroke. */
export const TYPED_LINE = '\n        state = torch.load(checkpoint, map_location="cpu", weights_only=True)';

interface Keystroke {
  at: number;
  removed: number;
  inserted: string;
}

/** TYPED_LINE typed and deleted at the end of one function after another (`scores.argmax` ends each block's last one). */
function* typing(text: string): Generator<Keystroke> {
  const places: number[] = [];
  for (let at = text.indexOf('scores.argmax(dim=-1)'); at >= 0; at = text.indexOf('scores.argmax(dim=-1)', at + 1)) places.push(text.indexOf('\n', at));
  for (let round = 0; ; round++) yield* lineTyped(places[(round * 7) % places.length]!);
}

/** The same in one cell after another (the first cell holds the imports). */
function* cellTyping(cells: readonly string[]): Generator<{ cell: number; keystroke: Keystroke }> {
  for (let round = 0; ; round++) {
    const cell = 1 + ((round * 7) % (cells.length - 1));
    const text = cells[cell]!;
    for (const keystroke of lineTyped(text.indexOf('\n', text.indexOf('scores.argmax(dim=-1)')))) yield { cell, keystroke };
  }
}

/** TYPED_LINE typed at `start` a character at a time (brackets and quotes closed by the editor), then deleted. */
function* lineTyped(start: number): Generator<Keystroke> {
  const line = TYPED_LINE;
  // Closing characters the editor put ahead of the cursor, innermost first: typed over, not inserted.
  const closers: string[] = [];
  for (let typed = 0; typed < line.length; typed++) {
    const character = line[typed]!;
    const at = start + typed;
    if (closers[0] === character) {
      closers.shift();
      yield { at, removed: 1, inserted: character };
    } else if (character === '(' || character === '"') {
      closers.unshift(character === '(' ? ')' : '"');
      yield { at, removed: 0, inserted: character + closers[0] };
    } else {
      yield { at, removed: 0, inserted: character };
    }
  }
  // Taken back at once (the line deleted), as backspacing over a bracket would leave the module broken for most keystrokes.
  yield { at: start, removed: line.length, inserted: '' };
}

/** A module of ML code, most functions with a finding, some with none (the files it names are never looked up: see WARM_UP_FILE). */
export function warmUpSample(blocks: number): string {
  return sampleBlocks(blocks).join('');
}

/** warmUpSample's imports, then its blocks. */
function sampleBlocks(blocks: number): string[] {
  const parts = [
    'import os\nimport pickle\nimport subprocess\n\nimport numpy as np\nimport torch\nimport yaml\nfrom transformers import AutoModel, AutoTokenizer\n\n',
  ];
  for (let i = 0; i < blocks; i++) {
    parts.push(`
class Checkpoints${i}:
    def __init__(self, root):
        self.root = root

    def load(self, name):
        path = os.path.join(self.root, name)
        return torch.load(path)

    def load_config(self, name):
        with open(os.path.join(self.root, name)) as handle:
            return yaml.load(handle)


def fetch_model_${i}(model_id):
    tokenizer = AutoTokenizer.from_pretrained("org/tokenizer-${i}", revision="${'0123456789abcdef'.repeat(2)}01234567")
    model = AutoModel.from_pretrained(model_id, trust_remote_code=True)
    with open("settings-${i}.yaml") as handle:
        settings = yaml.safe_load(handle)
    return tokenizer, model, settings


def restore_${i}(blob):
    return pickle.loads(blob)


def run_plan_${i}(client, task):
    reply = client.chat.completions.create(model=os.environ["MODEL"], messages=[{"role": "user", "content": task}])
    plan = reply.choices[0].message.content
    return subprocess.run(plan, shell=True)


def train_${i}(data_dir, checkpoint, epochs=${3 + (i % 4)}):
    \"\"\"Trains on the shards of block ${i} and saves a checkpoint.\"\"\"
    # resume where the last run stopped
    state = torch.load(checkpoint, weights_only=True)
    total = 0
    for epoch in range(epochs):
        shard = np.load(os.path.join(data_dir, f"shard-{epoch}.npy"), allow_pickle=${i % 2 === 0 ? 'True' : 'False'})
        total += len(shard) * ${i}
    return state, total


def normalise_${i}(values, scale=${i + 1}.0):
    total = sum(values)
    if total == 0:
        return [0.0 for _ in values]
    return [value * scale / total for value in values]


def accuracy_${i}(predictions, labels):
    correct = sum(1 for predicted, label in zip(predictions, labels) if predicted == label)
    return correct / max(len(labels), 1)


def evaluate_${i}(model, batch):
    with torch.no_grad():
        scores = model(batch)
    return scores.argmax(dim=-1)

`);
  }
  return parts;
}
