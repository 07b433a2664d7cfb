/**
 * `hardcoded-ai-key`: an API key of an AI provider written in a string literal that is passed to a
 * call (a client constructor, a header) or assigned to a key-ish name. The message never repeats
 * the key: it shows the provider's prefix only. The fix reads the key from `process.env`.
 */
import { SyntaxKind, ts } from '../compiler';
import type { RawFinding } from '../../python/run-rules';
import type { LoadedRule } from '../../rules/loader';
import type { TsConditionContext } from '../conditions';
import { statementLines, type KeyLiteralNode } from '../facts';
import { offsetRange } from '../fixes';

interface Provider {
  name: string;
  prefix: string;
  env: string;
  pattern: RegExp;
}

/** Most specific first: `sk-ant-` before `sk-`. */
const PROVIDERS: Provider[] = [
  { name: 'Anthropic', prefix: 'sk-ant-', env: 'ANTHROPIC_API_KEY', pattern: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{32,}/ },
  { name: 'OpenAI', prefix: 'sk-proj-', env: 'OPENAI_API_KEY', pattern: /(?<![A-Za-z0-9_-])sk-proj-[A-Za-z0-9_-]{32,}/ },
  { name: 'OpenAI', prefix: 'sk-', env: 'OPENAI_API_KEY', pattern: /(?<![A-Za-z0-9_-])sk-(?:svcacct-|admin-|None-)?[A-Za-z0-9]{20,}(?:T3BlbkFJ[A-Za-z0-9]{20,})?(?![A-Za-z0-9])/ },
  { name: 'Hugging Face', prefix: 'hf_', env: 'HF_TOKEN', pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])/ },
  { name: 'Google AI', prefix: 'AIza', env: 'GOOGLE_API_KEY', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/ },
];

const KEYISH = /key|token|secret|auth|password|passwd|credential|bearer/i;
const PLACEHOLDER = /x{4,}|X{4,}|your|YOUR|Your|example|EXAMPLE|dummy|DUMMY|fake|FAKE|placeholder|PLACEHOLDER|test|TEST|(.)\1{5,}|0123456789|abcdefgh/;

export interface KeyMatch {
  provider: Provider;
  start: number;
  end: number;
}

/** The first provider key in a string, unless it looks like a placeholder. */
export function findAiKey(text: string): KeyMatch | undefined {
  for (const provider of PROVIDERS) {
    const match = provider.pattern.exec(text);
    if (!match) continue;
    const key = match[0];
    const body = key.slice(provider.prefix.length);
    if (PLACEHOLDER.test(body) || new Set(body).size < 10) return undefined;
    return { provider, start: match.index, end: match.index + key.length };
  }
  return undefined;
}

export function hardcodedAiKey(rule: LoadedRule, _options: Readonly<Record<string, unknown>>, context: TsConditionContext): RawFinding[] {
  const facts = context.facts;
  const findings: RawFinding[] = [];
  for (const { node } of facts.keyLiterals) {
    const found = findAiKey(node.text);
    if (!found || !inKeyContext(node)) continue;
    const { provider } = found;
    const redacted = `${provider.prefix}…`;
    const message = rule.message.replaceAll('{provider}', provider.name).replaceAll('{redacted}', redacted).replaceAll('{env}', provider.env);
    const whole = (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && found.start === 0 && found.end === node.text.length;
    const start = node.getStart(facts.sourceFile);
    const replacement = ts.isJsxAttribute(node.parent) ? `{process.env.${provider.env}}` : `process.env.${provider.env}`;
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message,
      range: offsetRange(facts, start, node.end),
      statementLines: statementLines(node),
      techniques: rule.atlas.techniques,
      mitigations: rule.atlas.mitigations,
      ...(whole ? { fix: { title: `Read the key from process.env.${provider.env}`, safe: false, edits: [{ range: offsetRange(facts, start, node.end), newText: replacement }] } } : {}),
    });
  }
  return findings;
}

/** Passed to a call (directly, in an options object, an array or a template), or given to a key-ish name. */
function inKeyContext(literal: KeyLiteralNode): boolean {
  let node: ts.Node = ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal) ? literal : literal.parent;
  if (ts.isTemplateSpan(node)) node = node.parent;
  for (let depth = 0; depth < 12; depth++) {
    const parent: ts.Node | undefined = node.parent;
    if (!parent) return false;
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node as ts.Expression)) return true;
    if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
      if (KEYISH.test(parent.name.getText())) return true;
    } else if (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isPropertyDeclaration(parent) || ts.isJsxAttribute(parent)) {
      return KEYISH.test(parent.name.getText());
    } else if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === SyntaxKind.EqualsToken && parent.right === node) {
      return KEYISH.test(parent.left.getText());
    } else if (!(ts.isObjectLiteralExpression(parent) || ts.isPropertyAssignment(parent) || ts.isArrayLiteralExpression(parent) || ts.isTemplateExpression(parent) || ts.isTemplateSpan(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isBinaryExpression(parent) || ts.isConditionalExpression(parent))) {
      return false;
    }
    node = parent;
  }
  return false;
}
