/** The job vocabulary of the back end (integers in the API), named. */
import type { JobRead } from '@/api/types';

export const JobState = { NOT_STARTED: 0, QUEUED: 1, RUNNING: 2, FINISHED: 3 } as const;
export const JobResult = { SUCCESS: 0, WARNING: 1, ERROR: 2 } as const;
export const TargetType = { DATA_ENTRIES: 0, FACTORS: 1, EMISSION_PREVIEW: 2 } as const;
export const IngestionMethod = { API: 0, CSV: 1, MANUAL: 2, COMPUTED: 3 } as const;

export type JobResultValue = (typeof JobResult)[keyof typeof JobResult];
export type JobKind = 'factor_import' | 'data_import' | 'recalculation' | 'preview';

type JobShape = Pick<JobRead, 'target_type' | 'ingestion_method'>;

export function jobKind(job: JobShape): JobKind {
  if (job.target_type === TargetType.FACTORS) return 'factor_import';
  if (job.target_type === TargetType.EMISSION_PREVIEW) return 'preview';
  return job.ingestion_method === IngestionMethod.COMPUTED ? 'recalculation' : 'data_import';
}

export function isActive(job: Pick<JobRead, 'state'>): boolean {
  return job.state !== JobState.FINISHED;
}

/** Who cancelled a job that ended because of it (ERROR, its data as before), else null. */
export function cancelledBy(job: Pick<JobRead, 'state' | 'result' | 'cancel_requested_by'>): string | null {
  const ended = job.state === JobState.FINISHED && job.result === JobResult.ERROR;
  return ended ? job.cancel_requested_by : null;
}

/** Seconds between start and finish (or now, for a running job); null before it starts. */
export function durationSeconds(
  job: Pick<JobRead, 'started_at' | 'finished_at'>,
  now: Date = new Date(),
): number | null {
  if (!job.started_at) return null;
  const end = job.finished_at ? new Date(job.finished_at) : now;
  return Math.max(0, (end.getTime() - new Date(job.started_at).getTime()) / 1000);
}
