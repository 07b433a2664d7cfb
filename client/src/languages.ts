/**
 * The documents the extension hands to the server: ML code and the files around it. The server
 * decides what it can analyse (today Python, incl. notebook cells); the others are sent so that
 * their analysers can arrive without a client change, and the project config for its problems.
 */
/** A filter both `vscode.languages.match` and the language client accept. */
export type Filter = { scheme: string; language: string; pattern?: undefined } | { scheme: string; pattern: string; language?: undefined };

/** Language ids, in the order of the issue: Python, (Jupyter cells are Python), TS/JS, YAML, pip requirements, Dockerfile. */
export const LANGUAGE_IDS = [
  'python',
  'typescript',
  'typescriptreact',
  'javascript',
  'javascriptreact',
  'yaml',
  'pip-requirements',
  'dockerfile',
] as const;

/** Files on disk and unsaved ones; notebook cells come with their own scheme. */
const SCHEMES = ['file', 'untitled'] as const;

export const DOCUMENT_SELECTOR: Filter[] = [
  ...LANGUAGE_IDS.flatMap((language) => SCHEMES.map((scheme) => ({ scheme, language }))),
  // Cells of Jupyter notebooks reach the server through notebook sync (the server declares
  // notebookDocumentSync, and vscode-languageclient then leaves them out of text sync); this
  // filter is what routes hovers, code actions and diagnostic pulls for cells to the server.
  // Markdown cells: VS Code asks for notebook code actions (notebook.source.fixAll) on the first cell.
  { scheme: 'vscode-notebook-cell', language: 'python' },
  { scheme: 'vscode-notebook-cell', language: 'markdown' },
  // Requirements files and Dockerfiles that no installed extension gives a language id.
  ...SCHEMES.map((scheme) => ({ scheme, pattern: '**/{requirements*.txt,*.requirements.txt,Dockerfile,*.Dockerfile,Containerfile}' })),
  ...SCHEMES.map((scheme) => ({ scheme, pattern: '**/.atlas-lens.{yaml,yml}' })),
];
