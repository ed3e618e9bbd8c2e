/** Which recalculation is running for a module or a type, from two sources: the jobs the page
 * follows (started here, or found running) and the status's `recalculation_running_job_id`
 * (which lags until the next refresh, so a job whose stream closed no longer counts). */
import type { JobRead, ModuleRecalculationStatus } from '@/api/types';
import { jobKind, type JobKind } from './jobs';
import type { RunningRecalculation } from './status';

/** What a followed job belongs to, known before its first stream event arrives. */
export interface JobScope {
  moduleId: number;
  typeId: number | null;
  kind: JobKind;
}

export function scopeOf(
  job: Pick<JobRead, 'module_type_id' | 'data_entry_type_id' | 'target_type' | 'ingestion_method'>,
): JobScope {
  return { moduleId: job.module_type_id, typeId: job.data_entry_type_id, kind: jobKind(job) };
}

export interface FollowedJobs {
  scopes: Record<number, JobScope>;
  /** The latest state from the job's stream, if any yet. */
  live(jobId: number): JobRead | null;
  finished(jobId: number): boolean;
}

function running(jobId: number, followed: FollowedJobs): RunningRecalculation {
  const job = followed.live(jobId);
  return {
    jobId,
    done: job?.progress_done ?? null,
    total: job?.progress_total ?? null,
    message: job?.status_message ?? null,
  };
}

function activeFollowed(followed: FollowedJobs, matches: (scope: JobScope) => boolean): number[] {
  return Object.entries(followed.scopes)
    .filter(([, scope]) => scope.kind === 'recalculation' && matches(scope))
    .filter(([id]) => !followed.finished(Number(id)))
    .sort(([, a], [, b]) => Number(a.typeId !== null) - Number(b.typeId !== null))
    .map(([id]) => Number(id));
}

/** The recalculation running in a module (a module job before a type job), or null. */
export function runningForModule(
  status: ModuleRecalculationStatus | undefined,
  moduleId: number,
  followed: FollowedJobs,
): RunningRecalculation | null {
  const ids = activeFollowed(followed, (scope) => scope.moduleId === moduleId);
  for (const type of status?.data_entry_types ?? []) {
    const id = type.recalculation_running_job_id;
    if (id !== null && !followed.finished(id) && !ids.includes(id)) ids.push(id);
  }
  const [id] = ids;
  return id === undefined ? null : running(id, followed);
}

/** The recalculation covering one type: the module job it is part of, or its own job. */
export function runningForType(
  status: ModuleRecalculationStatus | undefined,
  typeId: number,
  followed: FollowedJobs,
): RunningRecalculation | null {
  const type = status?.data_entry_types.find((item) => item.data_entry_type_id === typeId);
  const fromStatus = type?.recalculation_running_job_id ?? null;
  if (fromStatus !== null && !followed.finished(fromStatus)) return running(fromStatus, followed);
  const [own] = activeFollowed(followed, (scope) => scope.typeId === typeId);
  return own === undefined ? null : running(own, followed);
}
