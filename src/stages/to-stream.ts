import { defineStage, type Stage } from '../pipeline/stage.ts';
import { putItem, toTargets, type PutTargets } from '../pipeline/put-target.ts';
import type { StreamItem } from '../pipeline/stream-item.ts';

/**
 * A consumer-side stage that puts every item onto a stream (a `Producer`, or one chosen by the
 * item's `stream`): enrichment output, fan-out, re-keying. A batch completes, and is
 * checkpointed, only once Kinesis acknowledged everything it put; a put that fails fails the
 * pipeline, which reads again from the last checkpoint (at least once).
 */
export function toStream(targets: PutTargets, options: { name?: string } = {}): Stage<StreamItem, never> {
  const map = toTargets(targets);
  return defineStage({
    name: options.name ?? 'toStream',
    create: () => ({
      process(items, ctx) {
        if (items.length === 0) return [];
        const hold = ctx.hold();
        Promise.all(items.map((item) => putItem(map, item))).then(
          () => hold.release(),
          (error: unknown) => hold.fail(error),
        );
        return [];
      },
    }),
  });
}
