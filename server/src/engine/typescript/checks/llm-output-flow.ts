/**
 * `llm-output-flow`: a value returned by an LLM call (declared `sources`) reaching a sink in the
 * same function: a call argument (`eval`, `new Function`, `vm.runIn*`, `child_process.exec`),
 * a JSX attribute (`dangerouslySetInnerHTML={{ __html: x }}`) or a property (`el.innerHTML = x`).
 * The options mirror the `flow` match of the Python value tracking (sources, sinks, pass-through).
 */
import { ts } from '../compiler';
import { FlowOptionsSchema, type FlowOptions } from './options';
import { normaliseSelector } from '../../python/arguments';
import type { RawFinding } from '../../python/run-rules';
import type { LoadedRule } from '../../rules/loader';
import type { FlowMatch } from '../../rules/schema';
import { readArgument } from '../arguments';
import { evaluateTsCondition, matchesAny, type TsConditionContext } from '../conditions';
import { skipOuter, statementLines, writtenName, type TsScope } from '../facts';
import { calleeRange, displayTsCallee } from '../run-rules';
import type { Range } from '../../types';
import { describePath, Taint, type TaintOrigin } from '../taint';

const parsedOptions = new WeakMap<object, FlowOptions | undefined>();

function optionsOf(options: Readonly<Record<string, unknown>>): FlowOptions | undefined {
  if (!parsedOptions.has(options)) {
    const parsed = FlowOptionsSchema.safeParse(options);
    parsedOptions.set(options, parsed.success ? parsed.data : undefined);
  }
  return parsedOptions.get(options);
}

export function llmOutputFlow(rule: LoadedRule, rawOptions: Readonly<Record<string, unknown>>, context: TsConditionContext): RawFinding[] {
  const options = optionsOf(rawOptions);
  return options ? runTsFlow(rule, options, context) : [];
}

const convertedFlows = new WeakMap<object, FlowOptions>();

/**
 * A rule's `match: { flow }` (the schema of the Python value tracking) read for TS/JS: call sources
 * and call sinks carry over; Python-only parts (names, route parameters, dict entries, tuple items,
 * unless-delimited) have no JavaScript meaning here and are left out.
 */
export function flowOptionsFromMatch(flow: FlowMatch['flow']): FlowOptions {
  let converted = convertedFlows.get(flow);
  if (!converted) {
    converted = {
      sources: flow.sources.map((source) => ({ calls: source.calls ?? [], 'written-calls': source['written-calls'] ?? [] })),
      sinks: flow.sinks.flatMap((sink) =>
        'args' in sink ? [{ calls: sink.calls ?? [], 'written-calls': sink['written-calls'] ?? [], args: sink.args, ...(sink.when ? { when: sink.when } : {}), ...(sink.message ? { message: sink.message } : {}) }] : [],
      ),
      'pass-through': { calls: flow['pass-through'].calls, methods: flow['pass-through'].methods },
    };
    convertedFlows.set(flow, converted);
  }
  return converted;
}

export function runTsFlow(rule: LoadedRule, options: FlowOptions, context: TsConditionContext): RawFinding[] {
  const facts = context.facts;
  const taint = new Taint(
    facts,
    { calls: options.sources.flatMap((s) => s.calls), writtenCalls: options.sources.flatMap((s) => s['written-calls']) },
    options['pass-through'],
  );
  if (!taint.hasSources) return [];
  const findings: RawFinding[] = [];
  const report = (range: Range, at: ts.Node, sink: string, origin: TaintOrigin, message: string | undefined, lines = statementLines(at)): void => {
    const text = (message ?? rule.message)
      .replaceAll('{callee}', sink)
      .replaceAll('{sink}', sink)
      .replaceAll('{source}', origin.label)
      .replaceAll('{line}', String(facts.line(origin.source) + 1))
      .replaceAll('{path}', `${describePath(facts, origin)} → ${sink} (line ${facts.line(at) + 1})`);
    // The path for hovers and SARIF code flows: the source call, each name the value passed through
    // (by its line), the sink.
    const flow = [
      { range: facts.range(origin.source), message: `${origin.label} returns model output` },
      ...origin.steps.map((step) => ({ range: { start: { line: step.line, character: 0 }, end: { line: step.line, character: 0 } }, message: `assigned to ${step.name}` })),
      { range, message: `reaches ${sink}` },
    ];
    findings.push({ ruleId: rule.id, severity: rule.severity, message: text, range, statementLines: lines, techniques: rule.atlas.techniques, mitigations: rule.atlas.mitigations, flow });
  };

  for (const sink of options.sinks) {
    if ('jsx-attribute' in sink) {
      for (const attribute of facts.jsxAttributes) {
        if (attribute.name !== sink['jsx-attribute'] || !attribute.value) continue;
        const value = sink.key ? objectProperty(attribute.value, sink.key, attribute.scope, context) : attribute.value;
        const origin = value && taint.origin(value, attribute.scope);
        if (origin) report(facts.range(attribute.node.name), attribute.node, attribute.name, origin, sink.message);
      }
    } else if ('properties' in sink) {
      for (const assignment of facts.propertyAssignments) {
        if (!sink.properties.includes(assignment.member)) continue;
        const origin = taint.origin(assignment.value, assignment.scope);
        if (origin) report(facts.range(assignment.target), assignment.node, `.${assignment.member}`, origin, sink.message);
      }
    } else {
      for (const call of facts.calls) {
        const resolved = call.qualifiedName !== undefined && matchesAny(sink.calls, call.qualifiedName);
        if (!resolved && !(sink['written-calls'].length > 0 && matchesAny(sink['written-calls'], writtenName(call.callee)))) continue;
        if (sink.when && !evaluateTsCondition(sink.when, call, context)) continue;
        const values = sink.args
          ? sink.args.flatMap((selector) => {
              const argument = readArgument(facts, call, normaliseSelector(selector));
              return argument.state === 'present' ? [argument.node] : [];
            })
          : call.args;
        for (const value of values) {
          const origin = taint.origin(value, call.scope);
          if (!origin) continue;
          const sinkName = `${displayTsCallee(call)}()`;
          report(calleeRange(call, facts), call.node, sinkName, origin, sink.message, call.statementLines);
          break;
        }
      }
    }
  }
  return findings;
}

/** `{ __html: x }` written in place or held in a constant. */
function objectProperty(expression: ts.Expression, key: string, scope: TsScope, context: TsConditionContext): ts.Expression | undefined {
  let node = skipOuter(expression);
  if (ts.isIdentifier(node)) {
    const constant = context.facts.constantDefinition(node, scope);
    if (!constant) return undefined;
    node = skipOuter(constant);
  }
  if (!ts.isObjectLiteralExpression(node)) return undefined;
  for (const property of node.properties) {
    const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
    if (name !== key) continue;
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
  }
  return undefined;
}
