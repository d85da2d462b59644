// Facts about the task actions from the TRTC reference (seed 004), kept as a fixture: documented parameters and
// data-type members (name, type, required), error codes, rate limits, and the input examples as the docs give them.
import { createRequire } from 'node:module';

export interface RefMember {
  name: string;
  type: string;
  required: boolean;
}

const require = createRequire(import.meta.url);
export const reference = require('./fixtures/task-reference.json') as {
  actions: Record<string, { rateLimit: number; params: RefMember[]; errors: string[]; examples: Array<Record<string, any>> }>;
  datatypes: Record<string, RefMember[]>;
  commonErrors: string[];
};
