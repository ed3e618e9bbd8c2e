/** Job JSON as the API sends it, with defaults for what a test does not care about. */
import type { JobRead } from '@/api/types';
import { moduleName, resultName, stateName, typeName } from './names';

type JobCodes = Omit<JobRead, 'module_type_name' | 'data_entry_type_name' | 'state_name' | 'result_name'>;

export function makeJob(overrides: Partial<JobCodes> = {}): JobRead {
  const job: JobCodes = {
    id: 7,
    module_type_id: 2,
    data_entry_type_id: null,
    year: 2025,
    ingestion_method: 3,
    target_type: 0,
    entity_type: 2,
    state: 2,
    result: null,
    status_message: 'Recalculating plane (1/2)... 0/10',
    meta: {},
    is_current: false,
    created_at: '2025-03-01T10:00:00Z',
    started_at: '2025-03-01T10:00:01Z',
    finished_at: null,
    requested_by: 'admin',
    parent_job_id: null,
    attempts: 1,
    heartbeat_at: null,
    worker_id: null,
    progress_done: 0,
    progress_total: 10,
    factor_sequence: null,
    cancel_requested_by: null,
    ...overrides,
  };
  return {
    ...job,
    module_type_name: moduleName(job.module_type_id),
    data_entry_type_name: typeName(job.data_entry_type_id),
    state_name: stateName(job.state),
    result_name: resultName(job.result),
  };
}
