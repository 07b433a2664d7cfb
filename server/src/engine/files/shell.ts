/**
 * Shell command lines as the files run them: notebook `!`/`%` lines, Dockerfile `RUN`, CI `run:`
 * steps. A small POSIX-ish tokenizer (quotes, backslashes, comments, `| || && ; &`) and readers
 * for what matters to supply-chain rules: pip/uv/conda installs, wget/curl downloads and whether
 * they are piped into a shell, Hugging Face CLI downloads.
 * Not a shell: no expansion, no subshells (`$(curl …)` is read as plain words).
 */
import type { Position, Range } from '../types';
import { emptyFacts, type FileFacts } from './facts';
import { readRequirementSpec } from './requirement-spec';

interface Token {
  /** Unquoted value. */
  value: string;
  /** Index in the line of each character of `value`. */
  offsets: number[];
  start: number;
  end: number;
  /** An operator (`|`, `&&`, …) rather than a word. */
  operator?: string;
}

export function tokenizeShell(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let current: Token | undefined;
  const push = (): void => {
    if (current) {
      current.end = i;
      tokens.push(current);
      current = undefined;
    }
  };
  const add = (char: string, at: number): void => {
    current ??= { value: '', offsets: [], start: at, end: at };
    current.value += char;
    current.offsets.push(at);
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      push();
      i++;
    } else if (c === '#' && !current) {
      break; // a comment
    } else if (c === "'") {
      current ??= { value: '', offsets: [], start: i, end: i };
      i++;
      while (i < line.length && line[i] !== "'") add(line[i]!, i++);
      i++;
    } else if (c === '"') {
      current ??= { value: '', offsets: [], start: i, end: i };
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        add(line[i]!, i++);
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 < line.length) add(line[i + 1]!, i + 1);
      i += 2;
    } else if (c === '|' || c === '&' || c === ';') {
      push();
      const two = line.slice(i, i + 2);
      const operator = two === '||' || two === '&&' ? two : c;
      tokens.push({ value: operator, offsets: [], start: i, end: i + operator.length, operator });
      i += operator.length;
    } else {
      add(c, i);
      i++;
    }
  }
  push();
  return tokens;
}

/** Commands of a line, each with whether its output is piped into the next one. */
function simpleCommands(tokens: Token[]): Array<{ words: Token[]; pipeTo?: Token[] }> {
  const commands: Array<{ words: Token[]; operatorAfter?: string }> = [];
  let words: Token[] = [];
  for (const token of tokens) {
    if (token.operator) {
      commands.push({ words, operatorAfter: token.operator });
      words = [];
    } else words.push(token);
  }
  commands.push({ words });
  return commands.map((command, index) => ({ words: command.words, pipeTo: command.operatorAfter === '|' ? commands[index + 1]?.words : undefined }));
}

const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'python', 'python3', 'perl', 'ruby', 'node']);

/** Drops `sudo`, `env X=1`, `X=1` prefixes. */
function commandWords(words: Token[]): Token[] {
  let index = 0;
  while (index < words.length) {
    const word = words[index]!.value;
    if (word === 'sudo' || word === 'env' || word === 'exec' || word === 'time' || word === 'nohup' || ENV_ASSIGNMENT.test(word)) index++;
    else if (word.startsWith('-') && index > 0 && (words[index - 1]!.value === 'sudo' || words[index - 1]!.value === 'env')) index++;
    else break;
  }
  return words.slice(index);
}

export interface ShellContext {
  /** Position of the character at index i of the line. */
  at: (index: number) => Position;
  statementLines: { first: number; last: number };
}

