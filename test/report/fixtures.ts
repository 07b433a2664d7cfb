/** Shared test data for the reporter tests. */
import * as path from 'node:path';
import type { Finding, Severity } from '../../server/src/engine/types';
import type { LoadedRule } from '../../server/src/engine/rules/loader';
import { createStaticAtlasLookup } from '../../server/src/engine/report/atlas-lookup';

export const ROOT = path.resolve('/tmp/atlas lens proj');

export const atlas = createStaticAtlasLookup(
  '5.6.0',
  {
    'AML.T0011.000': 'User Execution: Unsafe AI Artifacts',
    'AML.T0010.003': 'AI Supply Chain Compromise: Model',
    'AML.T0018': 'Manipulate AI Model',
  },
  { 'AML.M0011': 'Restrict Library Loading' },
);

export function finding(partial: Partial<Finding> & { file: string; line: number; character: number }): Finding {
  const { line, character, ...rest } = partial;
  return {
    ruleId: 'torch-load-unsafe',
    severity: 'error' as Severity,
    message: 'torch.load without weights_only=True can run arbitrary code from the file.',
    range: { start: { line, character }, end: { line, character: character + 10 } },
    statementLines: { first: line, last: line },
    techniques: ['AML.T0011.000'],
    mitigations: ['AML.M0011'],
    ...rest,
  };
}

export function rule(partial: Partial<LoadedRule> & { id: string }): LoadedRule {
  return {
    title: `Title of ${partial.id}`,
    severity: 'error',
    languages: ['python'],
    atlas: { techniques: ['AML.T0011.000'], mitigations: ['AML.M0011'] },
    message: 'message',
    docs: {
      why: 'Pickle files run code when loaded.',
      bad: 'model = torch.load(path)',
      good: 'model = torch.load(path, weights_only=True)',
      fix: 'Pass weights_only=True.',
      references: ['https://pytorch.org/docs/stable/generated/torch.load.html'],
    },
    // The reporters never look at the match; a check match is the smallest valid one.
    match: { check: 'test-only' },
    source: `/rules/python/${partial.id}.yaml`,
    ...partial,
  };
}

export const RULES: LoadedRule[] = [
  rule({ id: 'torch-load-unsafe' }),
  rule({
    id: 'hf-remote-code',
    severity: 'warning',
    atlas: { techniques: ['AML.T0010.003', 'AML.T0011.000'], mitigations: [] },
    docs: { why: 'Remote code runs on load.', bad: 'from_pretrained(x, trust_remote_code=True)', good: 'from_pretrained(x)', references: [] },
  }),
  // Loaded but never reported: must still appear in the SARIF rules.
  rule({ id: 'unused-rule', severity: 'info', atlas: { techniques: ['AML.T0018'], mitigations: [] } }),
];
