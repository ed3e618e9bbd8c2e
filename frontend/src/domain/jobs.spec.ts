import { describe, expect, it } from 'vitest';
import { makeJob } from '@/testing/jobs';
import { JobResult, JobState, TargetType, cancelledBy, jobKind } from './jobs';

describe('cancelledBy', () => {
  it('names who cancelled a job that ended because of it', () => {
    const job = makeJob({ state: JobState.FINISHED, result: JobResult.ERROR, cancel_requested_by: 'ana' });
    expect(cancelledBy(job)).toBe('ana');
  });

  it.each([
    ['still running, stopping', { state: JobState.RUNNING, result: null, cancel_requested_by: 'ana' }],
    ['finished before the request counted', { state: JobState.FINISHED, result: JobResult.SUCCESS, cancel_requested_by: 'ana' }],
    ['failed, never cancelled', { state: JobState.FINISHED, result: JobResult.ERROR, cancel_requested_by: null }],
  ])('is null for a job %s', (_, fields) => {
    expect(cancelledBy(makeJob(fields))).toBeNull();
  });
});

describe('jobKind', () => {
  it('names a recalculation preview apart from the recalculation it previews', () => {
    expect(jobKind(makeJob({ target_type: TargetType.EMISSION_PREVIEW }))).toBe('preview');
    expect(jobKind(makeJob({ target_type: TargetType.DATA_ENTRIES }))).toBe('recalculation');
  });
});
