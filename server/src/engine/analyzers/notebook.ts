/**
 * Jupyter notebooks (.ipynb, nbformat 4). Design:
 * - The JSON is parsed with positions (files/located-json.ts): for every character of a code
 *   cell's source we know its offset in the .ipynb text, escapes included.
 * - The code cells are concatenated, in order, into one Python text (imports and constants of
 *   earlier cells are visible in later ones, as when the notebook runs top to bottom). IPython
 *   lines (`!cmd`, `%pip …`, `%magic`, `x = !cmd`) and non-Python cell magics (`%%bash`,
 *   `%%writefile`, …) are replaced by `pass` / empty lines, so they are neither Python syntax
 *   errors nor Python findings; shell lines are read as commands (files/shell.ts) for the
 *   notebook rules (pip installs, downloads, `curl | sh`, hub downloads).
 * - Every range, statement line, problem and fix edit is mapped back to the .ipynb text, so the CLI
 *   and SARIF point at the JSON line holding that source line; `finding.cell` holds the cell index
 *   (in the notebook's `cells`, markdown included) and the line in the cell.
 * - A fix edit's new text is JSON-escaped; an edit is dropped (the fix with it) when its range does
 *   not lie inside one cell's source. Edits spanning source lines stay valid JSON (the array items
 *   between merge into one string, which nbformat allows).
 * - Invalid JSON, or a notebook that is not nbformat 4, gives one located problem and nothing else.
 * `cellCoordinates` maps findings back to cell-relative positions (for the language server).
 */
import { ChunkedText, wholeText, type TextSource } from '../chunked-text';
import { BudgetExceeded, parseProgress } from '../guard';
import type { Parser } from 'web-tree-sitter';
import { textInput } from '../python/parser';
import { changeBetween, PythonDocumentTree } from '../python/document-tree';
import { PythonAnalyzer } from './python';
import { emptyFacts, mergeFacts } from '../files/facts';
import { escapeJsonStringContent, JsonSyntaxError, member, parseLocatedJson, stringOffsets, type JsonNode } from '../files/located-json';
import { joinContinuations, type LocatedLine } from '../files/located-text';
import { readShellLine } from '../files/shell';
import { runFileChecks } from '../checks/files';
import { PythonFacts } from '../python/facts';
import type { RawFinding } from '../python/run-rules';
import type { Finding, Fix, InputProblem, Position, Range, TextEdit } from '../types';
import { lineStarts, offsetToLocation } from '../yaml/located-yaml';
import { runPythonRules } from './python';
import { mayHoldSuppressions } from '../suppressions';
import { notAnalysed, type AnalyzerInput, type AnalyzerOutput, type FileAnalyzer, type TreeAnalyzerInput } from './types';

export interface NotebookCell {
  /** Index in the notebook's `cells`. */
  index: number;
  source: string;
  /** The text offset of character `i` of `source` (i = its length: its end). */
  offsetOf(i: number): number;
  /** The character of `source` at a text offset inside the cell, or the last one before it. */
  sourceOffsetAt(offset: number): number;
  /** Offset in `source` where each of its lines starts. */
  lineStarts: number[];
}

export interface ParsedNotebook {
  cells: NotebookCell[];
  /** Not Python (an R or Julia kernel): only shell lines are read. */
  language: string;
}

