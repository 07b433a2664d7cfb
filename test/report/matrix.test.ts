/**
 * The ATLAS matrix model (engine/report/matrix.ts): column and cell order, sub-techniques folded
 * under their parent with counts aggregated once per finding, empty (dimmed) cells, unknown ids.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import type { AtlasMatrixLike } from '../../server/src/engine/report/exposure';
import { buildMatrix } from '../../server/src/engine/report/matrix';
import type { Severity } from '../../server/src/engine/types';
import { finding } from './fixtures';

/** A small catalog: two tactics (declared in matrix order B before A), a parent with two subs, a technique in both tactics. */
const TECHNIQUES = [
  { id: 'AML.T0002', name: 'Second', tactics: ['AML.TA0001'] },
  { id: 'AML.T0001', name: 'Parent', tactics: ['AML.TA0001', 'AML.TA0002'] },
  { id: 'AML.T0001.000', name: 'Sub Zero', parent: 'AML.T0001', tactics: ['AML.TA0001', 'AML.TA0002'] },
  { id: 'AML.T0001.001', name: 'Sub One', parent: 'AML.T0001', tactics: ['AML.TA0001', 'AML.TA0002'] },
  { id: 'AML.T0003', name: 'Lonely', tactics: ['AML.TA0002'] },
];
const small: AtlasMatrixLike = {
  version: '9.9.9',
  tactics: [
    { id: 'AML.TA0002', name: 'Tactic B' },
    { id: 'AML.TA0001', name: 'Tactic A' },
  ],
  technique: (id) => TECHNIQUES.find((t) => t.id === id),
  allTechniques: () => TECHNIQUES,
  fullName: (id) => {
    const t = TECHNIQUES.find((x) => x.id === id);
    if (!t) return undefined;
    const parent = t.parent ? TECHNIQUES.find((x) => x.id === t.parent) : undefined;
    return parent ? `${parent.name}: ${t.name}` : t.name;
  },
  techniqueUrl: (id) => `https://atlas.example/techniques/${id}`,
};

const at = (line: number, severity: Severity, techniques: string[]) => finding({ file: '/p/a.py', line, character: 0, severity, techniques });
const zero = { error: 0, warning: 0, info: 0 };

