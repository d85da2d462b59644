// A call that waits for a human approver (consent through the approval page) followed as a job: it stays working,
// naming the approval, until the approver decides. Approved, the call runs as it was asked, once, in its asker's
// name (only when they are the one looking, so that it runs with their own permissions), and the job becomes the
// job that call started, if any (an approved recording is then followed to its end); denied or expired, it ends
// with an error result, and nothing was sent.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { quote } from '../guardrails/consent.js';
import { whoText, type Identity } from '../guardrails/identity.js';
import { roomsIn } from '../guardrails/scope.js';
import { failure, runTool, withSandboxNote, type CallExtra, type FollowedStart } from '../server/pipeline.js';
import { NS } from '../store/store.js';
import type { CancelOutcome, Job, JobEnv, JobKind, JobStart } from './jobs.js';

export const APPROVAL_JOB = 'approval';
const APPROVAL_POLL_MS = 2_000;

interface ApprovalState {
  id: string;
  tool: string;
}


export class ApprovalJobs implements JobKind<ApprovalState> {
  async start(what: FollowedStart, env: JobEnv): Promise<JobStart<ApprovalState>> {
    const id = String(what.id);
    const source = env.ctx.approvals;
    const approval = await source?.get(id);
    const tool = approval?.tool ?? 'the call';
    const def = env.catalog.get(tool);
    const url = source?.link(id);
    return {
      tool, app: approval?.app ?? (what.app as number | undefined), rooms: def && approval?.args ? roomsIn(def, approval.args) : [], state: { id, tool }, pollIntervalMs: APPROVAL_POLL_MS,
      statusMessage: `Waiting for a human approver to decide ${tool} (approval ${id})${url ? ` on ${url}` : ''}; nothing was sent.`,
      meta: { approval: { id, ...(url && { url }) } },
    };
  }

  async advance(job: Job<ApprovalState>, env: JobEnv, by?: Identity): Promise<Job<ApprovalState> | undefined> {
    const source = env.ctx.approvals;
    const { id, tool } = job.state;
    const ended = (result: CallToolResult, message: string): Job<ApprovalState> => ({ ...job, status: 'completed', statusMessage: message, result: withSandboxNote(env.ctx, result) });
    const approval = await source?.get(id);
    if (!approval) return ended(failure(`Approval ${quote(id)} is no longer known; nothing was sent. Call ${tool} again to ask again.`), `Failed: approval ${id} is no longer known.`);
    if (approval.state === 'pending') return undefined;
    if (approval.state === 'denied') {
      const reason = approval.decision?.reason ? `, saying ${quote(approval.decision.reason)}` : '';
      return ended(failure(`The approver ${whoText(approval.decision!.by)} denied ${tool}${reason}; nothing was sent.`), `Failed: the approver denied ${tool}.`);
    }
    if (approval.state === 'expired') return ended(failure(`Approval ${id} expired without a decision; nothing was sent. Call ${tool} again to ask again.`), `Failed: approval ${id} expired.`);
    // Approved: run in the asker's name, once across the fleet.
    if (!by || !(await env.ctx.store.claim(NS.jobPolls, `${job.id}\nrun`, approval.expiresAt + 60_000))) return undefined;
    const def = env.catalog.get(tool);
    if (!def) return ended(failure(`${tool} is not a tool of this server; nothing was sent.`), `Failed: ${tool} is not a tool of this server.`);
    let started: FollowedStart | undefined;
    const extra: CallExtra = { identity: by, approval: { id }, follow: async (what) => void (started = what) };
    const result = await runTool(env.ctx, def, await source!.callOf(id), extra);
    if (!started) return ended(result, result.isError ? `Failed: ${tool} was approved, and answered with an error.` : `Done: ${tool} was approved and ran.`);
    // The call started a job: the task follows it from here.
    const next = await env.startOf(started);
    return { ...job, kind: next.kind, tool: next.tool, app: next.app, rooms: next.rooms, state: next.state as never, statusMessage: `Approved. ${next.statusMessage}`, pollIntervalMs: next.pollIntervalMs, meta: { ...job.meta, ...next.meta } };
  }

  async cancel(job: Job<ApprovalState>): Promise<CancelOutcome> {
    return { done: `Cancelled: this task no longer waits for approval ${job.state.id}, and nothing was sent (should the approver approve it, nothing runs through this task).` };
  }
}