export class NotebookError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Reads the code cells of an nbformat-4 notebook; throws NotebookError (with an offset) otherwise. */
export function parseNotebook(text: string): ParsedNotebook {
  let root: JsonNode;
  try {
    root = parseLocatedJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new NotebookError(`invalid notebook: not valid JSON (${error.reason})`, error.offset);
    throw error;
  }
  if (root.kind !== 'object') throw new NotebookError('invalid notebook: the top level is not a JSON object', root.start);
  const nbformat = member(root, 'nbformat');
  if (nbformat?.kind !== 'number' || nbformat.value !== 4) {
    const found = nbformat?.kind === 'number' ? `nbformat ${nbformat.value}` : 'no nbformat';
    throw new NotebookError(`unsupported notebook format (${found}); ATLAS Lens reads nbformat 4 (convert with \`jupyter nbconvert --to notebook\`)`, nbformat?.start ?? root.start);
  }
  const cellsNode = member(root, 'cells');
  if (cellsNode?.kind !== 'array') throw new NotebookError('invalid notebook: no "cells" array', cellsNode?.start ?? root.start);
  const metadata = member(root, 'metadata');
  const languageNode = member(member(metadata, 'language_info'), 'name') ?? member(member(metadata, 'kernelspec'), 'language');
  const language = languageNode?.kind === 'string' ? languageNode.value.toLowerCase() : 'python';
  const cells: NotebookCell[] = [];
  cellsNode.items.forEach((cell, index) => {
    const type = member(cell, 'cell_type');
    if (type?.kind !== 'string' || type.value !== 'code') return;
    const sourceNode = member(cell, 'source');
    const parts = sourceNode?.kind === 'string' ? [sourceNode] : sourceNode?.kind === 'array' ? sourceNode.items : [];
    let source = '';
    const offsets: number[] = [];
    let end = sourceNode?.kind === 'array' ? sourceNode.start + 1 : (sourceNode?.start ?? 0) + 1;
    for (const part of parts) {
      if (part.kind !== 'string') continue;
      const partOffsets = stringOffsets(text, part);
      // One by one: a spread of a huge cell's offsets would overflow the stack.
      for (let i = 0; i < partOffsets.length - 1; i++) offsets.push(partOffsets[i]!);
      end = partOffsets[partOffsets.length - 1]!;
      source += part.value;
    }
    offsets.push(end);
    cells.push({ index, source, lineStarts: lineStarts(source), offsetOf: (i) => offsets[i]!, sourceOffsetAt: (offset) => lastAtMost(offsets, offset) });
  });
  return { cells, language };
}

interface CombinedLine {
  cell: NotebookCell;
  line: number;
}

/** Where a cell's offset is in the file analysed, and which cell line a position of the file is. */
interface CellPositions {
  locate(cell: NotebookCell, offsetInCell: number): Position;
  cellOf(position: Position): { index: number; line: number } | undefined;
}

/** The concatenated Python text and, for each of its lines, the cell line it came from. */
interface Combined {
  /** Kept as the cells' pieces, never joined (a keystroke would copy the whole notebook). */
  text: ChunkedText;
  /** Whether any line of it is more than whitespace. */
  hasCode: boolean;
  /** The line of the text where the cell at this place in the list of cells starts. */
  firstLineOf(cellPosition: number): number;
  /** The cell line a line of `text` came from (undefined past the last). */
  lineAt(line: number): CombinedLine | undefined;
  shellLines: Array<{ cell: NotebookCell; line: number; column: number; text: string }>;
}

/** What one cell gives the combined text: its lines there (joined by "\n"), how many, and its shell lines. */
export interface CombinedCell {
  text: string;
  lineCount: number;
  shellLines: Array<{ line: number; column: number; text: string }>;
}

const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug']);
const SHELL_CELL_MAGICS = new Set(['bash', 'sh', 'script', 'system']);

/**
 * Python's state at the end of each physical line of a cell: inside a string (its quote), inside
 * brackets, or continued by a backslash. IPython reads `!cmd` and `%magic` only where a logical line
 * starts, so a line inside brackets that starts with `!=` or `%` (black puts operators there) or a
 * line of a triple-quoted string that starts with `!pip` is Python, not a command.
 */
class LineStarts {
  private quote: string | undefined;
  private depth = 0;
  private continued = false;

  /** Whether the next physical line starts a logical line. */
  get atStatementStart(): boolean {
    return this.quote === undefined && this.depth === 0 && !this.continued;
  }

  /** Moves past one physical line of Python (a character scan: no regular expression over code). */
  read(line: string): void {
    this.continued = false;
    const length = line.length;
    let i = 0;
    while (i < length) {
      const code = line.charCodeAt(i);
      if (this.quote !== undefined) {
        if (code === BACKSLASH) i += 2;
        else if (code === this.quote.charCodeAt(0) && line.startsWith(this.quote, i)) {
          i += this.quote.length;
          this.quote = undefined;
        } else i++;
        continue;
      }
      if (code === HASH) return; // a comment runs to the end of the line
      if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
        const quote = line[i]!;
        this.quote = line.charCodeAt(i + 1) === code && line.charCodeAt(i + 2) === code ? quote.repeat(3) : quote;
        i += this.quote.length;
        continue;
      }
      if (code === 40 || code === 91 || code === 123) this.depth++; // ( [ {
      else if ((code === 41 || code === 93 || code === 125) && this.depth > 0) this.depth--; // ) ] }
      i++;
    }
    // A one-quote string ends at the end of its line unless a backslash continues it (else the
    // line has a syntax error: the next line starts afresh, as far as strings go).
    const backslashed = length > 0 && line.charCodeAt(length - 1) === BACKSLASH;
    if (this.quote !== undefined && this.quote.length === 1 && !backslashed) this.quote = undefined;
    this.continued = this.quote === undefined && backslashed;
  }
}

