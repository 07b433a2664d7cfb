/**
 * The analyzers the engine dispatches to, one per file kind. A new language is one module that
 * implements FileAnalyzer and one line here.
 */
import { createPythonParser } from '../python/parser';
import { PythonAnalyzer } from './python';
import type { FileAnalyzer } from './types';

export async function createAnalyzers(): Promise<FileAnalyzer[]> {
  const python = new PythonAnalyzer(await createPythonParser());
  return [python];
}
