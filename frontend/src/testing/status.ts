/** Recalculation status as the API sends it, with defaults a test overrides. */
import type { ModuleRecalculationStatus, RecalculationStatus } from '@/api/types';
import { moduleName, resultName, stateName, typeName } from './names';

type TypeStatusCodes = Omit<
  RecalculationStatus,
  | 'module_type_name'
  | 'data_entry_type_name'
  | 'last_factor_job_result_name'
  | 'last_recalculation_job_state_name'
  | 'last_recalculation_job_result_name'
>;

export function makeTypeStatus(overrides: Partial<TypeStatusCodes> = {}): RecalculationStatus {
  const status: TypeStatusCodes = {
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
    reason: {
      factor_imports: [],
      factor_imports_total: 0,
      entries: 3,
      affected_entries: 0,
      unresolvable_entries: 0,
      counted_at: '2025-03-01T10:05:00Z',
    },
    ...overrides,
  };
  return {
    ...status,
    module_type_name: moduleName(status.module_type_id),
    data_entry_type_name: typeName(status.data_entry_type_id),
    last_factor_job_result_name: resultName(status.last_factor_job_result),
    last_recalculation_job_state_name: stateName(status.last_recalculation_job_state),
    last_recalculation_job_result_name: resultName(status.last_recalculation_job_result),
  };
}

export function makeModuleStatus(types: RecalculationStatus[]): ModuleRecalculationStatus {
  const moduleId = types[0]?.module_type_id ?? 2;
  return {
    module_type_id: moduleId,
    module_type_name: moduleName(moduleId),
    year: 2025,
    needs_recalculation: types.some((type) => type.needs_recalculation),
    data_entry_types: types,
  };
}
