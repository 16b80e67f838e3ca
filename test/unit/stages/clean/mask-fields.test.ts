import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maskFields } from '../../../../src/stages/clean/mask-fields.ts';
import { InvalidOptionError } from '../../../../src/errors.ts';
import type { StreamItem } from '../../../../src/pipeline/stream-item.ts';
import { stageHarness } from '../../../../src/testing/stage-harness.ts';

const item = (value: unknown): StreamItem<Record<string, unknown>> => ({ value: value as Record<string, unknown>, partitionKey: 'pk', eventTime: 1 });

async function maskOne(options: Parameters<typeof maskFields>[0], value: Record<string, unknown>) {
  const { output } = await stageHarness(maskFields(options)).process([item(value)]);
  return output[0].value;
}

describe('maskFields', () => {
  it('applies each action to its dot path and leaves the rest of the item as it was', async () => {
    const input = { user: { email: 'john@example.com', name: 'John', id: 'u1' }, ip: '203.0.113.77', password: 'x', page: '/home' };
    const out = await maskOne(
      { fields: { 'user.email': 'maskEmail', 'user.name': 'redact', 'user.id': 'hash', ip: 'maskIp', password: 'drop' }, hashSecret: 'k' },
      input,
    );
    expect(out).toEqual({
      user: { email: 'j***@example.com', name: '[REDACTED]', id: createHmac('sha256', 'k').update('u1').digest('hex') },
      ip: '203.0.113.0',
      page: '/home',
    });
    expect(input.user.email).toBe('john@example.com');
    expect(input.password).toBe('x');
  });

  it('hashes equal values equally, so masked ids still join', async () => {
    const h = stageHarness(maskFields({ fields: { userId: 'hash' }, hashSecret: Buffer.from('secret') }));
    const { output } = await h.process([item({ userId: 'u1' }), item({ userId: 'u1' }), item({ userId: 'u2' }), item({ userId: 42 })]);
    const [a, b, c, d] = output.map((o) => o.value.userId as string);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(d).toBe(createHmac('sha256', 'secret').update('42').digest('hex'));
  });

  it.each([
    ['2001:db8:abcd:12::1', '2001:db8:abcd::'],
    ['2001:0DB8:0000:0000:0000:ff00:0042:8329', '2001:db8::'],
    ['::1', '::'],
    ['fe80::1%eth0', 'fe80::'],
    ['::ffff:192.0.2.128', '::ffff:192.0.2.0'],
    ['10.1.2.3', '10.1.2.0'],
    ['not-an-ip', '[REDACTED]'],
    ['999.1.1.1', '[REDACTED]'],
  ])('masks the IP address %s as %s', async (ip, masked) => {
    expect(await maskOne({ fields: { ip: 'maskIp' } }, { ip })).toEqual({ ip: masked });
  });

  it.each([
    ['a@b.co', 'a***@b.co'],
    ['first.last+tag@mail.example.com', 'f***@mail.example.com'],
    ['no-at-sign', '[hidden]'],
    ['@example.com', '[hidden]'],
    [17, '[hidden]'],
  ])('masks the e-mail address %s as %s', async (email, masked) => {
    expect(await maskOne({ fields: { email: 'maskEmail' }, redactWith: '[hidden]' }, { email })).toEqual({ email: masked });
  });

  it('leaves absent fields absent, null as null, and does not look through arrays', async () => {
    const out = await maskOne({ fields: { 'user.email': 'redact', ip: 'maskIp', 'list.0': 'redact' } }, { ip: null, list: ['a'] });
    expect(out).toEqual({ ip: null, list: ['a'] });
  });

  it('drops items whose value is not an object by default, and counts them', async () => {
    const stage = maskFields({ fields: { a: 'drop' } });
    const h = stageHarness(stage);
    const { output } = await h.process([item('text'), item(null), item([1]), item({ a: 1, b: 2 })]);
    expect(output.map((o) => o.value)).toEqual([{ b: 2 }]);
    expect(stage.stats.invalid).toBe(3);
  });

  it("passes items whose value is not an object unchanged with onInvalid: 'pass'", async () => {
    const stage = maskFields({ fields: { a: 'drop' }, onInvalid: 'pass' });
    const odd = item('text');
    const { output } = await stageHarness(stage).process([odd]);
    expect(output).toEqual([odd]);
    expect(stage.stats.invalid).toBe(1);
  });

  it.each([
    [{ fields: {} }, 'options.fields'],
    [{ fields: { '': 'redact' } }, 'options.fields[""]'],
    [{ fields: { 'user..email': 'redact' } }, 'options.fields["user..email"]'],
    [{ fields: { '__proto__.x': 'redact' } }, 'options.fields["__proto__.x"]'],
    [{ fields: { email: 'encrypt' } }, 'options.fields["email"] must be one of'],
    [{ fields: { email: 'hash' } }, 'options.hashSecret'],
    [{ fields: { email: 'hash' }, hashSecret: '' }, 'options.hashSecret'],
    [{ fields: { email: 'drop' }, onInvalid: 'keep' }, 'options.onInvalid'],
  ])('rejects bad options once, naming the field (%j)', (options, message) => {
    const create = () => maskFields(options as Parameters<typeof maskFields>[0]);
    expect(create).toThrow(InvalidOptionError);
    expect(create).toThrow(message);
  });
});
