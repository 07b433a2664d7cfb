/**
 * Download checks on shell commands (notebook `!` lines, Dockerfile RUN/ADD, CI `run:` steps).
 */
import type { Fix } from '../../types';
import { isCommitSha } from '../../files/requirement-spec';
import { fileFinding, fill, isPublicHttp, type FileCheck } from './index';

/** wget/curl/ADD of a public http:// URL. */
const insecureShellDownload: FileCheck = (rule, _options, facts) =>
  facts.downloads
    .filter((download) => isPublicHttp(download.url))
    .map((download) => {
      const start = download.urlRange.start;
      const fix: Fix = { title: 'Use https://', safe: false, edits: [{ range: { start, end: { line: start.line, character: start.character + 'http://'.length } }, newText: 'https://' }] };
      return fileFinding(rule, { range: download.urlRange, statementLines: download.statementLines, message: fill(rule.message, { tool: download.tool, url: download.url }), fix });
    });

/** `curl … | sh`: whatever the server returns runs, unreviewed and unpinned. */
const downloadPipedToShell: FileCheck = (rule, _options, facts) =>
  facts.downloads
    .filter((download) => download.pipedToShell)
    .map((download) => fileFinding(rule, { range: download.urlRange, statementLines: download.statementLines, message: fill(rule.message, { tool: download.tool, url: download.url, shell: download.pipedToShell!.shell }) }));

/** `huggingface-cli download org/name` without `--revision <commit>`. */
const hubCliDownloadUnpinned: FileCheck = (rule, options, facts) =>
  facts.hubDownloads
    .filter((download) => !isCommitSha(download.revision) && /^[\w.-]+\/[\w.-]+$/.test(download.repo))
    .map((download) => {
      const branch = download.revision !== undefined && typeof options['ref-message'] === 'string' ? (options['ref-message'] as string) : undefined;
      return fileFinding(rule, { range: download.repoRange, statementLines: download.statementLines, message: fill(branch ?? rule.message, { tool: download.tool, repo: download.repo, revision: download.revision ?? '', type: download.repoType }) });
    });

export const downloadChecks: Array<[string, FileCheck]> = [
  ['insecure-shell-download', insecureShellDownload],
  ['download-piped-to-shell', downloadPipedToShell],
  ['hub-cli-download-unpinned', hubCliDownloadUnpinned],
];