describe('buildMatrix', () => {
  test('columns follow the matrix order, cells the catalog order, subs folded under their parent', () => {
    const matrix = buildMatrix([], small);
    assert.equal(matrix.atlasVersion, '9.9.9');
    assert.deepEqual(
      matrix.columns.map((column) => [column.tacticId, column.tacticName, column.cells.map((cell) => [cell.techniqueId, cell.subtechniques.map((sub) => sub.techniqueId)])]),
      [
        ['AML.TA0002', 'Tactic B', [['AML.T0001', ['AML.T0001.000', 'AML.T0001.001']], ['AML.T0003', []]]],
        ['AML.TA0001', 'Tactic A', [['AML.T0002', []], ['AML.T0001', ['AML.T0001.000', 'AML.T0001.001']]]],
      ],
    );
    assert.deepEqual(matrix.unknownTechniques, []);
  });

  test('a cell without findings is empty: zero counts, score 0, no worst; names are the own names, urls set', () => {
    const [cell] = buildMatrix([], small).columns[0]!.cells;
    assert.deepEqual(cell, {
      techniqueId: 'AML.T0001',
      name: 'Parent',
      url: 'https://atlas.example/techniques/AML.T0001',
      counts: zero,
      score: 0,
      subtechniques: [
        { techniqueId: 'AML.T0001.000', name: 'Sub Zero', url: 'https://atlas.example/techniques/AML.T0001.000', counts: zero, score: 0, subtechniques: [] },
        { techniqueId: 'AML.T0001.001', name: 'Sub One', url: 'https://atlas.example/techniques/AML.T0001.001', counts: zero, score: 0, subtechniques: [] },
      ],
    });
    assert.equal('worst' in cell!, false);
  });

  test('a parent aggregates itself and its subs, each finding once; the subs keep their own counts', () => {
    const findings = [
      at(1, 'warning', ['AML.T0001.000']),
      at(2, 'info', ['AML.T0001.000', 'AML.T0001.001']), // one finding citing both subs
      at(3, 'error', ['AML.T0001', 'AML.T0001.001']), // the parent and a sub
      at(4, 'info', ['AML.T0002']),
    ];
    const matrix = buildMatrix(findings, small);
    const parent = matrix.columns[0]!.cells[0]!;
    assert.deepEqual(parent.counts, { error: 1, warning: 1, info: 1 });
    assert.equal(parent.worst, 'error');
    assert.equal(parent.score, 10 + 3 + 1);
    assert.deepEqual(
      parent.subtechniques.map((sub) => [sub.techniqueId, sub.counts, sub.worst, sub.score]),
      [
        ['AML.T0001.000', { error: 0, warning: 1, info: 1 }, 'warning', 4],
        ['AML.T0001.001', { error: 1, warning: 0, info: 1 }, 'error', 11],
      ],
    );
    // The same technique in a second tactic's column is the same cell.
    assert.deepEqual(matrix.columns[1]!.cells[1], parent);
    const second = matrix.columns[1]!.cells[0]!;
    assert.deepEqual([second.counts, second.worst, second.score], [{ error: 0, warning: 0, info: 1 }, 'info', 1]);
    // Untouched cells stay empty.
    assert.deepEqual([matrix.columns[0]!.cells[1]!.counts, matrix.columns[0]!.cells[1]!.worst], [zero, undefined]);
  });

  test('a finding citing one technique twice counts once', () => {
    const parent = buildMatrix([at(1, 'warning', ['AML.T0001', 'AML.T0001'])], small).columns[0]!.cells[0]!;
    assert.deepEqual(parent.counts, { error: 0, warning: 1, info: 0 });
  });

  test('unknown technique ids get no cell and are listed with their counts; untagged findings count nowhere', () => {
    const matrix = buildMatrix([at(1, 'error', ['AML.T9999']), at(2, 'warning', ['AML.T9999', 'AML.T0003']), at(3, 'info', ['AML.T0001.999']), at(4, 'error', [])], small);
    assert.deepEqual(matrix.unknownTechniques, [
      { techniqueId: 'AML.T0001.999', counts: { error: 0, warning: 0, info: 1 }, score: 1 },
      { techniqueId: 'AML.T9999', counts: { error: 1, warning: 1, info: 0 }, score: 13 },
    ]);
    assert.deepEqual(matrix.columns[0]!.cells[1]!.counts, { error: 0, warning: 1, info: 0 });
    const all = matrix.columns.flatMap((column) => column.cells.flatMap((cell) => [cell, ...cell.subtechniques]));
    assert.equal(all.some((cell) => cell.techniqueId === 'AML.T9999' || cell.techniqueId === 'AML.T0001.999'), false);
    // The parent of an unknown sub-technique id is not credited with it.
    assert.deepEqual(matrix.columns[0]!.cells[0]!.counts, zero);
  });

  test('the bundled catalog: every tactic a column in matrix order, every technique a cell or folded sub', () => {
    const catalog = loadBundledCatalog();
    const matrix = buildMatrix([finding({ file: '/p/a.py', line: 0, character: 0, severity: 'error', techniques: ['AML.T0011.000'] })], catalog);
    assert.equal(matrix.atlasVersion, catalog.version);
    assert.deepEqual(matrix.columns.map((column) => column.tacticId), catalog.tactics.map((tactic) => tactic.id));
    assert.equal(matrix.columns[0]!.tacticId, 'AML.TA0002');
    const placed = new Set(matrix.columns.flatMap((column) => column.cells.flatMap((cell) => [cell.techniqueId, ...cell.subtechniques.map((sub) => sub.techniqueId)])));
    assert.deepEqual([...placed].sort(), catalog.allTechniques().map((t) => t.id).sort());
    assert.equal(matrix.columns.flatMap((column) => column.cells).some((cell) => cell.techniqueId.includes('.', 6)), false, 'no sub-technique at the top level');
    const execution = matrix.columns.find((column) => column.tacticId === 'AML.TA0005')!;
    const userExecution = execution.cells.find((cell) => cell.techniqueId === 'AML.T0011')!;
    assert.deepEqual([userExecution.name, userExecution.url, userExecution.counts, userExecution.worst, userExecution.score], ['User Execution', 'https://atlas.mitre.org/techniques/AML.T0011', { error: 1, warning: 0, info: 0 }, 'error', 10]);
    assert.deepEqual(userExecution.subtechniques.find((sub) => sub.techniqueId === 'AML.T0011.000')?.name, 'Unsafe AI Artifacts');
    const lit = matrix.columns.flatMap((column) => column.cells).filter((cell) => cell.score > 0).map((cell) => cell.techniqueId);
    assert.deepEqual(lit, ['AML.T0011']);
  });
});
