/**
 * The limits of one file's analysis as settings give them: the size above which a file is not
 * analysed (the scan's discovery skips such files before reading them; the engine and the
 * language server check text they are handed), and the time budgets the guard enforces.
 */
import type { GuardLimits } from './guard';
import type { InputProblem } from './types';

/** The settings fields the limits read (AnalysisSettings has them all). */
export interface LimitSettings {
  maxFileSizeKb?: number;
  timeBudgetMs?: number;
  ruleBudgetMs?: number;
  slowRules?: Set<string>;
}

export function analysisLimits(settings: LimitSettings): GuardLimits {
  return { timeBudgetMs: settings.timeBudgetMs, ruleBudgetMs: settings.ruleBudgetMs, slowRules: settings.slowRules };
}

/**
 * The problem for a text above `maxFileSizeKb` (no limit when undefined), measured in UTF-16 code
 * units, which for code is the byte count or close to it and costs nothing to read.
 */
export function sizeProblem(file: string, text: { readonly length: number }, maxFileSizeKb: number | undefined): InputProblem | undefined {
  if (maxFileSizeKb === undefined || text.length <= maxFileSizeKb * 1024) return undefined;
  return {
    file,
    line: 0,
    character: 0,
    message: `not analysed: ${formatSize(text.length)} is above maxFileSizeKb (${maxFileSizeKb} KB)`,
    severity: 'warning',
  };
}

export function formatSize(chars: number): string {
  return chars >= 1024 * 1024 ? `${(chars / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(chars / 1024)} KB`;
}