const PIP_VALUE_OPTIONS = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '--trusted-host', '-f', '--find-links',
  '-t', '--target', '--prefix', '--root', '--python-version', '--platform', '--implementation', '--abi', '--no-binary', '--only-binary',
  '--progress-bar', '--cache-dir', '--src', '--upgrade-strategy', '--report', '--log', '--proxy', '--retries', '--timeout', '--exists-action',
  '--cert', '--client-cert', '-C', '--config-settings', '--global-option', '--python', '-p', '--index', '--default-index', '--group',
]);
const INDEX_OPTIONS: Record<string, 'extra-index-url' | 'index-url' | 'trusted-host' | 'find-links'> = {
  '--extra-index-url': 'extra-index-url', '--index-url': 'index-url', '-i': 'index-url', '--trusted-host': 'trusted-host', '-f': 'find-links', '--find-links': 'find-links',
  // uv's names
  '--index': 'extra-index-url', '--default-index': 'index-url',
};

/** Facts of one shell line (continuations already joined by the caller). */
export function readShellLine(line: string, context: ShellContext): FileFacts {
  const facts = emptyFacts();
  for (const { words: raw, pipeTo } of simpleCommands(tokenizeShell(line))) {
    const words = commandWords(raw);
    if (words.length === 0) continue;
    const program = basename(words[0]!.value);
    const args = words.slice(1);
    if (/^pip(3(\.\d+)?)?$/.test(program) && args[0]?.value === 'install') readPipInstall(args.slice(1), context, facts, false);
    else if (/^python(3(\.\d+)?)?$/.test(program) && args[0]?.value === '-m' && args[1]?.value === 'pip' && args[2]?.value === 'install') readPipInstall(args.slice(3), context, facts, false);
    else if (program === 'uv' && args[0]?.value === 'pip' && args[1]?.value === 'install') readPipInstall(args.slice(2), context, facts, false);
    else if (program === 'uv' && args[0]?.value === 'add') readPipInstall(args.slice(1), context, facts, false);
    else if ((program === 'conda' || program === 'mamba' || program === 'micromamba') && args[0]?.value === 'install') readPipInstall(args.slice(1), context, facts, true);
    else if (program === 'wget' || program === 'curl') readDownload(program, args, pipeTo, context, facts);
    else if ((program === 'huggingface-cli' || program === 'hf') && args[0]?.value === 'download') readHubDownload(program, args.slice(1), context, facts);
  }
  return facts;
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function readPipInstall(args: Token[], context: ShellContext, facts: FileFacts, conda: boolean): void {
  const hashed = args.some((arg) => arg.value === '--require-hashes' || arg.value.startsWith('--hash'));
  if (hashed) facts.requireHashes = true;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = arg.value;
    if (value.startsWith('-')) {
      const equals = value.indexOf('=');
      const option = equals > 0 && value.startsWith('--') ? value.slice(0, equals) : value;
      const kind = INDEX_OPTIONS[option];
      let valueToken: Token | undefined;
      let valueFrom = 0;
      if (equals > 0 && value.startsWith('--')) {
        valueToken = arg;
        valueFrom = equals + 1;
      } else if (PIP_VALUE_OPTIONS.has(option)) {
        valueToken = args[++index];
      } else if (conda && (option === '-c' || option === '--channel' || option === '-n' || option === '--name' || option === '-p' || option === '--prefix')) {
        index++;
      }
      if (kind && valueToken) {
        facts.indexOptions.push({
          option: kind,
          value: valueToken.value.slice(valueFrom),
          range: { start: context.at(arg.start), end: context.at(valueToken.end) },
          valueRange: tokenValueRange(valueToken, valueFrom, context),
          statementLines: context.statementLines,
        });
      }
      if ((option === '-e' || option === '--editable') && valueToken) readSpec(valueToken, context, facts, hashed, conda);
      continue;
    }
    readSpec(arg, context, facts, hashed, conda);
  }
}

/** Where character `index` of a token's unquoted value is in the line (index = length: just after the last one). */
function charIndex(token: Token, index: number): number {
  if (index < token.value.length) return token.offsets[index]!;
  return token.value.length > 0 ? token.offsets[token.value.length - 1]! + 1 : token.start;
}

