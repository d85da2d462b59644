// A composition of the server for the conformance suite's tasks-* scenarios, which call fixture tools of their own
// (greet, slow_compute, failing_job, protocol_error_job, confirm_delete, multi_input, test_tool_with_task). It is
// the real server (context, core, job engine, 2026-07-28 adapter, HTTP transport, sandbox) with those tools added
// through the same machinery the product's jobs use: a kind of job registered with the engine, started through the
// call's follow hook. It lives in the tests only and never ships.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { CancelOutcome, InputRequest, Job, JobKind, JobStart } from '../../src/jobs/jobs.js';
import { createContext } from '../../src/server/context.js';
import { createCore, type ServerCore } from '../../src/server/core.js';
import { loadManifest } from '../../src/server/registry.js';
import { selectTools } from '../../src/guardrails/exposure.js';
import type { CallExtra } from '../../src/server/pipeline.js';
import { tasksRequired } from '../../src/server/tasks.js';

const KIND = 'conformance-fixture';

interface FixtureState {
  tool: string;
  doneAt: number;
  label?: string;
  answers: Record<string, unknown>;
}

const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError && { isError: true }) });
const question = (message: string, field: string, type: 'string' | 'boolean') => ({
  method: 'elicitation/create' as const,
  params: { mode: 'form' as const, message, requestedSchema: { type: 'object' as const, properties: { [field]: { type } }, required: [field] } },
});

/** The fixtures' jobs: they end on time, fail as asked, or wait for their questions' answers. */
const fixtureJobs: JobKind<FixtureState> = {
  async start(what): Promise<JobStart<FixtureState>> {
    const tool = what.tool as string;
    const inputRequests: Record<string, InputRequest> | undefined = tool === 'confirm_delete'
      ? { 'confirm-1': question(`Delete ${String(what.filename)}?`, 'confirm', 'boolean') }
      : tool === 'multi_input'
        ? { 'name-1': question('Your name?', 'name', 'string'), 'confirm-2': question('Go ahead?', 'confirm', 'boolean') }
        : undefined;
    return {
      tool, rooms: [], statusMessage: `${tool} is running.`, pollIntervalMs: 200, ...(inputRequests && { inputRequests }),
      state: { tool, doneAt: Date.now() + Number(what.ms ?? 0), label: what.label as string | undefined, answers: {} },
    };
  },
  async advance(job: Job<FixtureState>) {
    const s = job.state;
    if (job.inputRequests || Date.now() < s.doneAt) return undefined;
    const done = (result: CallToolResult) => ({ ...job, status: 'completed' as const, statusMessage: 'Done.', result });
    switch (s.tool) {
      case 'protocol_error_job':
        return { ...job, status: 'failed', statusMessage: 'The job met a protocol error.', error: { code: -32603, message: 'Internal error: the fixture job crashed' } };
      case 'failing_job':
        return done(text('The job ran and reports a tool error.', true));
      case 'confirm_delete':
      case 'multi_input':
        return done(text(`Answers: ${JSON.stringify(s.answers)}`));
      default:
        return done(text(`${s.tool} done${s.label ? ` (${s.label})` : ''}.`));
    }
  },
  async cancel(): Promise<CancelOutcome> {
    return { done: 'Cancelled.' };
  },
  answer: (job, key, response) => ({ ...job, state: { ...job.state, answers: { ...job.state.answers, [key]: response.content ?? response.action } } }),
};

const schema = (properties: Record<string, object> = {}, required: string[] = []) => ({ type: 'object' as const, properties, required });
const FIXTURE_TOOLS: Tool[] = [
  { name: 'greet', description: 'Says hello (always at once).', inputSchema: schema({ name: { type: 'string' } }, ['name']) },
  { name: 'slow_compute', description: 'Waits the given seconds, then answers.', inputSchema: schema({ seconds: { type: 'number' }, label: { type: 'string' } }) },
  { name: 'failing_job', description: 'A task (required) that ends in a tool error.', inputSchema: schema() },
  { name: 'protocol_error_job', description: 'A task that ends in a protocol error.', inputSchema: schema() },
  { name: 'confirm_delete', description: 'A task that asks before it deletes.', inputSchema: schema({ filename: { type: 'string' } }) },
  { name: 'multi_input', description: 'A task that asks two questions at once.', inputSchema: schema() },
  { name: 'test_tool_with_task', description: 'Asks a name (multi round-trip), then works as a task (required).', inputSchema: schema() },
];

