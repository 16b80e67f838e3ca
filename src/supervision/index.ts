// `kinesis-actors/supervision`: the supervisor the framework's actors run under, for actors of
// your own: restarts with jittered backoff, a cap per window, then escalation. Everything not
// listed here is internal and may change.

export { Supervisor, defaultSupervisionStrategy } from './supervisor.ts';
export type { SupervisionStrategy, ChildSpec, SupervisedActor } from './supervisor.ts';
