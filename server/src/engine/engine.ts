/**
 * The analysis engine: rules loaded once, then `analyze(file, text)` for any number of files.
 * Used as is by the CLI, the language server and the tests; it never imports LSP types.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tree } from 'web-tree-sitter';
import type { PythonSyntax } from './python/document-tree';
import type { ArtifactReference } from './artifacts/references';
import { createAnalyzers } from './analyzers';
import { fileKindOf } from './analyzers/file-kinds';
import { NotebookAnalyzer, toCells, type CellFinding, type CellProblem } from './analyzers/notebook';
import { isDefinitionLocal, PythonAnalyzer } from './analyzers/python';
import type { FileAnalyzer, FileKind, TreeAnalyzerInput } from './analyzers/types';
import { ChunkedText, wholeText, type TextSource } from './chunked-text';
import { analysisLimits, sizeProblem } from './limits';
import { withFileGuard } from './guard';
import { compileRule, type CompiledRule, type RawFinding } from './python/run-rules';
import { loadRules, type LoadedRule } from './rules/loader';
import { triggered, triggerWordsOf } from './rules/triggers';
import { WordScanner, type WordTracker } from './rules/word-scanner';
import { isSuppressed, parseSuppressions, SUPPRESSION_WORDS } from './suppressions';
import { SEVERITY_RANK, type Finding, type InputProblem, type Severity } from './types';

/** Open documents whose trigger words and text filters are kept up across versions (each keeps its last text). */
const MAX_TRACKED_FILES = 32;

export type RuleSetting = 'on' | 'off' | Severity;

export interface AnalysisSettings {
  /** Per-rule on/off or severity override. */
  rules?: Readonly<Record<string, RuleSetting>>;
  minimumSeverity?: Severity;
  /** Bandit's `# nosec` counts as a suppression (default true). */
  honorNosec?: boolean;
  /** Where relative paths in code are resolved from besides the file's own folder. */
  projectRoot?: string;
  /** Limits on one file's analysis (see limits.ts): size, time budget, per-rule budget. */
  maxFileSizeKb?: number;
  timeBudgetMs?: number;
  ruleBudgetMs?: number;
  /** Rules found over their budget earlier in this scan (shared across files; see guard.ts). */
  slowRules?: Set<string>;
  /**
   * false: no 'syntax error' info problem for a file that does not parse cleanly. Locating the
   * first error walks every node before it (tens of ms in a large file); the language server
   * shows no info problems, so it turns this off.
   */
  syntaxErrorProblems?: boolean;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Problems with the file itself (binary, syntax errors), not findings. */
  problems: InputProblem[];
  /** Whether the file was parsed (false when no rule's trigger occurs in it). */
  parsed: boolean;
  /** Load calls whose path resolved to a model file on disk, with its verdict (clean ones too); for hovers. */
  artifacts?: ArtifactReference[];
  /**
   * Files the result depends on besides the source (the model files its load calls name, and the
   * configs above them), each with its state when read (`fileStamp`): a cached result is only
   * valid while they are unchanged.
   */
  fileStamps?: Array<[string, string]>;
  /** Set when limits cut the analysis short: a cache of per-file results must not keep it. */
  uncacheable?: 'cut-short';
}

/** `Engine.analyzeCells`: every position is in the coordinates of the finding's (problem's) cell. */
export interface CellsAnalysisResult {
  findings: CellFinding[];
  problems: CellProblem[];
  parsed: boolean;
}

/** The kind of a file by its name ('python', 'notebook', …); undefined when no analyzer could take it. */
export const languageOf = fileKindOf;

