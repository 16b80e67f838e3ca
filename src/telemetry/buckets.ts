/**
 * Histogram bucket boundaries, given as advice to the SDK (an application's views override them).
 * @internal
 */
export const MILLISECOND_BUCKETS = [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
/** @internal */
export const COUNT_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
/** @internal */
export const RETRY_BUCKETS = [0, 1, 2, 3, 5, 10, 20, 50];
