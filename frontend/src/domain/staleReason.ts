/** What a type row says about why it is stale: the factor imports since its last
 * recalculation and the entries they affect, and apart the entries no factor matches (a
 * recalculation cannot fix those). */
import type { RecalculationStatus } from '@/api/types';

/** Import ids named in the line; the rest are counted. */
const NAMED_IMPORTS = 3;

export interface ReasonSummary {
  /** Factors inserted, updated or removed by the listed imports. */
  factorsChanged: number;
  /** True when more imports exist than are listed: the factor count is then a floor. */
  atLeast: boolean;
  importIds: number[];
  moreImports: number;
  /** When the latest of them committed (ISO). */
  latest: string | null;
  affected: number | null;
  entries: number | null;
}

/** The stale line's figures, or null when the type is up to date or has no import to name. */
export function staleSummary(status: RecalculationStatus | undefined): ReasonSummary | null {
  if (!status?.needs_recalculation) return null;
  const { reason } = status;
  const listed = reason.factor_imports;
  if (listed.length === 0) return null;
  const named = listed.slice(0, NAMED_IMPORTS);
  return {
    factorsChanged: listed.reduce((sum, i) => sum + i.inserted + i.updated + i.removed, 0),
    atLeast: reason.factor_imports_total > listed.length,
    importIds: named.map((i) => i.job_id),
    moreImports: reason.factor_imports_total - named.length,
    latest: listed[0]?.finished_at ?? null,
    affected: reason.affected_entries,
    entries: reason.entries,
  };
}

/** Entries no usable factor matches (0 when none or not counted). */
export function unresolvableEntries(status: RecalculationStatus | undefined): number {
  return status?.reason.unresolvable_entries ?? 0;
}
