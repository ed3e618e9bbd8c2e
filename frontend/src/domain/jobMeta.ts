/** What a finished job's meta says, read defensively: meta is free-form JSON whose keys are
 * only ever added (imports: rows, inserted, rejected_rows, entry_errors, ...; recalculations:
 * `recalculation` with recalculated, errors, error_details, or one such object per type). */
import type { JobRead } from '@/api/types';
import { jobKind } from './jobs';

export interface RowIssue {
  line: number | null;
  entryId: number | null;
  reason: string;
}

export interface IssueList {
  items: RowIssue[];
  total: number;
}

export interface JobCounts {
  /** Factors read (inserted, updated or unchanged), entries imported, or entries recalculated. */
  done: number;
  /** Rows rejected by an import. */
  rejected: number;
  /** Entries without emissions (entry errors). */
  entryErrors: number;
  /** Types of a module recalculation that failed. */
  failedTypes: number;
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

function asNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function issues(value: unknown): RowIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((raw) => {
    const item = asObject(raw);
    if (!item) return [];
    return [
      {
        line: typeof item.line === 'number' ? item.line : null,
        entryId: typeof item.entry_id === 'number' ? item.entry_id : null,
        reason: typeof item.reason === 'string' ? item.reason : '',
      },
    ];
  });
}

/** One type's recalculation stats: a type job's `recalculation`, or a module job's per-type
 * object (also what a per-type child row carries). */
function typeStats(job: Pick<JobRead, 'meta'>): Json[] {
  const stats = asObject(job.meta.recalculation);
  if (!stats) return [];
  if ('recalculated' in stats || 'failed' in stats) return [stats];
  return Object.values(stats).flatMap((value): Json[] => {
    const entry = asObject(value);
    return entry ? [entry] : [];
  });
}

export function rejectedRows(job: Pick<JobRead, 'meta'>): IssueList {
  const items = issues(job.meta.rejected_rows);
  return { items, total: Math.max(items.length, asNumber(job.meta.rejected_total)) };
}

export function entryErrors(job: Pick<JobRead, 'meta' | 'target_type' | 'ingestion_method'>): IssueList {
  if (jobKind(job) !== 'recalculation') {
    const items = issues(job.meta.entry_errors);
    return { items, total: Math.max(items.length, asNumber(job.meta.entry_errors_total)) };
  }
  const stats = typeStats(job);
  const items = stats.flatMap((entry) => issues(entry.error_details));
  const total = stats.reduce((sum, entry) => sum + asNumber(entry.errors), 0);
  return { items, total: Math.max(items.length, total) };
}

/** Why a type of a module recalculation failed, when it did. */
export function failureReason(job: Pick<JobRead, 'meta'>): string | null {
  const failed = typeStats(job).find((entry) => entry.failed === true);
  return failed && typeof failed.reason === 'string' ? failed.reason : null;
}

export function jobCounts(job: Pick<JobRead, 'meta' | 'target_type' | 'ingestion_method'>): JobCounts {
  if (jobKind(job) === 'recalculation') {
    const stats = typeStats(job);
    return {
      done: stats.reduce((sum, entry) => sum + asNumber(entry.recalculated), 0),
      rejected: 0,
      entryErrors: entryErrors(job).total,
      failedTypes: stats.filter((entry) => entry.failed === true).length,
    };
  }
  const handled =
    jobKind(job) === 'factor_import'
      ? asNumber(job.meta.inserted) + asNumber(job.meta.updated) + asNumber(job.meta.unchanged)
      : asNumber(job.meta.inserted);
  return {
    done: handled,
    rejected: rejectedRows(job).total,
    entryErrors: entryErrors(job).total,
    failedTypes: 0,
  };
}

export interface FactorChanges {
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
}

/** What a factor import did to the stored factors, as its result says; null for another job. */
export function factorChanges(job: Pick<JobRead, 'meta' | 'target_type' | 'ingestion_method'>): FactorChanges | null {
  if (jobKind(job) !== 'factor_import') return null;
  return {
    inserted: asNumber(job.meta.inserted),
    updated: asNumber(job.meta.updated),
    unchanged: asNumber(job.meta.unchanged),
    removed: asNumber(job.meta.removed),
  };
}

/** A factor import that inserted, updated and removed nothing (the same file again): its
 * types stay as up to date as they were, which the operator is told instead of its counts. */
export function changedNoFactor(job: Pick<JobRead, 'meta' | 'target_type' | 'ingestion_method'>): boolean {
  const changes = factorChanges(job);
  return changes !== null && changes.inserted + changes.updated + changes.removed === 0;
}
