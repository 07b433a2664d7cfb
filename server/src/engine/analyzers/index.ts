/**
 * The analyzers the engine dispatches to, one per file kind. A new language is one module that
 * implements FileAnalyzer and one line here.
 */
import { createPythonParser } from '../python/parser';
import { DockerfileAnalyzer } from './dockerfile';
import { NotebookAnalyzer } from './notebook';
import { PythonAnalyzer } from './python';
import { RequirementsAnalyzer } from './requirements';
import { TomlAnalyzer } from './toml';
import { createTypeScriptAnalyzers } from './typescript';
import type { FileAnalyzer } from './types';
import { YamlAnalyzer } from './yaml';

export async function createAnalyzers(): Promise<FileAnalyzer[]> {
  const parser = await createPythonParser();
  const python = new PythonAnalyzer(parser);
  const files = [new NotebookAnalyzer(parser), new RequirementsAnalyzer(), new DockerfileAnalyzer(), new TomlAnalyzer(), new YamlAnalyzer()];
  return [python, ...files, ...createTypeScriptAnalyzers()];
}
