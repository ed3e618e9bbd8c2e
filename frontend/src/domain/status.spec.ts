import { describe, expect, it } from 'vitest';
import { makeModuleStatus as moduleStatus, makeTypeStatus as typeStatus } from '@/testing/status';
import { JobResult } from './jobs';
import { moduleBadge, progressPhase, progressRatio, typeBadge } from './status';

const running = { jobId: 42, done: 3, total: 12, message: 'Recalculating plane (1/2)... 3/12' };

describe('typeBadge', () => {
  it('says no factors yet when the type has no status row', () => {
    expect(typeBadge(undefined).kind).toBe('no_factors');
  });

  it('is up to date with the result of the last recalculation', () => {
    const badge = typeBadge(typeStatus({ last_recalculation_job_result: JobResult.WARNING }));
    expect(badge).toEqual({ kind: 'up_to_date', lastResult: JobResult.WARNING, running: null });
  });

  it('needs recalculation after a newer factor import', () => {
    expect(typeBadge(typeStatus({ needs_recalculation: true })).kind).toBe('needs_recalculation');
  });

  it('says the last recalculation failed when it ended ERROR', () => {
    const status = typeStatus({
      needs_recalculation: true,
      last_recalculation_job_result: JobResult.ERROR,
    });
    expect(typeBadge(status).kind).toBe('failed');
  });

  it('shows a running recalculation with its progress, whatever the status says', () => {
    const badge = typeBadge(typeStatus({ needs_recalculation: true }), running);
    expect(badge.kind).toBe('running');
    expect(badge.running).toEqual(running);
    expect(typeBadge(undefined, running).kind).toBe('running');
  });
});

describe('moduleBadge', () => {
  it('says no factors yet without a status', () => {
    expect(moduleBadge(undefined).kind).toBe('no_factors');
    expect(moduleBadge(moduleStatus([])).kind).toBe('no_factors');
  });

  it('needs recalculation when one type does', () => {
    const status = moduleStatus([
      typeStatus(),
      typeStatus({ data_entry_type_id: 21, needs_recalculation: true }),
    ]);
    expect(moduleBadge(status).kind).toBe('needs_recalculation');
  });

  it('says failed before "needed" when a type last failed', () => {
    const status = moduleStatus([
      typeStatus({ needs_recalculation: true }),
      typeStatus({
        data_entry_type_id: 21,
        needs_recalculation: true,
        last_recalculation_job_result: JobResult.ERROR,
      }),
    ]);
    expect(moduleBadge(status).kind).toBe('failed');
  });

  it('takes the chip from the most recently recalculated type', () => {
    const status = moduleStatus([
      typeStatus({
        last_recalculation_job_result: JobResult.SUCCESS,
        last_recalculation_job_finished_at: '2025-03-01T10:00:00Z',
      }),
      typeStatus({
        data_entry_type_id: 21,
        last_recalculation_job_result: JobResult.WARNING,
        last_recalculation_job_finished_at: '2025-03-02T10:00:00Z',
      }),
    ]);
    expect(moduleBadge(status)).toEqual({
      kind: 'up_to_date',
      lastResult: JobResult.WARNING,
      running: null,
    });
  });

  it('is running while a recalculation of the module runs', () => {
    expect(moduleBadge(moduleStatus([typeStatus()]), running).kind).toBe('running');
  });
});

describe('progressRatio', () => {
  it('is done / total, and unknown without a total', () => {
    expect(progressRatio({ done: 3, total: 12 })).toBe(0.25);
    expect(progressRatio({ done: null, total: 12 })).toBeNull();
    expect(progressRatio({ done: 0, total: 0 })).toBeNull();
  });
});

describe('progressPhase', () => {
  it('drops the counts the page shows itself and keeps every other message whole', () => {
    expect(progressPhase(running.message)).toBe('Recalculating plane (1/2)...');
    expect(progressPhase('Importing rows... 20000/100000')).toBe('Importing rows...');
    expect(progressPhase('Writing emissions')).toBe('Writing emissions');
    expect(progressPhase('Waiting for job #3 (1/2)')).toBe('Waiting for job #3 (1/2)');
  });
});
