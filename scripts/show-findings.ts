/**
 * Development aid: prints each finding of a file under its source line with carets, so fixture
 * annotations can be checked by eye. Usage: node --import tsx scripts/show-findings.ts FILE...
 */
import * as fs from 'node:fs';
import { Engine } from '../server/src/engine/engine';

void (async () => {
  const engine = await Engine.create();
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    for (const finding of engine.analyze(file, text).findings) {
      const { start, end } = finding.range;
      const width = (end.line === start.line ? end.character : (lines[start.line]?.length ?? 0)) - start.character;
      console.log(`${file}:${start.line + 1}  # expect: ${finding.ruleId} ${finding.severity} ${start.character}-${end.line === start.line ? '' : `+${end.line - start.line}:`}${end.character}`);
      console.log(`  ${lines[start.line]}\n  ${' '.repeat(start.character)}${'^'.repeat(Math.max(1, width))}`);
    }
  }
})();
