/**
 * Limits on the work spent on one file, so that no input can hang an analysis or take the other
 * rules' findings down with it:
 *
 * - a per-file time budget (`timeBudgetMs`): checked at cheap check points (between rules, in the
 *   tree-sitter parse's progress callback, in long loops that call `checkpoint()`); once past it
 *   the work stops — the rules not run yet are skipped, a parse is cancelled — and the file gets
 *   one warning naming where it stopped;
 * - a per-rule budget (`ruleBudgetMs`): a rule is synchronous JavaScript (regular expressions
 *   included) and cannot be interrupted, so it is timed; one that ran past its budget keeps what it
 *   found, is named in a warning and is not run again for the rest of the file or, when the
 *   caller shares `slowRules` (a scan), for the rest of the scan;
 * - a rule that throws loses only its own findings: the error is reported with the rule id.
 *
 * The engine analyses one file at a time and synchronously, so the file being analysed is held
 * in a module variable; rule loops call `guardRule` without anything threaded through them.
 */
import type { InputProblem } from './types';

/** Default per-file time budget; generous, since a normal file takes milliseconds. */
export const DEFAULT_TIME_BUDGET_MS = 5000;
/** Default per-rule budget on one file. */
export const DEFAULT_RULE_BUDGET_MS = 2000;
/** Longest string a rule's regular expression is run on (`matches`, `replace-string`): bounds backtracking. */
export const MAX_REGEX_INPUT = 4096;

export interface GuardLimits {
  timeBudgetMs?: number;
  ruleBudgetMs?: number;
  /** Rules found over budget earlier (shared across the files of a scan); filled in here. */
  slowRules?: Set<string>;
  /** A clock for tests; performance.now() otherwise. */
  now?: () => number;
}

/** Thrown at a check point once the file's time is up; caught by the engine, never escapes it. */
export class BudgetExceeded extends Error {
  constructor(
    readonly where: string,
    readonly elapsedMs: number,
  ) {
    super(`time budget exceeded ${where}`);
  }
}

class FileGuard {
  readonly problems: InputProblem[] = [];
  readonly started: number;
  readonly deadline: number;
  readonly ruleBudgetMs: number;
  private readonly slowRules: Set<string>;
  private readonly skipped: string[] = [];
  stoppedAt?: string;

  constructor(
    readonly file: string,
    readonly limits: GuardLimits,
    readonly now: () => number,
  ) {
    this.started = now();
    this.deadline = this.started + (limits.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS);
    this.ruleBudgetMs = limits.ruleBudgetMs ?? DEFAULT_RULE_BUDGET_MS;
    this.slowRules = limits.slowRules ?? new Set();
  }

  get budgetMs(): number {
    return this.deadline - this.started;
  }

  overBudget(): boolean {
    return this.now() > this.deadline;
  }

  rule<T>(ruleId: string, run: () => T[]): T[] {
    if (this.slowRules.has(ruleId)) return [];
    if (this.stoppedAt !== undefined || this.overBudget()) {
      this.stoppedAt ??= `before rule ${ruleId}`;
      this.skipped.push(ruleId);
      return [];
    }
    const before = this.now();
    try {
      return run();
    } catch (error) {
      if (error instanceof BudgetExceeded) throw error;
      this.problems.push({ file: this.file, message: `rule ${ruleId} failed on this file and was skipped: ${errorMessage(error)}`, severity: 'warning' });
      return [];
    } finally {
      const took = this.now() - before;
      if (took > this.ruleBudgetMs && !this.slowRules.has(ruleId)) {
        this.slowRules.add(ruleId);
        this.problems.push({
          file: this.file,
          message: `rule ${ruleId} took ${Math.round(took)} ms on this file, over its budget of ${this.ruleBudgetMs} ms; it is not run again${this.limits.slowRules ? ' in this scan' : ' on this file'}`,
          severity: 'warning',
        });
      }
    }
  }

  /** The problem that says the work stopped, if it did; called once at the end. */
  finish(): void {
    if (this.stoppedAt === undefined) return;
    const skipped = this.skipped.length > 0 ? `; rules not run: ${this.skipped.join(', ')}` : '';
    this.problems.push(budgetStopProblem(this.file, this.stoppedAt, this.budgetMs, skipped));
  }
}

const BUDGET_STOP = 'analysis stopped ';

/** The warning for a file whose work the time budget stopped `where` ("while parsing", "before rule x"). */
export function budgetStopProblem(file: string, where: string, budgetMs: number, detail = ''): InputProblem {
  return { file, line: 0, character: 0, message: `${BUDGET_STOP}${where}: over the time budget of ${Math.round(budgetMs)} ms (timeBudgetMs)${detail}`, severity: 'warning' };
}

/** Whether a problem says the time budget stopped the file's analysis. */
export function isBudgetStop(problem: InputProblem): boolean {
  return problem.message.startsWith(BUDGET_STOP);
}

let active: FileGuard | undefined;

/**
 * Runs `work` (one file's analysis) under the limits. Returns its result and the problems the
 * guard found; when the time budget ran out inside `work`, `result` is undefined.
 */
export function withFileGuard<T>(file: string, limits: GuardLimits, work: () => T): { result: T | undefined; problems: InputProblem[] } {
  const outer = active;
  const guard = new FileGuard(file, limits, limits.now ?? (() => performance.now()));
  active = guard;
  try {
    const result = work();
    guard.finish();
    return { result, problems: guard.problems };
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    guard.stoppedAt ??= error.where;
    guard.finish();
    return { result: undefined, problems: guard.problems };
  } finally {
    active = outer;
  }
}

/**
 * One rule's run on the current file — timed, its exceptions caught, skipped once time is up —
 * its findings appended to `into` one by one (a spread of 100,000 findings overflows the stack).
 */
export function guardRule<T>(into: T[], ruleId: string, run: () => T[]): void {
  const found = active ? active.rule(ruleId, run) : run();
  for (const item of found) into.push(item);
}

/** A check point inside long work: throws BudgetExceeded once the current file's time is up. */
export function checkpoint(where: string): void {
  if (active && active.overBudget()) throw new BudgetExceeded(where, active.now() - active.started);
}

/**
 * A tree-sitter parse progress callback: returns true (cancel) once the file's time is up, and
 * remembers that it did so the caller can tell a cancelled parse from one that gave up.
 */
export function parseProgress(): { callback: () => boolean; cancelled: () => boolean } {
  const guard = active;
  let cancelled = false;
  return {
    callback: () => (cancelled ||= guard !== undefined && guard.overBudget()),
    cancelled: () => cancelled,
  };
}

/** A string cut to what a rule's regular expression may be run on. */
export function regexInput(value: string): string {
  return value.length > MAX_REGEX_INPUT ? value.slice(0, MAX_REGEX_INPUT) : value;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
