/**
 * Lets go of what the captured stacks of an error and of its causes hold, keeping their text.
 * V8 captures the frames of the call that creates an error, its async callers included, with
 * their receivers and closures, and formats them into text only when `stack` is first read;
 * from then on it holds the text alone. An error that a record keeps while it waits for a retry
 * (and after, as the cause of a failure) would otherwise keep alive whatever those frames
 * reach: the batch of the failed attempt, or the SDK command with every entry of its request.
 * @internal
 */
export function releaseFrames<T extends Error>(error: T): T {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    void current.stack;
    current = current.cause;
  }
  return error;
}
