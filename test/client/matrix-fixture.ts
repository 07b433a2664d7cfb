// A small workspace snapshot for the findings-tree and matrix-HTML tests: three tactics in matrix
// order, a technique listed under two of them, sub-techniques folded under their parents.
import type { AtlasMatrix, FindingSeverity, MatrixCell, WorkspaceFinding } from '../../server/src/lsp/protocol';

// As the server builds them (engine/report/matrix.ts): a parent's counts include its
// sub-techniques' findings (each once); a sub-technique carries its own name.
export function cell(techniqueId: string, name: string, counts: Partial<Record<FindingSeverity, number>> = {}, subtechniques: MatrixCell[] = []): MatrixCell {
  const full = { error: counts.error ?? 0, warning: counts.warning ?? 0, info: counts.info ?? 0 };
  const worst = full.error > 0 ? 'error' : full.warning > 0 ? 'warning' : full.info > 0 ? 'info' : undefined;
  return { techniqueId, name, url: `https://atlas.mitre.org/techniques/${techniqueId}`, counts: full, ...(worst ? { worst } : {}), score: 10 * full.error + 3 * full.warning + full.info, subtechniques };
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
        cell('AML.T0010', 'AI Supply Chain Compromise', { error: 1, warning: 2 }, [
          cell('AML.T0010.001', 'AI Software', { warning: 1 }),
          cell('AML.T0010.003', 'Model', { error: 1 }),
        ]),
        cell('AML.T0049', 'Exploit Public-Facing Application', { info: 1 }),
      ],
    },
    {
      tacticId: 'AML.TA0005',
      tacticName: 'Execution',
      cells: [
        cell('AML.T0011', 'User Execution', { error: 1, warning: 2 }, [cell('AML.T0011.000', 'Unsafe AI Artifacts', { error: 1, warning: 2 })]),
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
