// A small workspace snapshot for the findings-tree and matrix-HTML tests: three tactics in matrix
// order, a technique listed under two of them, sub-techniques folded under their parents.
import type { AtlasMatrix, FindingSeverity, MatrixCell, WorkspaceFinding } from '../../server/src/lsp/protocol';

export function cell(techniqueId: string, name: string, counts: Partial<Record<FindingSeverity, number>> = {}, subtechniques: MatrixCell[] = []): MatrixCell {
  const full = { error: counts.error ?? 0, warning: counts.warning ?? 0, info: counts.info ?? 0 };
  const all = [full, ...subtechniques.map((sub) => sub.counts)];
  const total = (severity: FindingSeverity): number => all.reduce((sum, c) => sum + c[severity], 0);
  const worst = total('error') > 0 ? 'error' : total('warning') > 0 ? 'warning' : total('info') > 0 ? 'info' : undefined;
  return { techniqueId, name, url: `https://atlas.mitre.org/techniques/${techniqueId}`, counts: full, worst, score: 10 * full.error + 3 * full.warning + full.info, subtechniques };
}

export const MATRIX: AtlasMatrix = {
  atlasVersion: '5.6.0',
  columns: [
    {
      tacticId: 'AML.TA0002',
      tacticName: 'Reconnaissance',
      cells: [cell('AML.T0000', 'Search Open Technical Databases')],
    },
    {
      tacticId: 'AML.TA0004',
      tacticName: 'Initial Access',
      cells: [
        cell('AML.T0010', 'AI Supply Chain Compromise', { warning: 1 }, [
          cell('AML.T0010.001', 'AI Supply Chain Compromise: AI Software', { warning: 1 }),
          cell('AML.T0010.003', 'AI Supply Chain Compromise: Model', { error: 1 }),
        ]),
        cell('AML.T0049', 'Exploit Public-Facing Application', { info: 1 }),
      ],
    },
    {
      tacticId: 'AML.TA0005',
      tacticName: 'Execution',
      cells: [
        cell('AML.T0011', 'User Execution', {}, [cell('AML.T0011.000', 'User Execution: Unsafe AI Artifacts', { error: 1, warning: 2 })]),
        cell('AML.T0049', 'Exploit Public-Facing Application', { info: 1 }),
      ],
    },
  ],
};

export const WS = 'file:///ws';

export function finding(file: string, line: number, ruleId: string, severity: FindingSeverity, techniques: string[], extra: Partial<WorkspaceFinding> = {}): WorkspaceFinding {
  return {
    uri: `${WS}/${file}`,
    range: { start: { line, character: 4 }, end: { line, character: 14 } },
    ruleId,
    title: `${ruleId} title`,
    message: `${ruleId} message`,
    severity,
    techniques,
    ...extra,
  };
}

export const displayPath = (uri: string): string => uri.replace(`${WS}/`, '');
