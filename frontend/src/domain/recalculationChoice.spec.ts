import { describe, expect, it } from 'vitest';
import type { ModuleRecalculationStatus } from '@/api/types';
import { canChooseOnlyStale, defaultScope, onlyStaleParam, staleTypeIds } from './recalculationChoice';

function status(stale: Record<number, boolean>): ModuleRecalculationStatus {
  return {
    module_type_id: 2,
    year: 2025,
    needs_recalculation: Object.values(stale).some(Boolean),
    data_entry_types: Object.entries(stale).map(([id, needs]) => ({
      module_type_id: 2,
      data_entry_type_id: Number(id),
      year: 2025,
      needs_recalculation: needs,
      last_factor_job_id: 1,
      last_factor_job_result: 0,
      last_factor_job_finished_at: null,
      last_factor_job_rows_done: null,
      last_factor_job_rows_total: null,
      last_recalculation_job_id: null,
      last_recalculation_job_state: null,
      last_recalculation_job_result: null,
      last_recalculation_job_finished_at: null,
      recalculation_running_job_id: null,
    })),
  };
}

describe('the recalculation dialog choice', () => {
  it('names the stale types and defaults to them', () => {
    const stale = staleTypeIds(status({ 20: true, 21: false }));
    expect(stale).toEqual([20]);
    expect(defaultScope(stale)).toBe('only_stale');
    expect(canChooseOnlyStale(stale)).toBe(true);
  });

  it('offers only "all" when nothing is stale', () => {
    const stale = staleTypeIds(status({ 20: false, 21: false }));
    expect(stale).toEqual([]);
    expect(defaultScope(stale)).toBe('all');
    expect(canChooseOnlyStale(stale)).toBe(false);
    expect(staleTypeIds(undefined)).toEqual([]);
  });

  it('sends only_stale exactly as chosen', () => {
    expect(onlyStaleParam('only_stale')).toBe(true);
    expect(onlyStaleParam('all')).toBe(false);
  });
});