const BACKSLASH = 92;
const HASH = 35;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;

/**
 * The notebook's Python as one text, each cell's lines in turn. Each cell is combined on its own
 * (IPython syntax is read per cell), so what each cell gave is kept by its source (`cells` of the
 * result) and taken from `reuse`, the last result's (made with the same `python`), when the source
 * is the same: a keystroke in an open notebook combines only the cell it changed (2 ms a keystroke
 * for 358 cells otherwise).
 */
export function combineCells(cells: readonly NotebookCell[], python = true, reuse?: ReadonlyMap<string, CombinedCell>): Combined & { cells: Map<string, CombinedCell> } {
  const pieces: string[] = [];
  const firstLines: number[] = [];
  const shellLines: Combined['shellLines'] = [];
  const combinedCells = new Map<string, CombinedCell>();
  let lineCount = 0;
  for (const cell of cells) {
    let combined = combinedCells.get(cell.source) ?? reuse?.get(cell.source);
    if (!combined) combined = combineCell(cell.source, python);
    combinedCells.set(cell.source, combined);
    pieces.push(combined.text);
    firstLines.push(lineCount);
    for (const shell of combined.shellLines) shellLines.push({ cell, ...shell });
    lineCount += combined.lineCount;
  }
  const lineAt = (line: number): CombinedLine | undefined => {
    if (line < 0 || line >= lineCount) return undefined;
    const index = lastAtMost(firstLines, line);
    return { cell: cells[index]!, line: line - firstLines[index]! };
  };
  const withBreaks = pieces.flatMap((piece, index) => (index === 0 ? [piece] : ['\n', piece]));
  return { text: ChunkedText.ofPieces(withBreaks), hasCode: pieces.some((piece) => /\S/.test(piece)), firstLineOf: (position) => firstLines[position]!, lineAt, shellLines, cells: combinedCells };
}

function combineCell(source: string, python: boolean): CombinedCell {
  const out: string[] = [];
  const shellLines: CombinedCell['shellLines'] = [];
  const cellLines = source.split('\n');
  const cellMagic = /^\s*%%(\w+)/.exec(cellLines[0] ?? '')?.[1];
  const mode = !python ? 'other' : cellMagic === undefined || PYTHON_CELL_MAGICS.has(cellMagic) ? 'python' : SHELL_CELL_MAGICS.has(cellMagic) ? 'shell' : 'other';
  const starts = new LineStarts(); // each cell is a program of its own
  // Without a `!` or `%` in the cell no line of it is a command: its lines need not be scanned.
  const mayHoldCommands = source.includes('!') || source.includes('%');
  cellLines.forEach((raw, line) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (cellMagic !== undefined && line === 0) {
      out.push('');
      return;
    }
    if (mode === 'shell') {
      shellLines.push({ line, column: 0, text });
      out.push('');
      return;
    }
    // IPython syntax where a logical line starts: `!cmd`, `%magic`, `x = !cmd`, `x = %magic`.
    const ipython = mayHoldCommands && starts.atStatementStart ? /^(\s*)(?:[A-Za-z_][\w.]*\s*=\s*)?([!%])(.*)$/.exec(text) : null;
    if (mayHoldCommands && !ipython) starts.read(text);
    if (ipython) {
      const [, indent, sigil, rest] = ipython;
      const column = text.length - rest!.length;
      if (sigil === '!') shellLines.push({ line, column, text: rest! });
      else if (/^(pip|conda|mamba|uv)\b/.test(rest!)) shellLines.push({ line, column, text: rest! });
      else if (/^(sx|system|sh)\b/.test(rest!)) shellLines.push({ line, column: column + rest!.indexOf(' ') + 1, text: rest!.slice(rest!.indexOf(' ') + 1) });
      out.push(mode === 'python' ? `${indent}pass` : '');
      return;
    }
    out.push(mode === 'python' ? text : '');
  });
  return { text: out.join('\n'), lineCount: cellLines.length, shellLines };
}

