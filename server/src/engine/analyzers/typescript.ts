/**
 * The TypeScript and JavaScript analyzers (.ts .tsx .mts .cts / .js .jsx .mjs .cjs): ts-morph
 * parse into one shared in-memory project, shared facts (typescript/facts.ts), then the same
 * declarative call rules as Python plus checks (typescript/checks). ts-morph is loaded on the
 * first TS/JS file, so Python-only runs do not pay for it.
 */
import type { RuleLanguage } from '../types';
import type { AnalyzerInput, AnalyzerOutput, FileAnalyzer } from './types';

type Implementation = typeof import('../typescript/analyze');

/** One ts-morph project shared by the TypeScript and the JavaScript analyzer of an engine. */
export class TsProjectHolder {
  private workspace?: InstanceType<Implementation['TsWorkspace']>;

  get(): InstanceType<Implementation['TsWorkspace']> {
    if (!this.workspace) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const implementation = require('../typescript/analyze') as Implementation;
      this.workspace = new implementation.TsWorkspace();
    }
    return this.workspace;
  }
}

export class TypeScriptAnalyzer implements FileAnalyzer {
  readonly ruleLanguages: readonly RuleLanguage[];

  constructor(
    readonly kind: 'typescript' | 'javascript',
    private readonly holder: TsProjectHolder,
  ) {
    this.ruleLanguages = [kind];
  }

  analyze(input: AnalyzerInput): AnalyzerOutput {
    return this.holder.get().analyze(input);
  }

  prepare(): void {
    this.holder.get();
  }
}

export function createTypeScriptAnalyzers(): FileAnalyzer[] {
  const holder = new TsProjectHolder();
  return [new TypeScriptAnalyzer('typescript', holder), new TypeScriptAnalyzer('javascript', holder)];
}
