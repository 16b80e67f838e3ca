import { describe, expect, it } from 'vitest';
import { KinesisActorsError } from '../../../src/errors.ts';
import { classifyKinesisError, entryError, ExpiredIteratorError, isProgrammingError, KinesisRequestError, metricCode } from '../../../src/kinesis/kinesis-errors.ts';

/** An error shaped as the SDK throws it for an answer of Kinesis. */
function sdkError(name: string, status: number, message = `${name} message`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('classifyKinesisError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', 400, 'THROTTLED'],
    ['LimitExceededException', 400, 'THROTTLED'],
    ['ThrottlingException', 400, 'THROTTLED'],
    ['ResourceNotFoundException', 400, 'STREAM_NOT_FOUND'],
    ['ExpiredIteratorException', 400, 'KINESIS_ERROR'],
    ['ResourceInUseException', 400, 'KINESIS_ERROR'],
    ['InvalidArgumentException', 400, 'KINESIS_ERROR'],
    ['ValidationException', 400, 'KINESIS_ERROR'],
    ['AccessDeniedException', 400, 'KINESIS_ERROR'],
    ['KMSThrottlingException', 400, 'KINESIS_ERROR'],
    ['InternalFailure', 500, 'KINESIS_ERROR'],
    ['ServiceUnavailable', 503, 'KINESIS_ERROR'],
  ])('%s (HTTP %i) is %s, retriable, with the SDK error as its cause', (name, status, code) => {
    const cause = sdkError(name, status);
    const error = classifyKinesisError(cause, 'GetRecords');
    expect(error).toBeInstanceOf(KinesisRequestError);
    expect(error).toMatchObject({ name: 'KinesisActorsError', code, retriable: true, operation: 'GetRecords' });
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('GetRecords');
    expect(error.message).toContain(`${name} message`);
  });

  it('names the HTTP status of an error it does not know, and the errno code of a failed connection', () => {
    expect(classifyKinesisError(sdkError('InternalFailure', 500, 'boom'), 'PutRecords').message).toBe('PutRecords failed: InternalFailure (HTTP 500): boom');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyKinesisError(reset, 'ListShards')).toMatchObject({ code: 'KINESIS_ERROR', retriable: true, message: 'ListShards failed: Error (ECONNRESET): socket hang up' });
  });

  it('words throttling and a missing stream as they were', () => {
    expect(classifyKinesisError(sdkError('ProvisionedThroughputExceededException', 400, 'Rate exceeded'), 'GetRecords').message).toBe('GetRecords was throttled: Rate exceeded');
    expect(classifyKinesisError(sdkError('ResourceNotFoundException', 400, 'Stream s not found'), 'ListShards').message).toBe('ListShards: Stream s not found');
  });

  it('marks an expired iterator, for the reader to renew it', () => {
    expect(classifyKinesisError(sdkError('ExpiredIteratorException', 400), 'GetRecords')).toBeInstanceOf(ExpiredIteratorError);
    expect(classifyKinesisError(sdkError('InternalFailure', 500), 'GetRecords')).not.toBeInstanceOf(ExpiredIteratorError);
  });

  it('returns a framework error as it is, and makes one of anything else thrown', () => {
    const own = new KinesisActorsError('THROTTLED', 'already classified', { retriable: true });
    expect(classifyKinesisError(own, 'PutRecords')).toBe(own);
    expect(classifyKinesisError('a string', 'PutRecords')).toMatchObject({ code: 'KINESIS_ERROR', retriable: true });
    expect(classifyKinesisError(undefined, 'PutRecords')).toMatchObject({ code: 'KINESIS_ERROR', retriable: true });
  });
});

describe('isProgrammingError', () => {
  it('is true of TypeError, RangeError and ReferenceError only', () => {
    expect([new TypeError(), new RangeError(), new ReferenceError()].every(isProgrammingError)).toBe(true);
    expect([new Error(), new SyntaxError(), sdkError('InternalFailure', 500), 'text'].some(isProgrammingError)).toBe(false);
  });
});

describe('entryError', () => {
  it('makes a throttled entry THROTTLED and any other failed entry KINESIS_ERROR, both retriable', () => {
    expect(entryError('ProvisionedThroughputExceededException', 'Rate exceeded')).toMatchObject({
      code: 'THROTTLED',
      retriable: true,
      message: 'PutRecords entry failed: ProvisionedThroughputExceededException: Rate exceeded',
    });
    expect(entryError('InternalFailure', undefined)).toMatchObject({ code: 'KINESIS_ERROR', retriable: true, message: 'PutRecords entry failed: InternalFailure' });
  });
});

describe('metricCode', () => {
  it("counts an error under its cause's errno code, else its cause's name, else its own code", () => {
    const reset = Object.assign(new Error('reset'), { name: 'TimeoutError', code: 'ECONNRESET' });
    expect(metricCode(classifyKinesisError(reset, 'PutRecords'))).toBe('ECONNRESET');
    expect(metricCode(classifyKinesisError(sdkError('InternalFailure', 500), 'PutRecords'))).toBe('InternalFailure');
    expect(metricCode(entryError('WrongShard', undefined))).toBe('KINESIS_ERROR');
    expect(metricCode(new TypeError('bug'))).toBe('TypeError');
  });
});
