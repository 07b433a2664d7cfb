/**
 * The shape of a rule file (rules/<language>/<id>.yaml). One rule a file; the YAML owns the
 * metadata, the ATLAS links, the message, the documentation, the match and the fix. A rule that
 * needs code names a `check` implemented in the engine (engine/checks) instead of a call match.
 *
 * Building these schemas costs time, so nothing on the way to a scan or a server start imports
 * this module's values: bundled rules come validated from the build's snapshot
 * (validated-snapshot.ts), the loader requires this module when a rule file is not there, and
 * the pieces the checks' options share are in schema-parts.ts.
 */
import { z } from 'zod';
import { sharedSchemas } from './schema-parts';

export const { ArgumentSelectorSchema, RegexSchema, SeveritySchema } = sharedSchemas();

const TechniqueId = z.string().regex(/^AML\.T\d{4}(\.\d{3})?$/, 'expected an ATLAS technique id such as AML.T0011.000');
const MitigationId = z.string().regex(/^AML\.M\d{4}$/, 'expected an ATLAS mitigation id such as AML.M0011');
const RuleId = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'rule ids are kebab-case, e.g. torch-load-unsafe');

/** A literal as written in source: strings, numbers, booleans and None (null). */
const LiteralValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * A condition on one argument. Exactly one test is given besides `arg`.
 * - absent / present: whether the argument is passed at all (present includes "maybe, through *args / **kwargs")
 * - written: the argument is written at the call itself, by keyword or position (not only possibly in *args / **kwargs)
 * - equals / in: the literal value (after following constants) equals one of these
 * - matches: the literal string value matches this regular expression
 * - non-literal: the argument is passed but its value is not a literal the engine can know
 */
const ArgumentTestSchema = z.strictObject({
  arg: ArgumentSelectorSchema,
  absent: z.literal(true).optional(),
  present: z.literal(true).optional(),
  written: z.literal(true).optional(),
  equals: LiteralValue.optional(),
  in: z.array(LiteralValue).min(1).optional(),
  'not-in': z.array(LiteralValue).min(1).optional(),
  matches: z.string().min(1).optional(),
  'non-literal': z.literal(true).optional(),
  /**
   * The value is a dotted name that resolves (through imports) to one of these qualified names, or
   * the result of a call written with `()`: `model=AutoModel.from_pretrained(...)` (directly or through
   * a constant) resolves to `transformers.AutoModel.from_pretrained()`, matched by `**.from_pretrained()`.
   */
  'resolves-to': z.array(z.string().min(1)).min(1).optional(),
  /**
   * The value is a local filesystem path: a literal starting with ./ ../ / ~ or a drive letter,
   * a directory that exists next to the file or in the project, or os.path / pathlib calls.
   */
  'local-path': z.literal(true).optional(),
  /**
   * The value is a path fixed when the code is written: a literal (through constants), or built only
   * from literals, `__file__` / `module.__file__`, os.path and pathlib helpers, `/`, `+` and f-strings:
   * `os.path.join(os.path.dirname(__file__), "ops.so")`, `Path(__file__).parent / "ops.so"`.
   */
  'fixed-path': z.literal(true).optional(),
});

export type ArgumentTest = z.infer<typeof ArgumentTestSchema>;

/** The call's resolved name matches one of these patterns (to vary a case by callee). */
const CalleeTestSchema = z.strictObject({ callee: z.array(z.string().min(1)).min(1) });

/**
 * The project (requirements*.txt, pyproject.toml at the project root) requires this package at
 * this version or later — for defaults that changed between versions.
 */
const ProjectRequiresSchema = z.strictObject({
  'project-requires': z.strictObject({ package: z.string().min(1), 'at-least': z.string().regex(/^\d+(\.\d+)*$/, 'a version such as 2.6') }),
});

export type Condition =
  | ArgumentTest
  | { callee: string[] }
  | { 'project-requires': { package: string; 'at-least': string } }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
    CalleeTestSchema,
    ProjectRequiresSchema,
    ArgumentTestSchema.refine(
      (test) =>
        [test.absent, test.present, test.written, test.equals !== undefined ? true : undefined, test.in, test['not-in'], test.matches, test['non-literal'], test['resolves-to'], test['local-path'], test['fixed-path']].filter(
          (x) => x !== undefined,
        ).length === 1,
      'an argument condition needs exactly one of absent, present, written, equals, in, not-in, matches, non-literal, resolves-to, local-path, fixed-path',
    ),
  ]),
);