/** Runs one fixture call: at once, or as a job when the caller follows tasks. */
async function callFixture(name: string, args: Record<string, any>, extra: CallExtra): Promise<CallToolResult> {
  const follow = (what: Record<string, unknown>) => extra.follow!({ kind: KIND, tool: name, ...what });
  const required = name === 'failing_job' || name === 'test_tool_with_task';
  if (required && !extra.follow) throw tasksRequired(`${name} runs only as a task, and`);
  switch (name) {
    case 'greet':
      return text(`Hello, ${String(args.name)}!`);
    case 'slow_compute': {
      const ms = Number(args.seconds ?? 0) * 1000;
      // Nothing to wait for: answered at once, as the extension allows.
      if (!extra.follow || ms === 0) {
        await new Promise((r) => setTimeout(r, ms));
        return text(`slow_compute done${args.label ? ` (${args.label})` : ''}.`);
      }
      await follow({ ms, label: args.label });
      return text('followed');
    }
    case 'test_tool_with_task': {
      // The name is asked first, in the call's own result (input_required), and the task made once it is known.
      if (extra.consent?.kind !== 'elicitation') return text('test_tool_with_task asks a name, and this client shows no forms.', true);
      // Bound to this question alone: the answer of a retry counts for it, as consent's binding would for a tool.
      const answer = await extra.consent.ask({
        message: 'What is your name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      }, 'test_tool_with_task: name');
      await follow({ ms: 300, label: `Hello, ${String(answer.content?.name)}!` });
      return text('followed');
    }
    default:
      if (!extra.follow) return text(`${name} needs a client that follows tasks to be useful.`, true);
      await follow({ ms: name === 'failing_job' ? 500 : 0, filename: args.filename });
      return text('followed');
  }
}

/** The server with the fixtures, over Streamable HTTP on a free loopback port, answering from the sandbox. */
export async function startFixtureServer(): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadConfig(['--transport', 'http', '--port', '0', '--sandbox', '--store', 'memory', '--log-level', 'warn'], {});
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const runtime = await createContext(config, log);
  const manifest = await loadManifest();
  const core = createCore(runtime.ctx, selectTools(manifest, config), manifest);
  core.jobs.register(KIND, fixtureJobs);
  const fixtures = new Set(FIXTURE_TOOLS.map((t) => t.name));
  const composed: ServerCore = {
    ...core,
    jobs: core.jobs,
    get instructions() {
      return core.instructions;
    },
    listTools: async (ui) => ({ tools: [...(await core.listTools(ui)).tools, ...FIXTURE_TOOLS] }),
    callTool: (name, args, extra, sendLog) => (fixtures.has(name) ? callFixture(name, (args ?? {}) as Record<string, unknown>, extra) : core.callTool(name, args, extra, sendLog)),
  };
  const [{ modernServers }, { createMcpServer }, { serveHttp }, { createAuthenticator }, { taskListen }] = await Promise.all([
    import('../../src/server/modern.js'), import('../../src/server/server.js'), import('../../src/transports/http.js'),
    import('../../src/auth/edge.js'), import('../../src/server/tasks.js'),
  ]);
  // No sign-in (every request is the operator's), as the suite expects.
  const cores = () => composed;
  const handle = await serveHttp({
    host: '127.0.0.1', port: 0, log,
    auth: createAuthenticator({ config, log }),
    newServer: (identity) => createMcpServer(runtime.ctx, cores, identity),
    newModernServer: modernServers(runtime.ctx, cores),
    streamFor: taskListen(() => composed.jobs),
  });
  return {
    url: handle.url,
    close: async () => {
      await handle.close();
      await runtime.close();
    },
  };
}