/** The built-in rule directory: `rules/` at the package root, found from the code's location. */
export function builtinRulesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'rules');
    if (fs.existsSync(path.join(candidate, 'python'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the built-in rules/ directory above ${__dirname}`);
}

export interface EngineOptions {
  /** Rule directories to load instead of the built-in one (tests). */
  ruleDirs?: string[];
  /** Directories loaded after the built-in rules (users' own packs). */
  extraRuleDirs?: string[];
  /** Run every rule on every file, whatever its trigger words (tests prove triggers never hide a finding; slow). */
  ignoreTriggers?: boolean;
}

/** Observers of one analysis (the result cache records which paths the rules asked about). */
export interface AnalysisHooks {
  onPathChecked?: (absolutePath: string, exists: boolean) => void;
}

/** What the engine keeps for a document analysed version after version (Engine.editedDocuments). */
interface EditedDocument {
  words: WordTracker;
  filters: Map<CompiledRule, (text: TextSource) => boolean>;
}

export class Engine {
  private readonly analyzers = new Map<FileKind, FileAnalyzer>();
  private readonly rulesByKind = new Map<FileKind, CompiledRule[]>();
  private readonly existsCache = new Map<string, boolean>();
  private readonly scanners = new Map<FileKind, WordScanner>();
  /**
   * Per document analysed version after version (an editor's open files and notebooks: analyzeTree,
   * analyzeCells, analyzeVersion): its trigger words and its rules' text filters, kept up across
   * its versions. The most recently analysed last.
   */
  private readonly editedDocuments = new Map<string, EditedDocument>();
  /** Raw findings of analyses on a document's tree and what was reported for them (see finished()). */
  private readonly finishedFindings = new WeakMap<RawFinding, Finding>();

  private constructor(
    readonly rules: readonly LoadedRule[],
    /** Problems met while loading rules; the valid rules still run. */
    readonly problems: readonly InputProblem[],
    analyzers: readonly FileAnalyzer[],
    ignoreTriggers = false,
  ) {
    const compiled = rules.map(compileRule).map((rule) => (ignoreTriggers ? { ...rule, triggers: [], requiredTriggers: undefined, textFilter: undefined, parseFilter: undefined } : rule));
    for (const analyzer of analyzers) {
      this.analyzers.set(analyzer.kind, analyzer);
      this.rulesByKind.set(analyzer.kind, compiled.filter((c) => c.rule.languages.some((language) => analyzer.ruleLanguages.includes(language))));
    }
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const directories = [...(options.ruleDirs ?? [builtinRulesDir()]), ...(options.extraRuleDirs ?? [])];
    const { rules, problems } = loadRules(directories);
    return new Engine(rules, problems, await createAnalyzers(), options.ignoreTriggers);
  }

  /** An engine over rules another engine loaded (worker threads get them as plain data). */
  static async fromRules(rules: readonly LoadedRule[], problems: readonly InputProblem[] = []): Promise<Engine> {
    return new Engine(rules, problems, await createAnalyzers());
  }

  rule(id: string): LoadedRule | undefined {
    return this.rules.find((rule) => rule.id === id);
  }

  /** Drops what is kept for a document analysed version after version (its trigger words, its last findings per definition). */
  forget(file: string): void {
    this.editedDocuments.delete(file);
    for (const analyzer of this.analyzers.values()) if (analyzer instanceof PythonAnalyzer || analyzer instanceof NotebookAnalyzer) analyzer.forgetIncremental(file);
  }

  /** Whether some analyzer and some rule cover this file. */
  supports(file: string): boolean {
    const kind = fileKindOf(file);
    return kind !== undefined && (this.rulesByKind.get(kind)?.length ?? 0) > 0;
  }

  analyze(file: string, text: string, settings: AnalysisSettings = {}, hooks?: AnalysisHooks): AnalysisResult {
    return this.run(file, text, settings, { hooks });
  }

  /**
   * `analyze` on a version of a document being edited (the language server's open documents other
   * than Python's, which go through analyzeTree): the rules' trigger words are tracked from the
   * last version, as for a tree, instead of looked for in the whole text again (1.4 ms a keystroke
   * on a 5,000-line TypeScript file).
   */
  analyzeVersion(file: string, text: string, settings: AnalysisSettings = {}): AnalysisResult {
    return this.run(file, text, settings, { version: true });
  }

  /**
   * `analyze` on a Python tree the caller parsed from `text` (the language server keeps one per
   * open document and reparses it incrementally, see python/document-tree.ts). The tree stays the
   * caller's: it is neither edited nor deleted here. The text may be a ChunkedText (the language
   * server's documents): it is read in slices, not copied whole at each keystroke.
   */
  analyzeTree(file: string, text: TextSource, tree: Tree | PythonSyntax, settings: AnalysisSettings = {}): AnalysisResult {
    return this.run(file, text, settings, { tree });
  }

  /**
   * A notebook given as the texts of its Python code cells, in order (the language server's
   * notebook sync): analysed as the .ipynb would be — imports and constants carry from cell to
   * cell, IPython lines are commands — and reported per cell. `finding.cell.index` (and a
   * problem's `cell`) is an index into `cells`; ranges, statement lines, fix edits and flow steps
   * are in that cell's text. Suppression comments count in any cell (`ignore-file` for all cells).
   * Called again for the same file (an open notebook being edited), it starts from the last call:
   * the Python is reparsed where it changed and the definitions no change touched keep their
   * findings (analyzers/notebook.ts).
   */
  analyzeCells(file: string, cells: readonly string[], settings: AnalysisSettings = {}): CellsAnalysisResult {
    if (cells.length === 0) return { findings: [], problems: [], parsed: false };
    // The cells joined by "\n", as their pieces: a keystroke in one cell does not copy the whole notebook.
    const result = this.run(file, ChunkedText.ofPieces(cells.flatMap((cell, index) => (index === 0 ? [cell] : ['\n', cell]))), settings, { cells });
    return { ...toCells(cells, result.findings, result.problems), parsed: result.parsed };
  }

  /**
   * `from`: what the caller has besides the text. A document's tree, a notebook's cells, or
   * `version` (a version of a document being edited) come from the language server's open
   * documents, whose trigger words are tracked across versions.
   */
  private run(file: string, text: TextSource, settings: AnalysisSettings, from: { tree?: Tree | PythonSyntax; cells?: readonly string[]; hooks?: AnalysisHooks; version?: boolean }): AnalysisResult {
    const { tree, cells, hooks, version } = from;
    const kind = cells ? 'notebook' : fileKindOf(file);
    const analyzer = kind ? this.analyzers.get(kind) : undefined;
    if (!kind || !analyzer) return { findings: [], problems: [], parsed: false };
    const tooLarge = sizeProblem(file, text, settings.maxFileSizeKb);
    if (tooLarge) return { findings: [], problems: [tooLarge], parsed: false };
    if (looksBinary(text)) {
      return { findings: [], problems: [{ file, line: 0, character: 0, message: 'binary content; not analysed', severity: 'info' }], parsed: false };
    }
    // A document's tree, a notebook's cells or a version: the language server's open documents, analysed again at each change.
    const tracked = tree !== undefined || cells !== undefined || version === true;
    const edited = tracked ? this.editedDocument(file, kind) : undefined;
    const present = edited ? edited.words.present(text) : this.triggerScanner(kind).present(wholeText(text));
    const occurs = (word: string): boolean => present.has(word);
    // A document's tree and an open notebook's cells are kept parsed, and analysed again where they changed.
    const kept = tree !== undefined || cells !== undefined;
    const candidates = this.activeRules(kind, settings).filter(
      (compiled) => triggered(compiled.triggers, occurs) && (!compiled.requiredTriggers || triggered(compiled.requiredTriggers, occurs)),
    );
    const filtered = new Map<CompiledRule, boolean>();
    const passesFilters = (compiled: CompiledRule): boolean => {
      let passes = filtered.get(compiled);
      if (passes === undefined) {
        passes =
          (!compiled.textFilter || this.passesTextFilter(compiled, text, edited)) &&
          // A parse filter only spares parsing.
          (kept || !compiled.parseFilter || compiled.parseFilter(wholeText(text), occurs));
        filtered.set(compiled, passes);
      }
      return passes;
    };
    // On a kept tree whose rules left are all definition-local, only the definitions an edit touched
    // are analysed again (analyzers/python.ts). Their text filters, a pass over the whole text at
    // every keystroke, would then cost more than they spare, and are skipped: a filter gives no
    // finding its rule would not (triggers.test.ts). When the whole file is analysed, they spare work.
    const incremental = kept && candidates.every((compiled) => isDefinitionLocal(compiled) || !passesFilters(compiled));
    const rules = candidates.filter((compiled) => (incremental && isDefinitionLocal(compiled)) || passesFilters(compiled));
    if (rules.length === 0) return { findings: [], problems: [], parsed: false };

    // The scan looks for the suppression markers too (SUPPRESSION_WORDS), sparing the analyzers a pass over the text.
    const suppressible = SUPPRESSION_WORDS.some(occurs);
    const input: TreeAnalyzerInput = { file, text, rules, projectRoot: settings.projectRoot, mayHoldSuppressions: suppressible, pathExists: (p) => this.pathExists(p, hooks), syntaxErrorProblems: settings.syntaxErrorProblems };
    // A tree's and a notebook's cells' analyses read the text in slices; the others take it whole (a string already, but for those).
    const analyse = () =>
      cells && analyzer instanceof NotebookAnalyzer ? analyzer.analyzeCells(input, cells)
        : tree && analyzer instanceof PythonAnalyzer ? analyzer.analyzeTree(input, tree) : analyzer.analyze({ ...input, text: wholeText(text) });
    // Nothing escapes: a rule that throws or runs long is reported by the guard, anything else here.
    let guarded: ReturnType<typeof withFileGuard<ReturnType<FileAnalyzer['analyze']>>>;
    try {
      analyzer.prepare?.(); // loading ts-morph takes seconds once; not the first file's budget
      guarded = withFileGuard(file, analysisLimits(settings), analyse);
    } catch (error) {
      // Recursive-descent parsers (TypeScript's) run out of stack on thousands of nested brackets.
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        return { findings: [], problems: [{ file, line: 0, character: 0, message: 'nested too deeply to analyse (the parser ran out of stack); not analysed', severity: 'warning' }], parsed: false };
      }
      return { findings: [], problems: [{ file, line: 0, character: 0, message: `internal error while analysing this file: ${(error as Error)?.message ?? String(error)}`, severity: 'warning' }], parsed: false };
    }
    // A run cut short (time up, a rule skipped or failed) must not be reused for the next edit.
    if (guarded.problems.length > 0 && (analyzer instanceof PythonAnalyzer || analyzer instanceof NotebookAnalyzer)) analyzer.forgetIncremental(file);
    if (!guarded.result) return { findings: [], problems: guarded.problems, parsed: false };
    const output = guarded.result;
    // Comments are only read when there is something they could suppress.
    const suppressions = output.findings.length > 0 && suppressible ? parseSuppressions(output.comments(), settings.honorNosec ?? true) : undefined;
    const findings: Finding[] = [];
    for (const raw of output.findings) {
      const finding = this.applySettings(raw, settings);
      if (finding && !(suppressions && isSuppressed(finding, suppressions))) findings.push(tree ? this.finished(finding, file) : { ...finding, file });
    }
    findings.sort(compareFindings);
    const problems = guarded.problems.length > 0 ? [...output.problems, ...guarded.problems] : output.problems;
    const fileStamps = output.artifactDependencies?.map((dependency): [string, string] => [dependency.path, dependency.stamp]);
    return {
      findings,
      problems,
      parsed: output.parsed,
      ...(output.artifacts?.length ? { artifacts: output.artifacts } : {}),
      ...(fileStamps?.length ? { fileStamps } : {}),
      ...(guarded.problems.length > 0 ? { uncacheable: 'cut-short' as const } : {}),
    };
  }

  /** One pass over a file finds every trigger word of its kind's rules. */
  private triggerScanner(kind: FileKind): WordScanner {
    let scanner = this.scanners.get(kind);
    if (!scanner) {
      const triggers = (this.rulesByKind.get(kind) ?? []).flatMap((compiled) => triggerWordsOf([...compiled.triggers, ...(compiled.requiredTriggers ?? [])]));
      scanner = new WordScanner([...new Set([...triggers, ...SUPPRESSION_WORDS])]);
      this.scanners.set(kind, scanner);
    }
    return scanner;
  }

  /** What is kept for a document being edited (its trigger words: only the text around each change is rescanned). */
  private editedDocument(file: string, kind: FileKind): EditedDocument {
    let edited = this.editedDocuments.get(file);
    if (edited) this.editedDocuments.delete(file);
    else edited = { words: this.triggerScanner(kind).tracker(), filters: new Map() };
    this.editedDocuments.set(file, edited);
    if (this.editedDocuments.size > MAX_TRACKED_FILES) this.editedDocuments.delete(this.editedDocuments.keys().next().value!);
    return edited;
  }

  /**
   * A rule's text filter on `text`. For a version of a document being edited, a filter kept up
   * across its versions where the rule has one: it reads the lines around each change instead of
   * the whole text (checks/triggers.ts).
   */
  private passesTextFilter(compiled: CompiledRule, text: TextSource, edited: EditedDocument | undefined): boolean {
    if (!edited || !compiled.trackedTextFilter) return compiled.textFilter!(wholeText(text));
    let filter = edited.filters.get(compiled);
    if (!filter) {
      filter = compiled.trackedTextFilter();
      edited.filters.set(compiled, filter);
    }
    return filter(text);
  }

  private activeRules(kind: FileKind, settings: AnalysisSettings): CompiledRule[] {
    const all = this.rulesByKind.get(kind) ?? [];
    const rules = settings.rules;
    if (!rules) return all;
    let someOff = false;
    for (const id in rules) if (rules[id] === 'off') someOff = true;
    return someOff ? all.filter((compiled) => rules[compiled.rule.id] !== 'off') : all;
  }

  /**
   * The finding reported for a raw finding of `file`. On a document's tree most raw findings are
   * the very objects of the last analysis (the Python analyzer keeps unchanged definitions'
   * findings), so the copy made then is handed out again rather than copied anew at each
   * keystroke. Findings are never mutated once reported.
   */
  private finished(raw: RawFinding, file: string): Finding {
    const done = this.finishedFindings.get(raw);
    if (done?.file === file) return done;
    const finding = { ...raw, file };
    this.finishedFindings.set(raw, finding);
    return finding;
  }

  private applySettings(finding: RawFinding, settings: AnalysisSettings): RawFinding | undefined {
    const override = settings.rules?.[finding.ruleId];
    const severity = override && override !== 'on' && override !== 'off' ? override : finding.severity;
    if (SEVERITY_RANK[severity] < SEVERITY_RANK[settings.minimumSeverity ?? 'info']) return undefined;
    return severity === finding.severity ? finding : { ...finding, severity };
  }

  private pathExists(absolutePath: string, hooks: AnalysisHooks | undefined): boolean {
    let exists = this.existsCache.get(absolutePath);
    if (exists === undefined) {
      exists = fs.existsSync(absolutePath);
      this.existsCache.set(absolutePath, exists);
    }
    hooks?.onPathChecked?.(absolutePath, exists);
    return exists;
  }
}

export function compareFindings(a: Pick<Finding, 'range' | 'ruleId'>, b: Pick<Finding, 'range' | 'ruleId'>): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId);
}

function looksBinary(text: TextSource): boolean {
  return text.slice(0, 8192).includes('\u0000');
}