/** One edit of a fix, applied to the matched call. */
export const FixOperationSchema = z.union([
  /** Set a keyword argument to this source text, replacing its value or appending it. */
  z.strictObject({ 'set-arg': z.strictObject({ name: z.string().min(1), value: z.string().min(1) }) }),
  /** Delete a keyword argument together with its separating comma. */
  z.strictObject({ 'remove-arg': z.string().min(1) }),
  /** Replace the last attribute of the callee (yaml.load -> yaml.safe_load); only offered for attribute calls. */
  z.strictObject({ 'rename-method': z.string().min(1) }),
  /**
   * Replace the string literal of an argument, keeping its quotes. With `find` (a regular expression),
   * only its first match in the literal as written is replaced (`$1` works): `{ find: '^http://', value: 'https://' }`.
   */
  z.strictObject({ 'replace-string': z.strictObject({ arg: ArgumentSelectorSchema, find: z.string().min(1).optional(), value: z.string() }) }),
  /**
   * Set a keyword argument (default `revision`) to the commit that the local Hugging Face cache
   * records for the repository named by `repo` (a literal, through constants), at the ref the
   * argument names now or `main`. Offline; when the cache has no such repository the fix is not offered.
   */
  z.strictObject({
    'pin-hf-revision': z.strictObject({
      repo: ArgumentSelectorSchema,
      'repo-type': z.enum(['model', 'dataset', 'space']).default('model'),
      /** An argument that can override the repository type, e.g. `hf_hub_download(..., repo_type="dataset")`. */
      'repo-type-arg': z.string().min(1).optional(),
      arg: z.string().min(1).default('revision'),
    }),
  }),
]);

export type FixOperation = z.infer<typeof FixOperationSchema>;

export const FixSchema = z.strictObject({
  title: z.string().min(1),
  /** Safe fixes are applied by "fix all"; unsafe ones only on request. */
  safe: z.boolean().default(false),
  edits: z.array(FixOperationSchema).min(1),
});

export type FixSpec = z.infer<typeof FixSchema>;

/** A variant of a call match: first case whose `when` holds wins; it may override severity and message. */
export const CaseSchema = z.strictObject({
  when: ConditionSchema.optional(),
  /** `false` makes this an exception: a call matching it is known safe and later cases are not tried. */
  report: z.boolean().default(true),
  severity: SeveritySchema.optional(),
  message: z.string().min(1).optional(),
  fix: FixSchema.optional(),
  /** Where to underline: the whole call (default), the callee, or one argument. */
  highlight: z.union([z.enum(['call', 'callee']), z.strictObject({ arg: ArgumentSelectorSchema })]).optional(),
});

export type CaseSpec = z.infer<typeof CaseSchema>;

export const CallMatchSchema = z.strictObject({
  /**
   * Qualified names the call must resolve to through imports. `*` stands for one dotted segment,
   * `**` for one or more: `transformers.**.from_pretrained`, `**.from_pretrained`. A method on an
   * instance is written with `()`: `app = Flask(__name__); app.run()` is `flask.Flask().run`.
   */
  calls: z.array(z.string().min(1)).min(1),
  /**
   * Also try calls whose callee does not resolve (`self.loader_cls.from_pretrained(...)`), for risks
   * that an argument names on its own, e.g. `trust_remote_code=True`; the cases must then test arguments.
   */
  'unresolved-calls': z.boolean().default(false),
  /**
   * Words the call's own source text must contain for the cases to be tried, e.g. a keyword
   * argument's name. A cheap filter for rules that look at every call (`calls: ['**']`).
   */
  'call-contains': z.array(z.string().min(1)).min(1).optional(),
  /** The cases, in order; a call matching none of them is not reported. */
  cases: z.array(CaseSchema).min(1),
});

