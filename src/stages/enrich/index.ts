// The enrichment stage: join items with a lookup table.
export { enrich } from './enrich.ts';
export type { EnrichStage, EnrichStats } from './enrich.ts';
export type { EnrichOptions, Lookup, LookupFunction, OnMissingRow } from './options.ts';
