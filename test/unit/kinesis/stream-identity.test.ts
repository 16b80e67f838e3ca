import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/errors.ts';
import { parseStreamArn, resolveStream, streamParameter } from '../../../src/kinesis/stream-identity.ts';

function messageOf(options: { streamName?: unknown; streamArn?: unknown }): string {
  try {
    resolveStream(options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'INVALID_OPTION', retriable: false });
    return (error as Error).message;
  }
  throw new Error('resolveStream accepted it');
}

describe('stream identity: a name or an ARN', () => {
  it('parses the parts of stream ARNs of every partition', () => {
    expect(parseStreamArn('arn:aws:kinesis:eu-west-1:123456789012:stream/clicks')).toEqual({ partition: 'aws', region: 'eu-west-1', accountId: '123456789012', streamName: 'clicks' });
    expect(parseStreamArn('arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-d')?.streamName).toBe('a.b_c-d');
    expect(parseStreamArn('arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/x')?.partition).toBe('aws-us-gov');
  });

  it.each([
    ['no stream/ prefix', 'arn:aws:kinesis:eu-west-1:123456789012:clicks'],
    ['another service', 'arn:aws:sqs:eu-west-1:123456789012:stream/clicks'],
    ['a consumer ARN', 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks/consumer/app:1700000000'],
    ['an 11-digit account', 'arn:aws:kinesis:eu-west-1:12345678901:stream/clicks'],
    ['no region', 'arn:aws:kinesis::123456789012:stream/clicks'],
    ['a bad stream name', 'arn:aws:kinesis:eu-west-1:123456789012:stream/cl icks'],
    ['a name longer than 128', `arn:aws:kinesis:eu-west-1:123456789012:stream/${'x'.repeat(129)}`],
    ['not arn:', 'aws:kinesis:eu-west-1:123456789012:stream/clicks'],
  ])('refuses an ARN with %s', (_, arn) => {
    expect(parseStreamArn(arn)).toBeUndefined();
    expect(messageOf({ streamArn: arn })).toBe(
      `options.streamArn must be a stream ARN, arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>, which ${JSON.stringify(arn)} is not (got a string of ${arn.length} characters)`,
    );
  });

  it('takes exactly one of streamName and streamArn', () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks';
    expect(resolveStream({ streamName: 'clicks' })).toEqual({ streamName: 'clicks', streamArn: undefined, stream: 'clicks' });
    expect(resolveStream({ streamArn: arn })).toEqual({ streamName: 'clicks', streamArn: arn, stream: arn });
    expect(messageOf({ streamName: 'clicks', streamArn: arn })).toBe('options.streamName and options.streamArn name the same stream: give only one of them (got "clicks")');
    expect(messageOf({})).toBe('options.streamName or options.streamArn is required (got undefined)');
    expect(messageOf({ streamName: 'a:b' })).toBe('options.streamName must be 1–128 characters of a-z, A-Z, 0-9, _ . - (got "a:b")');
    expect(messageOf({ streamArn: 42 })).toContain('options.streamArn must be a stream ARN');
  });

  it('sends an ARN as StreamARN and a name as StreamName', () => {
    expect(streamParameter('arn:aws:kinesis:eu-west-1:123456789012:stream/clicks')).toEqual({ StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks' });
    expect(streamParameter('clicks')).toEqual({ StreamName: 'clicks' });
  });
});
