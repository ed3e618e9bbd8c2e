import { describe, expect, it } from 'vitest';
import { makeJob } from '@/testing/jobs';
import { makeModuleStatus, makeTypeStatus } from '@/testing/status';
import { runningForModule, runningForType, scopeOf, type FollowedJobs, type JobScope } from './runningRecalculations';

function followed(scopes: Record<number, JobScope>, finishedIds: number[] = []): FollowedJobs {
  return {
    scopes,
    live: (id) => (id === 50 ? makeJob({ id, progress_done: 5, progress_total: 20, status_message: 'x' }) : null),
    finished: (id) => finishedIds.includes(id),
  };
}

const idle = makeModuleStatus([makeTypeStatus({ data_entry_type_id: 20 }), makeTypeStatus({ data_entry_type_id: 21 })]);
const moduleJob: JobScope = { moduleId: 2, typeId: null, kind: 'recalculation' };
const typeJob: JobScope = { moduleId: 2, typeId: 21, kind: 'recalculation' };

describe('running recalculations', () => {
  it('prefers the module job, with the progress of its stream', () => {
    const jobs = followed({ 60: typeJob, 50: moduleJob });
    expect(runningForModule(idle, 2, jobs)).toEqual({ jobId: 50, done: 5, total: 20, message: 'x' });
    expect(runningForType(idle, 21, jobs)?.jobId).toBe(60);
    expect(runningForType(idle, 20, jobs)).toBeNull();
  });

  it('takes the types a module job covers from the status', () => {
    const status = makeModuleStatus([
      makeTypeStatus({ data_entry_type_id: 20, recalculation_running_job_id: 77 }),
      makeTypeStatus({ data_entry_type_id: 21 }),
    ]);
    expect(runningForModule(status, 2, followed({}))?.jobId).toBe(77);
    expect(runningForType(status, 20, followed({}))?.jobId).toBe(77);
    expect(runningForType(status, 21, followed({}))).toBeNull();
  });

  it('ignores a job whose stream closed, even while the status still names it', () => {
    const status = makeModuleStatus([makeTypeStatus({ recalculation_running_job_id: 50 })]);
    const jobs = followed({ 50: moduleJob }, [50]);
    expect(runningForModule(status, 2, jobs)).toBeNull();
    expect(runningForType(status, 20, jobs)).toBeNull();
  });

  it('does not count imports as recalculations', () => {
    const factorImport = scopeOf(makeJob({ target_type: 1, ingestion_method: 1, data_entry_type_id: 20 }));
    expect(factorImport).toEqual({ moduleId: 2, typeId: 20, kind: 'factor_import' });
    expect(runningForModule(idle, 2, followed({ 50: factorImport }))).toBeNull();
  });
});