/** An open notebook's combined Python last analysed, its tree, and what each cell gave that text (NotebookAnalyzer.open). */
interface OpenNotebook {
  text: TextSource;
  tree: PythonDocumentTree;
  cells?: ReadonlyMap<string, CombinedCell>;
}

/** Open notebooks whose Python is kept parsed between analyses (analyzeCells). */
const MAX_OPEN_NOTEBOOKS = 8;

/** Python findings, problems and comments of a notebook's combined text (lines of that text). */
interface PythonOutput {
  findings: RawFinding[];
  problems: InputProblem[];
  comments: ReadonlyMap<number, string>;
}

export class NotebookAnalyzer implements FileAnalyzer {
  readonly kind = 'notebook' as const;
  readonly ruleLanguages = ['python', 'notebook'] as const;
  /**
   * Per open notebook (analyzeCells, the language server): the combined Python text last
   * analysed, its syntax tree kept in step with the changes between versions, and what each cell
   * gave that text, by the cell's source (combineCells); with the Python analyzer, which reuses the
   * findings of the top-level definitions no change touched. A keystroke in one cell then costs
   * about what it costs in a .py file, not a parse and analysis of every cell.
   */
  private readonly open = new Map<string, OpenNotebook>();
  private readonly python: PythonAnalyzer;

  constructor(private readonly parser: Parser) {
    this.python = new PythonAnalyzer(parser);
  }

  /** Drops what analyzeCells kept for `file` (its last run was cut short by a limit). */
  forgetIncremental(file: string): void {
    this.open.get(file)?.tree.dispose();
    this.open.delete(file);
    this.python.forgetIncremental(file);
  }

  analyze(input: AnalyzerInput): AnalyzerOutput {
    let notebook: ParsedNotebook;
    const starts = lineStarts(input.text);
    try {
      notebook = parseNotebook(input.text);
    } catch (error) {
      if (!(error instanceof NotebookError)) throw error;
      return notAnalysed(input.file, `${error.message}; not analysed`, offsetToLocation(starts, error.offset));
    }
    const positions: CellPositions = {
      locate: (cell, offset) => offsetToLocation(starts, cell.offsetOf(offset)),
      cellOf: (position) => cellAt(notebook.cells, position, starts),
    };
    return this.analyzeParsed(input, notebook, () => positions, escapeJsonStringContent);
  }

  /**
   * The code cells of an open notebook (the language server's notebook sync), as their texts in
   * order. `input.text` must be `cellsText(cells)`: the cells joined by "\n", so each line of it
   * is one cell line; positions in the output are in that text (cellsLayout maps them to cells).
   */
  analyzeCells(input: TreeAnalyzerInput, cells: readonly string[]): AnalyzerOutput {
    const parsed: NotebookCell[] = [];
    let offset = 0;
    cells.forEach((source, index) => {
      // The cells are joined by "\n": a cell's characters are consecutive in the text (no table of
      // offsets to build at each keystroke, which took ~5 ms for 200 kB of cells). Line starts are
      // read only for the cells a finding is mapped into.
      const from = offset;
      let starts: number[] | undefined;
      parsed.push({ index, source, get lineStarts() { return (starts ??= lineStarts(source)); }, offsetOf: (i) => from + i, sourceOffsetAt: (at) => Math.max(0, Math.min(source.length, at - from)) });
      offset += source.length + 1;
    });
    // Positions in the cells joined by "\n": a cell's lines are lines of that text, after the lines of the cells before it.
    const positions = (combined: Combined): CellPositions => ({
      locate: (cell, offset) => {
        const line = lastAtMost(cell.lineStarts, offset);
        return { line: combined.firstLineOf(cell.index) + line, character: offset - cell.lineStarts[line]! };
      },
      cellOf: (position) => {
        const at = combined.lineAt(position.line);
        return at && { index: at.cell.index, line: at.line };
      },
    });
    return this.analyzeParsed(input, { cells: parsed, language: 'python' }, positions, (text) => text, true);
  }