export const CheckMatchSchema = z.strictObject({
  /** The name of a check implemented in the engine (engine/checks). */
  check: z.string().min(1),
  /** Free-form options handed to the check. */
  options: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Where a tracked value comes from (the value tracking of python/dataflow.ts):
 * - calls: the result of a call whose callee resolves to one of these patterns (`openai.*().chat.completions.create`);
 * - written-calls: the same, matched against the callee as written, with local assignments followed
 *   (`self.client.chat.completions.create`, `db.as_retriever().invoke`), for receivers that do not resolve;
 * - names: reading a name or attribute that resolves to one of these patterns (`flask.request.**`), or
 *   calling a method on it (`request.get_json()`);
 * - route-parameters: the parameters of a web route handler (FastAPI, Flask, Starlette), except dependencies.
 */
export const FlowSourceSchema = z
  .strictObject({
    calls: z.array(z.string().min(1)).min(1).optional(),
    'written-calls': z.array(z.string().min(1)).min(1).optional(),
    names: z.array(z.string().min(1)).min(1).optional(),
    'route-parameters': z.literal(true).optional(),
    /** How the source is named in messages (`{source}`); by default the callee or name as written. */
    label: z.string().min(1).optional(),
  })
  .refine(
    (source) => [source.calls, source['written-calls'], source.names, source['route-parameters']].filter((x) => x !== undefined).length >= 1,
    'a source needs calls, written-calls, names or route-parameters',
  );

/**
 * Where a tracked value must not arrive. One of:
 * - a call (`calls` / `written-calls` as for sources) and the arguments to look at (`args`), with an
 *   optional `when` condition on the call (`unsafe_allow_html=True`);
 * - dict-entry: the value under `key` in a dict literal whose other entries are literals in the
 *   given lists (`{"role": "system", "content": X}`);
 * - tuple-item: an item of a tuple literal whose other items are literals in the given lists
 *   (`("system", X)`).
 * `message` overrides the rule's message for findings at this sink.
 */
export const FlowSinkSchema = z.union([
  z
    .strictObject({
      calls: z.array(z.string().min(1)).min(1).optional(),
      'written-calls': z.array(z.string().min(1)).min(1).optional(),
      args: z.array(ArgumentSelectorSchema).min(1).optional(),
      /**
       * The argument holding a Jinja template (a literal, through constants): the keyword arguments that the
       * template marks `|safe` (`{{ answer|safe }}`) are sinks too, e.g. for render_template_string.
       */
      'safe-in-template': ArgumentSelectorSchema.optional(),
      when: ConditionSchema.optional(),
      message: z.string().min(1).optional(),
    })
    .refine((sink) => sink.calls !== undefined || sink['written-calls'] !== undefined, 'a call sink needs calls or written-calls')
    .refine((sink) => sink.args !== undefined || sink['safe-in-template'] !== undefined, 'a call sink needs args or safe-in-template'),
  z.strictObject({
    'dict-entry': z.strictObject({ key: z.string().min(1), where: z.record(z.string().min(1), z.array(z.string()).min(1)) }),
    message: z.string().min(1).optional(),
  }),
  z.strictObject({
    'tuple-item': z.strictObject({ item: z.number().int().min(0), where: z.record(z.string().regex(/^\d+$/, 'a tuple position'), z.array(z.string()).min(1)) }),
    message: z.string().min(1).optional(),
  }),
]);

export const FlowMatchSchema = z.strictObject({
  flow: z.strictObject({
    sources: z.array(FlowSourceSchema).min(1),
    sinks: z.array(FlowSinkSchema).min(1),
    /**
     * Calls whose result carries their arguments' values. Attribute and index reads, method calls on a
     * tracked value, f-strings, `.format`, `%`, `+`, containers and `await` always carry them; any other
     * call stops the tracking (so `shlex.quote(x)` or `int(x)` is a sanitiser).
     */
    'pass-through': z
      .strictObject({
        /** Resolved callees, e.g. `builtins.str`, `json.loads`. */
        calls: z.array(z.string().min(1)).default([]),
        /** Method names on any receiver whose result also carries the arguments, e.g. `join`, `decode`. */
        methods: z.array(z.string().min(1)).default([]),
      })
      .default({ calls: [], methods: [] }),
    /**
     * Not reported when the value is embedded in a string between delimiters (`<docs>{x}</docs>`, triple
     * backticks or quotes, `---`, `###`) on its way; the finding is placed where it is embedded.
     */
    'unless-delimited': z.boolean().default(false),
  }),
});

export const RuleSchema = z.strictObject({
  id: RuleId,
  title: z.string().min(1),
  severity: SeveritySchema,
  languages: z.array(z.enum(['python', 'typescript', 'javascript', 'notebook', 'requirements', 'dockerfile', 'yaml', 'toml', 'artifact'])).min(1),
  atlas: z.strictObject({
    techniques: z.array(TechniqueId).min(1),
    mitigations: z.array(MitigationId).default([]),
  }),
  /** Default message; `{callee}` is replaced by the name as written in the code. */
  message: z.string().min(1),
  docs: z.strictObject({
    why: z.string().min(1),
    bad: z.string().min(1),
    good: z.string().min(1),
    /** The fix in one line, for hovers and `atlas-lens explain`. */
    fix: z.string().min(1).optional(),
    references: z.array(z.url()).default([]),
  }),
  /**
   * Names whose presence in a file's text makes the rule worth running; derived from `calls`
   * when absent. A file containing none of them is not parsed for this rule.
   */
  triggers: z.array(z.string().min(1)).optional(),
  match: z.union([CallMatchSchema, CheckMatchSchema, FlowMatchSchema]),
});

export type RuleSpec = z.infer<typeof RuleSchema>;
export type CallMatch = z.infer<typeof CallMatchSchema>;
export type CheckMatch = z.infer<typeof CheckMatchSchema>;
export type FlowMatch = z.infer<typeof FlowMatchSchema>;
export type FlowSource = z.infer<typeof FlowSourceSchema>;
export type FlowSink = z.infer<typeof FlowSinkSchema>;

// The startup path imports these from match-kinds.ts, and this module only when it validates a rule file.
export { isCallMatch, isFlowMatch } from './match-kinds';
