/** Which badge a module card or a data entry type row shows, from the recalculation status and
 * the recalculation that is running. Every badge has words and an icon, never colour alone. */
import type { ModuleRecalculationStatus, RecalculationStatus } from '@/api/types';
import { JobResult, JobState, type JobResultValue } from './jobs';

export type BadgeKind =
  | 'up_to_date'
  | 'needs_recalculation'
  | 'running'
  | 'failed'
  | 'no_factors';

/** A recalculation being followed: its progress, when the stream gave one. */
export interface RunningRecalculation {
  jobId: number;
  done: number | null;
  total: number | null;
  message: string | null;
}

export interface Badge {
  kind: BadgeKind;
  /** Result chip of the last recalculation, shown when up to date (success or warning). */
  lastResult: JobResultValue | null;
  running: RunningRecalculation | null;
}

export const BADGE_COLOURS: Record<BadgeKind, string> = {
  up_to_date: 'positive',
  needs_recalculation: 'warning',
  running: 'info',
  failed: 'negative',
  no_factors: 'grey-7',
};

function lastRecalculationFailed(type: RecalculationStatus): boolean {
  return (
    type.needs_recalculation &&
    type.last_recalculation_job_state === JobState.FINISHED &&
    type.last_recalculation_job_result === JobResult.ERROR
  );
}

function asResult(value: number | null | undefined): JobResultValue | null {
  return value === JobResult.SUCCESS || value === JobResult.WARNING ? value : null;
}

export function typeBadge(
  status: RecalculationStatus | undefined,
  running: RunningRecalculation | null = null,
): Badge {
  if (running) return { kind: 'running', lastResult: null, running };
  if (!status) return { kind: 'no_factors', lastResult: null, running: null };
  if (lastRecalculationFailed(status)) return { kind: 'failed', lastResult: null, running: null };
  if (status.needs_recalculation) {
    return { kind: 'needs_recalculation', lastResult: null, running: null };
  }
  return {
    kind: 'up_to_date',
    lastResult: asResult(status.last_recalculation_job_result),
    running: null,
  };
}

/** The type recalculated most recently: its result is the module's chip. */
function mostRecentlyRecalculated(
  types: RecalculationStatus[],
): RecalculationStatus | undefined {
  let latest: RecalculationStatus | undefined;
  for (const type of types) {
    const finished = type.last_recalculation_job_finished_at;
    if (!finished) continue;
    if (!latest?.last_recalculation_job_finished_at) latest = type;
    else if (Date.parse(finished) > Date.parse(latest.last_recalculation_job_finished_at)) {
      latest = type;
    }
  }
  return latest;
}

export function moduleBadge(
  status: ModuleRecalculationStatus | undefined,
  running: RunningRecalculation | null = null,
): Badge {
  if (running) return { kind: 'running', lastResult: null, running };
  if (!status || status.data_entry_types.length === 0) {
    return { kind: 'no_factors', lastResult: null, running: null };
  }
  if (status.data_entry_types.some(lastRecalculationFailed)) {
    return { kind: 'failed', lastResult: null, running: null };
  }
  if (status.needs_recalculation) {
    return { kind: 'needs_recalculation', lastResult: null, running: null };
  }
  const latest = mostRecentlyRecalculated(status.data_entry_types);
  return {
    kind: 'up_to_date',
    lastResult: asResult(latest?.last_recalculation_job_result),
    running: null,
  };
}

/** Percent done for a progress bar, or null while the total is unknown. */
/** A progress message without its trailing "done/total" ("Recalculating plane (1/2)... 3/12" ->
 * "Recalculating plane (1/2)..."): the page shows the counts itself, formatted and translated. */
export function progressPhase(message: string): string {
  return message.replace(/\s+\d+\/\d+$/, '');
}

export function progressRatio(running: Pick<RunningRecalculation, 'done' | 'total'>): number | null {
  if (running.done === null || !running.total) return null;
  return Math.min(1, Math.max(0, running.done / running.total));
}
