/**
 * Dependency checks (AML.T0010.001 AI Supply Chain Compromise: AI Software), on requirements
 * files, pyproject.toml, conda environments and the pip/uv/conda installs of notebooks,
 * Dockerfiles and CI steps alike.
 */
import type { Fix } from '../../types';
import { installedVersions } from '../../files/installed-versions';
import { mlSupplyChain } from '../../files/ml-supply-chain';
import { isCommitSha } from '../../files/requirement-spec';
import { fileFinding, fill, isPublicHttp, type FileCheck } from './index';

function option(options: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' ? value : undefined;
}

/** ML packages without an exact pin or a hash. */
const mlPackageUnpinned: FileCheck = (rule, options, facts, context) => {
  const ml = mlSupplyChain();
  const installed = installedVersions(context.projectRoot);
  return facts.dependencies
    .filter((dependency) => dependency.pin !== 'exact' && !dependency.hashed && !facts.requireHashes && ml.isMlPackage(dependency.normalised))
    .map((dependency) => {
      const version = installed.get(dependency.normalised);
      const fix: Fix | undefined =
        version && dependency.pinInsert
          ? { title: `Pin ${dependency.name}==${version} (installed in the project's virtual environment)`, safe: false, edits: [{ range: dependency.pinInsert.range, newText: `${dependency.pinInsert.prefix}${version}${dependency.pinInsert.suffix}` }] }
          : undefined;
      const values = { package: dependency.name, specifier: dependency.specifier };
      const ranged = dependency.pin === 'range';
      return fileFinding(rule, {
        range: dependency.range,
        statementLines: dependency.statementLines,
        severity: ranged ? 'info' : rule.severity,
        message: fill((ranged ? option(options, 'range-message') : undefined) ?? rule.message, values),
        fix,
      });
    });
};

/** `--extra-index-url`: pip takes the highest version from any index (dependency confusion). */
const extraIndexUrl: FileCheck = (rule, _options, facts) =>
  facts.indexOptions
    .filter((index) => index.option === 'extra-index-url')
    .map((index) => fileFinding(rule, { range: index.range, statementLines: index.statementLines, message: fill(rule.message, { url: index.value }) }));

/** Package indexes over plain http:// and `--trusted-host` (TLS checks off). */
const insecurePackageIndex: FileCheck = (rule, options, facts) => {
  const findings = [];
  for (const index of facts.indexOptions) {
    if (index.option === 'trusted-host') {
      findings.push(fileFinding(rule, { range: index.range, statementLines: index.statementLines, message: fill(option(options, 'trusted-host-message') ?? rule.message, { host: index.value, url: index.value }) }));
    } else if (isPublicHttp(index.value)) {
      const fix: Fix = { title: 'Use https://', safe: false, edits: [{ range: { start: index.valueRange.start, end: { line: index.valueRange.start.line, character: index.valueRange.start.character + 'http://'.length } }, newText: 'https://' }] };
      // Only offer it when the value is on one line (always, for the readers we have).
      findings.push(fileFinding(rule, { range: index.valueRange, statementLines: index.statementLines, message: fill(rule.message, { url: index.value }), ...(index.valueRange.start.line === index.valueRange.end.line ? { fix } : {}) }));
    }
  }
  return findings;
};

/** `git+https://…` without a full commit sha. */
const vcsDependencyUnpinned: FileCheck = (rule, options, facts) =>
  facts.vcsDependencies
    .filter((vcs) => !isCommitSha(vcs.ref))
    .map((vcs) => fileFinding(rule, { range: vcs.range, statementLines: vcs.statementLines, message: fill((vcs.ref ? option(options, 'ref-message') : undefined) ?? rule.message, { url: vcs.url, ref: vcs.ref ?? '' }) }));

export const dependencyChecks: Array<[string, FileCheck]> = [
  ['ml-package-unpinned', mlPackageUnpinned],
  ['pip-extra-index-url', extraIndexUrl],
  ['insecure-package-index', insecurePackageIndex],
  ['vcs-dependency-unpinned', vcsDependencyUnpinned],
];
