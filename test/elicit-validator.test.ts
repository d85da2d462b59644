// The elicitation answer checker that replaces Ajv for MCP's flat elicitation schemas.
import { describe, expect, it } from 'vitest';
import { ElicitationSchemaValidator } from '../src/server/elicit-validator.js';

const check = new ElicitationSchemaValidator().getValidator({
  type: 'object',
  properties: {
    confirm: { type: 'boolean' },
    room: { type: 'string', minLength: 2, maxLength: 5 },
    count: { type: 'integer', minimum: 1, maximum: 3 },
    color: { type: 'string', enum: ['red', 'blue'] },
  },
  required: ['confirm'],
});

describe('ElicitationSchemaValidator', () => {
  it('accepts an answer that fits', () => {
    expect(check({ confirm: true, room: '1234', count: 2, color: 'red' })).toEqual({ valid: true, data: { confirm: true, room: '1234', count: 2, color: 'red' }, errorMessage: undefined });
  });

  it.each([
    [null, 'the answer must be an object'],
    [{}, 'confirm is required'],
    [{ confirm: 'yes' }, 'confirm must be boolean'],
    [{ confirm: true, count: 1.5 }, 'count must be integer'],
    [{ confirm: true, count: 4 }, 'count is out of range'],
    [{ confirm: true, room: 'x' }, 'room has the wrong length'],
    [{ confirm: true, color: 'green' }, 'color must be one of red, blue'],
  ])('rejects %j: %s', (answer, message) => {
    expect(check(answer)).toEqual({ valid: false, data: undefined, errorMessage: message });
  });
});
