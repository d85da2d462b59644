// Field schemas shared by the IM-style REST commands (live, seat, pk, call, conference).
// Nested objects are strict, so a misspelt member is reported instead of silently dropped.
import { z } from 'zod';
import { NoOutput } from './fields.js';

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** A string whose documented limit counts UTF-8 bytes, not characters. */
export const text = (maxBytes: number, minChars?: number) =>
  (minChars ? z.string().min(minChars) : z.string())
    .max(maxBytes)
    // Too many characters is already reported; this catches multi-byte text that fits in characters only.
    .refine((s) => s.length > maxBytes || utf8Length(s) <= maxBytes, `must be at most ${maxBytes} bytes in UTF-8`);

/** Room IDs of the room engine (live and conference rooms share them): at most 48 bytes. */
export const RoomId = text(48, 1);
/** A user ID (an account of the app). */
export const Account = z.string().min(1);
/** Up to `max` user IDs. */
export const Accounts = (max?: number) => (max ? z.array(Account).min(1).max(max) : z.array(Account).min(1));

export const TakeSeatMode = z.enum(['FreeToTake', 'ApplyToTake']).describe('FreeToTake: anyone may take a seat; ApplyToTake: needs approval');
export const Category = z.array(z.int()).max(3).describe('Up to 3 custom category tags');

/**
 * The documented members of an answer, none of them required: answers differ between versions of the docs,
 * and MCP clients reject a whole result that lacks a required member.
 */
export const answer = <T extends z.ZodRawShape>(shape: T) => z.object(shape).partial();
/** A tool's output: the RequestId, then the documented members of the answer. */
export const reply = <T extends z.ZodRawShape>(shape: T) => NoOutput.extend(answer(shape).shape);

/** Ban lists page by offset; NextOffset 0 means the last page. */
export const BanPaging = { Offset: z.int().min(0).optional(), Limit: z.int().min(1).max(100).optional() };
export const BannedList = reply({
  BannedAccountList: z.array(answer({ Member_Account: z.string(), BannedUntil: z.int() })),
  NextOffset: z.int(),
});
