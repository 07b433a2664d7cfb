/**
 * The analysis engine: rules loaded once, then `analyze(file, text)` for any number of files.
 * Used as is by the CLI, the language server and the tests; it never imports LSP types.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Parser, Tree } from 'web-tree-sitter';
import { runCheck } from './checks';
import { PythonFacts } from './python/facts';
import { createPythonParser } from './python/parser';
import { compileRule, runCallRule, type CompiledRule, type RawFinding } from './python/run-rules';
import type { ConditionContext } from './python/conditions';
import { loadRules, type LoadedRule } from './rules/loader';
import { isCallMatch } from './rules/schema';
import { isSuppressed, parseSuppressions } from './suppressions';
import { SEVERITY_RANK, type Finding, type InputProblem, type Severity } from './types';

export type RuleSetting = 'on' | 'off' | Severity;

export interface AnalysisSettings {
  /** Per-rule on/off or severity override. */
  rules?: Readonly<Record<string, RuleSetting>>;
  minimumSeverity?: Severity;
  /** Bandit's `# nosec` counts as a suppression (default true). */
  honorNosec?: boolean;
  /** Where relative paths in code are resolved from besides the file's own folder. */
  projectRoot?: string;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Problems with the file itself (binary, syntax errors), not findings. */
  problems: InputProblem[];
  /** Whether the file was parsed (false when no rule's trigger occurs in it). */
  parsed: boolean;
}

export type Language = 'python';

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

export function languageOf(file: string): Language | undefined {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.py' || extension === '.pyw' || extension === '.pyi') return 'python';
  return undefined;
}

export interface EngineOptions {
  /** Rule directories to load instead of the built-in one (tests). */
  ruleDirs?: string[];
  /** Directories loaded after the built-in rules (users' own packs). */
  extraRuleDirs?: string[];
}

export class Engine {
  private readonly byLanguage: Map<Language, CompiledRule[]>;
  private readonly existsCache = new Map<string, boolean>();

  private constructor(
    readonly rules: readonly LoadedRule[],
    /** Problems met while loading rules; the valid rules still run. */
    readonly problems: readonly InputProblem[],
    private readonly pythonParser: Parser,
  ) {
    this.byLanguage = new Map();
    for (const rule of rules) {
      for (const language of rule.languages) {
        if (language !== 'python') continue; // other languages arrive with their analysers
        const list = this.byLanguage.get(language) ?? [];
        list.push(compileRule(rule));
        this.byLanguage.set(language, list);
      }
    }
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const directories = [...(options.ruleDirs ?? [builtinRulesDir()]), ...(options.extraRuleDirs ?? [])];
    const { rules, problems } = loadRules(directories);
    return new Engine(rules, problems, await createPythonParser());
  }

  rule(id: string): LoadedRule | undefined {
    return this.rules.find((rule) => rule.id === id);
  }

  supports(file: string): boolean {
    return languageOf(file) !== undefined;
  }

  analyze(file: string, text: string, settings: AnalysisSettings = {}): AnalysisResult {
    return this.run(file, text, settings, undefined);
  }

  /**
   * `analyze` on a tree the caller parsed from `text` (the language server keeps one per open
   * document and reparses it incrementally, see python/document-tree.ts). The tree stays the
   * caller's: it is neither edited nor deleted here.
   */
  analyzeTree(file: string, text: string, tree: Tree, settings: AnalysisSettings = {}): AnalysisResult {
    return this.run(file, text, settings, tree);
  }

  private run(file: string, text: string, settings: AnalysisSettings, given: Tree | undefined): AnalysisResult {
    const language = languageOf(file);
    if (!language) return { findings: [], problems: [], parsed: false };
    if (looksBinary(text)) {
      return { findings: [], problems: [{ file, line: 0, character: 0, message: 'binary content; not analysed', severity: 'info' }], parsed: false };
    }
    const active = this.activeRules(language, settings).filter((compiled) => compiled.triggers.length === 0 || compiled.triggers.some((word) => text.includes(word)));
    if (active.length === 0) return { findings: [], problems: [], parsed: false };

    const tree = given ?? this.pythonParser.parse(text);
    if (!tree) return { findings: [], problems: [{ file, message: 'the parser gave up on this file', severity: 'warning' }], parsed: false };
    try {
      const facts = new PythonFacts(tree);
      const context: ConditionContext = { facts, file, projectRoot: settings.projectRoot, pathExists: (p) => this.pathExists(p) };
      const raw: RawFinding[] = [];
      for (const compiled of active) {
        const rule = compiled.rule;
        raw.push(...(isCallMatch(rule.match) ? runCallRule(compiled, facts.calls, context, text) : runCheck(rule, rule.match, facts, context, text)));
      }
      const problems: InputProblem[] = [];
      if (tree.rootNode.hasError) {
        const error = firstError(tree.rootNode);
        problems.push({ file, line: error?.row ?? 0, character: error?.column ?? 0, message: 'syntax error; the parts that parse were analysed', severity: 'info' });
      }
      // Comments are only read when there is something they could suppress.
      const suppressions = raw.length > 0 ? parseSuppressions(facts.comments, settings.honorNosec ?? true) : undefined;
      const findings = raw
        .map((finding) => this.applySettings(finding, settings))
        .filter((finding): finding is RawFinding => finding !== undefined && !(suppressions && isSuppressed(finding, suppressions)))
        .map((finding) => ({ ...finding, file }))
        .sort(compareFindings);
      return { findings, problems, parsed: true };
    } finally {
      if (!given) tree.delete();
    }
  }

  private activeRules(language: Language, settings: AnalysisSettings): CompiledRule[] {
    const all = this.byLanguage.get(language) ?? [];
    return settings.rules ? all.filter((compiled) => settings.rules?.[compiled.rule.id] !== 'off') : all;
  }

  private applySettings(finding: RawFinding, settings: AnalysisSettings): RawFinding | undefined {
    const override = settings.rules?.[finding.ruleId];
    const severity = override && override !== 'on' && override !== 'off' ? override : finding.severity;
    if (SEVERITY_RANK[severity] < SEVERITY_RANK[settings.minimumSeverity ?? 'info']) return undefined;
    return severity === finding.severity ? finding : { ...finding, severity };
  }

  private pathExists(absolutePath: string): boolean {
    let exists = this.existsCache.get(absolutePath);
    if (exists === undefined) {
      exists = fs.existsSync(absolutePath);
      this.existsCache.set(absolutePath, exists);
    }
    return exists;
  }
}

export function compareFindings(a: Pick<Finding, 'range' | 'ruleId'>, b: Pick<Finding, 'range' | 'ruleId'>): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.ruleId.localeCompare(b.ruleId);
}

function looksBinary(text: string): boolean {
  const head = text.length > 8192 ? text.slice(0, 8192) : text;
  return head.includes('\u0000');
}

function firstError(root: import('web-tree-sitter').Node): { row: number; column: number } | undefined {
  const cursor = root.walk();
  try {
    // Depth-first until the first ERROR or MISSING node.
    for (;;) {
      if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) return cursor.startPosition;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return undefined;
    }
  } finally {
    cursor.delete();
  }
}
