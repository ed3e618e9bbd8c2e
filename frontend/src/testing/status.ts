/** Recalculation status as the API sends it, with defaults a test overrides. */
import type { ModuleRecalculationStatus, RecalculationStatus } from '@/api/types';

export function makeTypeStatus(overrides: Partial<RecalculationStatus> = {}): RecalculationStatus {
  return {
    module_type_id: 2,
    data_entry_type_id: 20,
    year: 2025,
    needs_recalculation: false,
    last_factor_job_id: 10,
    last_factor_job_result: 0,
    last_factor_job_finished_at: '2025-03-01T10:00:00Z',
    last_factor_job_rows_done: 5,
    last_factor_job_rows_total: 5,
    last_recalculation_job_id: 11,
    last_recalculation_job_state: 3,
    last_recalculation_job_result: 0,
    last_recalculation_job_finished_at: '2025-03-01T10:05:00Z',
    recalculation_running_job_id: null,
    ...overrides,
  };
}

export function makeModuleStatus(types: RecalculationStatus[]): ModuleRecalculationStatus {
  return {
    module_type_id: types[0]?.module_type_id ?? 2,
    year: 2025,
    needs_recalculation: types.some((type) => type.needs_recalculation),
    data_entry_types: types,
  };
}
