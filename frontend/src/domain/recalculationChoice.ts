/** The module dialog's choice and what it sends: "only the types that need it" is the default,
 * and impossible when none is stale (the API would refuse it with 400). */
import type { ModuleRecalculationStatus } from '@/api/types';

export type RecalculationScope = 'only_stale' | 'all';

export function staleTypeIds(status: ModuleRecalculationStatus | undefined): number[] {
  return (status?.data_entry_types ?? [])
    .filter((type) => type.needs_recalculation)
    .map((type) => type.data_entry_type_id);
}

export function defaultScope(staleIds: readonly number[]): RecalculationScope {
  return staleIds.length > 0 ? 'only_stale' : 'all';
}

export function canChooseOnlyStale(staleIds: readonly number[]): boolean {
  return staleIds.length > 0;
}

/** The `only_stale` query value, exactly as chosen. */
export function onlyStaleParam(scope: RecalculationScope): boolean {
  return scope === 'only_stale';
}
