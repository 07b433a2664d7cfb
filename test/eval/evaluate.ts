/**
 * Precision and recall of the engine on the held-out corpus (test/eval/corpus), as a new user
 * would meet them: a risky line is a hit when a finding starts on it (or on a statement that
 * starts on it) with one of the expected techniques; a finding on an `ok` or unannotated line
 * is a false alarm; `maybe` lines count either way. Sections D–G are out of the corpus' scope.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../../server/src/engine/engine';
import type { Finding } from '../../server/src/engine/types';
import { parseAnnotations } from './parse-annotations';

export const CORPUS = path.join(__dirname, 'corpus');

/**
 * The corpus covers sections A–C of the catalog (its README says so); rules written for the
 * other sections (D: LLM applications, G: theft/evasion/recon surface) report things the corpus
 * does not annotate, so their findings are left out of the count rather than called false alarms.
 */
export const OUT_OF_CORPUS_SCOPE = new Set([
  // D — LLM applications
  'agent-dangerous-tool', 'hardcoded-ai-key', 'llm-call-in-unbounded-loop', 'llm-call-without-max-tokens', 'llm-output-code-execution',
  'llm-output-rendered-as-html', 'llm-output-shell-command', 'llm-output-sql-query', 'request-data-in-system-prompt', 'retrieved-content-in-prompt-undelimited',
  // G — theft, evasion and reconnaissance surface
  'api-docs-exposed', 'hub-repo-public', 'model-artifacts-served', 'model-identity-disclosed', 'model-input-unvalidated',
  'model-route-verbose-errors', 'model-route-without-rate-limit', 'model-verdict-only-gate',
]);

export interface Miss {
  file: string;
  line: number;
  expected: string[];
  got: string[];
}

export interface FalseAlarm {
  file: string;
  line: number;
  ruleId: string;
  annotated: 'ok' | 'none';
}

export interface Evaluation {
  risky: number;
  hits: number;
  okLines: number;
  okFlagged: number;
  /** Code lines with no annotation. */
  plainLines: number;
  plainFlagged: number;
  misses: Miss[];
  falseAlarms: FalseAlarm[];
}

function startLines(finding: Finding): number[] {
  return [...new Set([finding.range.start.line, finding.statementLines.first])];
}

export function evaluateCorpus(engine: Engine, corpus = CORPUS): Evaluation {
  const result: Evaluation = { risky: 0, hits: 0, okLines: 0, okFlagged: 0, plainLines: 0, plainFlagged: 0, misses: [], falseAlarms: [] };
  for (const name of fs.readdirSync(corpus).filter((f) => f.endsWith('.py')).sort()) {
    const file = path.join(corpus, name);
    const text = fs.readFileSync(file, 'utf8');
    const annotations = parseAnnotations(text);
    const findings = engine.analyze(file, text, { projectRoot: corpus }).findings.filter((f) => !OUT_OF_CORPUS_SCOPE.has(f.ruleId));
    const byLine = new Map<number, Finding[]>();
    for (const finding of findings) {
      for (const line of startLines(finding)) byLine.set(line, [...(byLine.get(line) ?? []), finding]);
    }
    for (const [line, expected] of annotations.expected) {
      result.risky++;
      const got = byLine.get(line) ?? [];
      if (got.some((f) => f.techniques.some((t) => expected.includes(t)))) result.hits++;
      else result.misses.push({ file: name, line: line + 1, expected, got: got.map((f) => `${f.ruleId} ${f.techniques.join(',')}`) });
    }
    const lines = text.split('\n');
    const flaggedLines = new Map<number, Finding>();
    for (const finding of findings) {
      if (startLines(finding).some((l) => annotations.expected.has(l) || annotations.maybe.has(l))) continue;
      flaggedLines.set(finding.statementLines.first, finding);
    }
    lines.forEach((content, index) => {
      if (annotations.expected.has(index) || annotations.maybe.has(index)) return;
      const trimmed = content.trim();
      const isCode = trimmed !== '' && !trimmed.startsWith('#');
      const annotated = annotations.ok.has(index) ? 'ok' : 'none';
      if (annotated === 'ok') result.okLines++;
      else if (isCode) result.plainLines++;
      const finding = flaggedLines.get(index);
      if (!finding) return;
      if (annotated === 'ok') result.okFlagged++;
      else result.plainFlagged++;
      result.falseAlarms.push({ file: name, line: index + 1, ruleId: finding.ruleId, annotated });
    });
  }
  return result;
}

export function formatEvaluation(e: Evaluation): string {
  const recall = (100 * e.hits) / Math.max(1, e.risky);
  const okSilence = (100 * (e.okLines - e.okFlagged)) / Math.max(1, e.okLines);
  const benign = e.okLines + e.plainLines;
  const benignSilence = (100 * (benign - e.okFlagged - e.plainFlagged)) / Math.max(1, benign);
  const lines = [
    `risky lines reported with the right technique: ${e.hits}/${e.risky} (${recall.toFixed(1)}%)`,
    `tricky benign ("ok") lines silent: ${e.okLines - e.okFlagged}/${e.okLines} (${okSilence.toFixed(1)}%)`,
    `all benign code lines silent: ${benign - e.okFlagged - e.plainFlagged}/${benign} (${benignSilence.toFixed(2)}%)`,
  ];
  for (const miss of e.misses) lines.push(`  missed ${miss.file}:${miss.line} expected ${miss.expected.join(',')}${miss.got.length ? ` got ${miss.got.join('; ')}` : ''}`);
  for (const alarm of e.falseAlarms) lines.push(`  false alarm ${alarm.file}:${alarm.line} ${alarm.ruleId} (${alarm.annotated === 'ok' ? 'marked ok' : 'unannotated'})`);
  return lines.join('\n');
}
