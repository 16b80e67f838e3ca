// Cleaning and filtering stages: mask personal data, drop noise.
export { maskFields } from './mask-fields.ts';
export type { MaskAction, MaskFieldsOptions, MaskFieldsStage, CleanStats, OnInvalidValue } from './mask-fields.ts';
export { dropWhen, filterRecords } from './filter-records.ts';
export type { DropWhenOptions, FilterRecordsOptions, FilterRule, FilterStage, FilterStats } from './filter-records.ts';
export type { RecordValue } from './field-path.ts';
