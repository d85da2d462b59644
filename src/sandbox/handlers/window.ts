// The documented time windows of the monitoring and usage actions, enforced on the wire as TRTC does.
import type { ToolDef } from '../../../tools/define.js';
import { wireInstant, windowProblem, type WindowRule } from '../../../tools/time.js';
import { SandboxError } from './types.js';

/** Error codes per broken rule, most specific first; the first one the action documents is used. */
const CODES: Record<WindowRule, readonly string[]> = {
  format: ['InvalidParameter.StartTs', 'InvalidParameter'],
  future: ['InvalidParameter.StartTs', 'InvalidParameter'],
  lookback: ['InvalidParameter.StartTsOversize', 'InvalidParameter.StartTimeOversize', 'InvalidParameter'],
  order: ['InvalidParameter.EndTs', 'InvalidParameter'],
  span: ['InvalidParameter.QueryScaleOversize', 'InvalidParameter'],
};

/** StartTime and EndTime of a request in ms, or the documented error for a window TRTC refuses. */
export function checkedWindow(def: ToolDef, params: Record<string, any>, now: number): { start: number; end: number } {
  const w = def.window!;
  const start = wireInstant(w.form, params.StartTime);
  const end = wireInstant(w.form, params.EndTime);
  const fail = (rule: WindowRule, message: string): never => {
    const code = CODES[rule].find((c) => def.errors.includes(c)) ?? 'InvalidParameter';
    throw new SandboxError(code, message);
  };
  if (start === undefined || end === undefined) return fail('format', `StartTime and EndTime must be in the documented ${w.form} form.`);
  const problem = windowProblem(w, start, end, now, params);
  if (problem) fail(problem.rule, `${problem.field} ${problem.message}.`);
  return { start, end };
}