  /**
   * `escape` makes an edit's new text fit the file (JSON string content for an .ipynb);
   * `incremental`: the notebook is open and analysed again at each change (analyzeCells).
   */
  private analyzeParsed(input: TreeAnalyzerInput, notebook: ParsedNotebook, positionsOf: (combined: Combined) => CellPositions, escape: (text: string) => string, incremental = false): AnalyzerOutput {
    const python = notebook.language === 'python' || notebook.language === 'python3';
    const open = incremental ? this.openNotebook(input.file) : undefined;
    const combined = combineCells(notebook.cells, python, open?.cells);
    if (open) open.cells = combined.cells;
    const positions = positionsOf(combined);
    const toFile = (cell: NotebookCell, line: number, character: number): Position => {
      const offset = Math.min((cell.lineStarts[line] ?? cell.source.length) + character, cell.source.length);
      return positions.locate(cell, offset);
    };
    const fromCombined = (position: Position): Position => {
      const at = combined.lineAt(position.line);
      return at ? toFile(at.cell, at.line, position.character) : position;
    };
    const findings: RawFinding[] = [];
    const problems: InputProblem[] = [];
    let comments: ReadonlyMap<number, string> = new Map();

    const pythonRules = input.rules.filter((compiled) => compiled.rule.languages.includes('python'));
    const fileRules = input.rules.filter((compiled) => !compiled.rule.languages.includes('python')).map((compiled) => compiled.rule);
    // The shell lines' findings (below) may be suppressed by a comment in a Python cell (an
    // `ignore-file`, as "Suppress … in this notebook" writes it): the Python is then read for its
    // comments even when no Python rule applies.
    const suppressibleElsewhere = fileRules.length > 0 && combined.shellLines.length > 0 && (input.mayHoldSuppressions ?? mayHoldSuppressions(wholeText(input.text)));
    if (python && (pythonRules.length > 0 || suppressibleElsewhere) && combined.hasCode) {
      const pythonInput = { ...input, text: combined.text, rules: pythonRules, suppressibleElsewhere };
      const output = open ? this.pythonOfOpen(pythonInput, open) : this.pythonOnce(pythonInput);
      if (output) {
        for (const finding of output.findings) {
          const at = combined.lineAt(finding.range.start.line);
          findings.push({
            ...finding,
            range: { start: fromCombined(finding.range.start), end: fromCombined(finding.range.end) },
            statementLines: { first: fromCombined({ line: finding.statementLines.first, character: 0 }).line, last: fromCombined({ line: finding.statementLines.last, character: 0 }).line },
            ...(finding.fix ? { fix: mapFix(finding.fix, (position) => combined.lineAt(position.line)?.cell, fromCombined, escape) } : {}),
            ...(at ? { cell: { index: at.cell.index, line: at.line } } : {}),
          });
          if (!findings[findings.length - 1]!.fix) delete findings[findings.length - 1]!.fix;
        }
        for (const problem of output.problems) {
          const at = combined.lineAt(problem.line ?? 0);
          const position = fromCombined({ line: problem.line ?? 0, character: problem.character ?? 0 });
          problems.push({ ...problem, ...position, message: at ? `${problem.message} (cell ${at.cell.index + 1}, line ${at.line + 1})` : problem.message });
        }
        const byFileLine = new Map<number, string>();
        for (const [line, text] of output.comments) byFileLine.set(fromCombined({ line, character: 0 }).line, text);
        comments = byFileLine;
      }
    }

    if (fileRules.length > 0 && combined.shellLines.length > 0) {
      let facts = emptyFacts();
      const located: LocatedLine[] = combined.shellLines.map((shell) => {
        const line = toFile(shell.cell, shell.line, 0).line;
        return { text: shell.text, at: (i: number) => toFile(shell.cell, shell.line, shell.column + i), lines: { first: line, last: line } };
      });
      for (const line of joinContinuations(located)) facts = mergeFacts(facts, readShellLine(line.text, { at: line.at, statementLines: line.lines }));
      for (const finding of runFileChecks(fileRules, facts, { file: input.file, projectRoot: input.projectRoot })) {
        const at = positions.cellOf(finding.range.start);
        // File-check fixes are written in file coordinates; keep them only if their text needs no escaping.
        const safeFix = finding.fix && finding.fix.edits.every((edit) => escape(edit.newText) === edit.newText) ? finding.fix : undefined;
        const { fix: _dropped, ...rest } = finding;
        findings.push({ ...rest, ...(safeFix ? { fix: safeFix } : {}), ...(at ? { cell: at } : {}) });
      }
      const shellComments = new Map(comments);
      for (const shell of combined.shellLines) {
        const comment = /(?:^|\s)(#.*)$/.exec(shell.text);
        if (comment) shellComments.set(toFile(shell.cell, shell.line, 0).line, comment[1]!);
      }
      comments = shellComments;
    }
    const finalComments = comments;
    return { findings, problems, comments: () => finalComments, parsed: true };
  }

  /** What is kept for an open notebook, made on its first analysis; the least recently analysed beyond MAX_OPEN_NOTEBOOKS is dropped. */
  private openNotebook(file: string): OpenNotebook {
    let open = this.open.get(file);
    if (open) this.open.delete(file);
    else open = { text: '', tree: new PythonDocumentTree(this.parser) };
    this.open.set(file, open);
    if (this.open.size > MAX_OPEN_NOTEBOOKS) {
      const [oldest] = this.open.keys();
      this.forgetIncremental(oldest!);
    }
    return open;
  }

  /** The combined Python text parsed and analysed from scratch (a notebook file read once); undefined when the parser gave up. */
  private pythonOnce(input: TreeAnalyzerInput): PythonOutput | undefined {
    const progress = parseProgress();
    const tree = this.parser.parse(textInput(input.text), null, { progressCallback: progress.callback });
    if (!tree) this.parser.reset();
    if (progress.cancelled()) throw new BudgetExceeded('while parsing', 0);
    if (!tree) return undefined;
    try {
      const output = runPythonRules(new PythonFacts(tree), input);
      return { findings: output.findings, problems: output.problems, comments: output.comments() };
    } finally {
      tree.delete();
    }
  }

  /**
   * The combined Python text of an open notebook: its tree is edited by the one change since the
   * last version analysed and reparsed incrementally (the changed definition alone where that
   * is enough), and the Python analyzer reanalyses only what changed.
   */
  private pythonOfOpen(input: TreeAnalyzerInput, document: OpenNotebook): PythonOutput | undefined {
    const change = changeBetween(document.text, input.text);
    if (change) document.tree.edit(change);
    document.text = input.text;
    const progress = parseProgress();
    const syntax = document.tree.syntax(input.text, progress.callback);
    if (progress.cancelled()) throw new BudgetExceeded('while parsing', 0); // the tree keeps its edits for the next version
    if (!syntax) return undefined;
    const output = this.python.analyzeTree(input, syntax);
    return { findings: output.findings, problems: output.problems, comments: output.comments() };
  }
}

/** Maps a fix from the combined text to the file (for an .ipynb JSON-escaped text), each edit inside one cell. */
function mapFix(fix: Fix, cellOf: (position: Position) => NotebookCell | undefined, toFile: (position: Position) => Position, escape: (text: string) => string): Fix | undefined {
  const edits: TextEdit[] = [];
  for (const edit of fix.edits) {
    const cell = cellOf(edit.range.start);
    if (!cell || cellOf(edit.range.end) !== cell) return undefined;
    edits.push({ range: { start: toFile(edit.range.start), end: toFile(edit.range.end) }, newText: escape(edit.newText) });
  }
  return { ...fix, edits };
}

/** The cell and cell line holding a position of the .ipynb text. */
function cellAt(cells: readonly NotebookCell[], position: Position, starts: readonly number[]): { index: number; line: number } | undefined {
  const offset = (starts[position.line] ?? 0) + position.character;
  for (const cell of cells) {
    if (offset < cell.offsetOf(0) || offset > cell.offsetOf(cell.source.length)) continue;
    const sourceOffset = cell.sourceOffsetAt(offset);
    const line = lastAtMost(cell.lineStarts, sourceOffset);
    return { index: cell.index, line };
  }
  return undefined;
}

/** Index of the last element of a sorted array that is <= value. */
function lastAtMost(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (sorted[mid]! <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * For the language server's notebook sync: a range of the .ipynb text (as the engine reports it)
 * in the coordinates of its cell — the cell index and a range in the cell's own text. Undefined
 * when the range is not inside one code cell's source.
 */
export function cellCoordinates(notebookText: string, range: Range): { index: number; range: Range } | undefined {
  let notebook: ParsedNotebook;
  try {
    notebook = parseNotebook(notebookText);
  } catch {
    return undefined;
  }
  const starts = lineStarts(notebookText);
  const toCell = (position: Position): { cell: NotebookCell; position: Position } | undefined => {
    const offset = (starts[position.line] ?? 0) + position.character;
    const cell = notebook.cells.find((candidate) => offset >= candidate.offsetOf(0) && offset <= candidate.offsetOf(candidate.source.length));
    if (!cell) return undefined;
    const sourceOffset = cell.sourceOffsetAt(offset);
    const line = lastAtMost(cell.lineStarts, sourceOffset);
    return { cell, position: { line, character: sourceOffset - cell.lineStarts[line]! } };
  };
  const start = toCell(range.start);
  const end = toCell(range.end);
  if (!start || !end || start.cell !== end.cell) return undefined;
  return { index: start.cell.index, range: { start: start.position, end: end.position } };
}

/** A finding of `Engine.analyzeCells`: positions in the coordinates of cell `cell.index`. */
export type CellFinding = Finding & { cell: { index: number; line: number } };
/** A problem of `Engine.analyzeCells`: `line` is in cell `cell`, when there is a line. */
export type CellProblem = InputProblem & { cell?: number };

/**
 * Maps the output of `analyzeCells` (positions in the cells joined by "\n") to the cells: each
 * finding's range, statement lines, fix and flow in its own cell's lines. A fix with an edit in
 * another cell is dropped (a code action edits the cell it is offered in), and so is a flow step
 * in another cell (the hover lists steps by line number in the cell).
 */
export function toCells(cells: readonly string[], findings: readonly Finding[], problems: readonly InputProblem[]): { findings: CellFinding[]; problems: CellProblem[] } {
  const firstLine: number[] = [];
  const lineCount: number[] = [];
  let line = 0;
  for (const source of cells) {
    firstLine.push(line);
    let count = 1; // lines counted, not split out (every cell at every keystroke)
    for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) count++;
    lineCount.push(count);
    line += count;
  }
  const cellOfLine = (at: number): number => lastAtMost(firstLine, at);
  const local = (cell: number, position: Position): Position => ({ line: position.line - firstLine[cell]!, character: position.character });
  const inCell = (cell: number, range: Range): Range | undefined =>
    cellOfLine(range.start.line) === cell && cellOfLine(range.end.line) === cell ? { start: local(cell, range.start), end: local(cell, range.end) } : undefined;
  const clampLine = (cell: number, at: number): number => Math.min(Math.max(at - firstLine[cell]!, 0), lineCount[cell]! - 1);

  const mapped: CellFinding[] = [];
  for (const finding of findings) {
    const cell = cellOfLine(finding.range.start.line);
    const lastLine = lineCount[cell]! - 1;
    const range = inCell(cell, finding.range) ?? { start: local(cell, finding.range.start), end: { line: lastLine, character: cells[cell]!.split('\n')[lastLine]!.length } };
    const { fix, flow, cell: _combined, ...rest } = finding;
    const edits = fix?.edits.map((edit) => {
      const editRange = inCell(cell, edit.range);
      return editRange && { range: editRange, newText: edit.newText };
    });
    const steps = flow?.flatMap((step) => {
      const stepRange = inCell(cell, step.range);
      return stepRange ? [{ ...step, range: stepRange }] : [];
    });
    mapped.push({
      ...rest,
      range,
      statementLines: { first: clampLine(cell, finding.statementLines.first), last: clampLine(cell, finding.statementLines.last) },
      ...(fix && edits?.every((edit) => edit !== undefined) ? { fix: { ...fix, edits: edits as TextEdit[] } } : {}),
      ...(steps && steps.length > 0 ? { flow: steps } : {}),
      cell: { index: cell, line: range.start.line },
    });
  }
  const mappedProblems = problems.map((problem): CellProblem => {
    if (problem.line === undefined) return problem;
    const cell = cellOfLine(problem.line);
    return { ...problem, line: problem.line - firstLine[cell]!, cell };
  });
  return { findings: mapped, problems: mappedProblems };
}
