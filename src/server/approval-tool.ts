// The agent's side of an approval: wait_for_approval waits for a person's decision on the approval page and, once
// approved, runs the call exactly as it was asked (from the store, sealed) through the pipeline, which judges it
// again and uses the approval up. It decides nothing: no argument of it can approve, deny or change an approval.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { OPERATOR, whoRecord, whoText } from '../guardrails/identity.js';
import { quote } from '../guardrails/consent.js';
import { StoreUnavailableError } from '../store/store.js';
import { describeIssues } from '../validation.js';
import { failure, runTool, withSandboxNote, type CallExtra, type ServerContext } from './pipeline.js';
import { loadCatalog } from './registry.js';

export { APPROVALS_TOOLSET } from './tool-list.js';
/** Clients commonly give up on a request after 60 s; a wait ends well before, and the agent calls again. */
export const MAX_WAIT_S = 50;
const DEFAULT_WAIT_S = 25;

export const approvalInputs = {
  wait_for_approval: z.strictObject({
    approvalId: z.string().min(1).max(64).describe('The approvalId an "Approval required" answer gave'),
    timeoutSeconds: z.int().min(1).max(MAX_WAIT_S).optional().describe(`Default ${DEFAULT_WAIT_S}`),
  }),
};
export type ApprovalToolName = keyof typeof approvalInputs;
export const isApprovalTool = (name: string): name is ApprovalToolName => name in approvalInputs;

export const approvalDefs = {
  wait_for_approval: {
    description:
      'Wait for a human approver to decide a call that answered "Approval required". Once approved, this runs that call exactly as it was asked and returns its result; denied or expired, nothing is sent. Still pending after the wait: call again.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    aliases: ['approval', 'wait for approval', 'approved yet', 'pending approval', '等待审批', '审批结果', '人工审批'],
  },
} as const;

export async function runApprovalTool(ctx: ServerContext, args: unknown, extra: CallExtra = {}): Promise<CallToolResult> {
  const started = Date.now();
  const finish = (result: CallToolResult, outcome: string) => {
    ctx.log.info('tool call', { tool: 'wait_for_approval', outcome, ms: Date.now() - started });
    return withSandboxNote(ctx, result);
  };
  const parsed = approvalInputs.wait_for_approval.safeParse(args ?? {});
  if (!parsed.success) {
    const lines = describeIssues(parsed.error.issues, args ?? {});
    return finish(failure(`Invalid arguments for wait_for_approval:\n${lines.map((l) => `- ${l}`).join('\n')}`), 'invalid');
  }
  const { approvalId: id, timeoutSeconds } = parsed.data;
  const approvals = ctx.approvals;
  if (!approvals) return finish(failure('This server takes no approvals: consent is asked in the conversation.'), 'invalid');
  const requester = whoRecord(extra.identity ?? OPERATOR);
  try {
    // Another caller's approval is as unknown as one that never was.
    let approval = await approvals.get(id);
    if (!approval || approval.requester.subject !== requester.subject) return finish(failure(`No approval ${quote(id)} is waiting for this caller; nothing was sent.`), 'unknown');
    const timeoutMs = (timeoutSeconds ?? DEFAULT_WAIT_S) * 1000;
    const progress = extra.progress;
    approval = (await approvals.wait(id, {
      maxMs: timeoutMs,
      signal: extra.signal,
      progress: progress && ((ms) => progress(Math.floor(ms / 1000), timeoutMs / 1000, `Waiting for a human approver (approval ${id})`)),
    })) ?? approval;
    const meta = { approval: { id, state: approval.state, expiresAt: new Date(approval.expiresAt).toISOString(), ...(approvals.link(id) && { url: approvals.link(id) }) } };
    if (approval.state === 'pending') {
      return finish(
        { ...failure(`Still waiting for a human approver to decide ${approval.tool} (approval ${id}, until ${meta.approval.expiresAt}); nothing was sent. Call wait_for_approval again to keep waiting.`), _meta: meta },
        'pending',
      );
    }
    if (approval.state === 'denied') {
      const reason = approval.decision?.reason ? `, saying ${quote(approval.decision.reason)}` : '';
      return finish({ ...failure(`The approver ${quote(whoText(approval.decision!.by))} denied ${approval.tool}${reason}; nothing was sent.`), _meta: meta }, 'denied');
    }
    if (approval.state === 'expired') {
      return finish({ ...failure(`Approval ${id} expired without a decision; nothing was sent. Call ${approval.tool} again to ask again.`), _meta: meta }, 'expired');
    }
    // Approved: the call runs through the pipeline as any call does, which checks that it is still the approved
    // one and uses the approval up.
    const def = (await loadCatalog()).get(approval.tool);
    if (!def) return finish(failure(`${approval.tool} is not a tool of this server; nothing was sent.`), 'unknown');
    return await runTool(ctx, def, await approvals.callOf(id), { ...extra, approval: { id } });
  } catch (err) {
    if (err instanceof StoreUnavailableError) return finish(failure(`Refused: ${err.message}, so the approval cannot be read. Retry once it is back.`), 'refused:store');
    throw err;
  }
}