/** The range of a token's unquoted value from character `from` (inside its quotes, if any). */
function tokenValueRange(token: Token, from: number, context: ShellContext): Range {
  return { start: context.at(charIndex(token, from)), end: context.at(charIndex(token, token.value.length)) };
}

function readSpec(token: Token, context: ShellContext, facts: FileFacts, hashed: boolean, conda: boolean): void {
  const result = readRequirementSpec(token.value, {
    at: (index) => context.at(charIndex(token, index)),
    statementLines: context.statementLines,
    hashed,
    conda,
  });
  if (!result) return;
  if ('dependency' in result) facts.dependencies.push(result.dependency);
  else facts.vcsDependencies.push(result.vcs);
}

const CURL_VALUE_OPTIONS = new Set(['-o', '--output', '-H', '--header', '-d', '--data', '-X', '--request', '-u', '--user', '-A', '--user-agent', '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-m', '--max-time', '--retry', '--connect-timeout', '-w', '--write-out', '-T', '--upload-file', '-F', '--form', '-x', '--proxy', '--cacert', '--cert', '-K', '--config', '-r', '--range', '-C', '--continue-at', '--data-binary', '--data-raw', '--limit-rate', '-z', '--time-cond']);
const WGET_VALUE_OPTIONS = new Set(['-O', '--output-document', '-P', '--directory-prefix', '-o', '--output-file', '-a', '--append-output', '-t', '--tries', '-T', '--timeout', '-U', '--user-agent', '--header', '--user', '--password', '-e', '--execute', '-i', '--input-file', '-w', '--wait', '-l', '--level', '-Q', '--quota', '--limit-rate', '-B', '--base']);

function readDownload(program: string, args: Token[], pipeTo: Token[] | undefined, context: ShellContext, facts: FileFacts): void {
  const valueOptions = program === 'curl' ? CURL_VALUE_OPTIONS : WGET_VALUE_OPTIONS;
  const shellWords = pipeTo ? commandWords(pipeTo) : [];
  const shell = shellWords[0] ? basename(shellWords[0].value) : undefined;
  const piped = shell && SHELLS.has(shell) ? { range: { start: context.at(shellWords[0]!.start), end: context.at(shellWords[0]!.end) }, shell } : undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg.value.startsWith('-')) {
      if (valueOptions.has(arg.value)) index++;
      continue;
    }
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(arg.value)) continue;
    facts.downloads.push({ tool: program, url: arg.value, urlRange: tokenValueRange(arg, 0, context), ...(piped ? { pipedToShell: piped } : {}), statementLines: context.statementLines });
  }
}

const HF_VALUE_OPTIONS = new Set(['--revision', '--repo-type', '--include', '--exclude', '--local-dir', '--cache-dir', '--token', '--max-workers', '--local-dir-use-symlinks']);

function readHubDownload(program: string, args: Token[], context: ShellContext, facts: FileFacts): void {
  let repo: Token | undefined;
  let revision: string | undefined;
  let repoType: 'model' | 'dataset' | 'space' = 'model';
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const [option, inline] = arg.value.startsWith('--') && arg.value.includes('=') ? [arg.value.slice(0, arg.value.indexOf('=')), arg.value.slice(arg.value.indexOf('=') + 1)] : [arg.value, undefined];
    if (option.startsWith('-')) {
      const value = inline ?? (HF_VALUE_OPTIONS.has(option) ? args[++index]?.value : undefined);
      if (option === '--revision') revision = value;
      if (option === '--repo-type' && (value === 'dataset' || value === 'space' || value === 'model')) repoType = value;
      continue;
    }
    repo ??= arg;
  }
  if (!repo) return;
  facts.hubDownloads.push({ tool: program, repo: repo.value, repoRange: tokenValueRange(repo, 0, context), revision, repoType, statementLines: context.statementLines });
}

