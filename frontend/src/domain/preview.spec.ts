import { describe, expect, it } from 'vitest';
import { makeJob } from '@/testing/jobs';
import { JobState, TargetType } from './jobs';
import { failingEntries, previewOf } from './preview';

const meta = {
  preview: {
    entries: 5,
    changed: 4,
    current_kg: 287,
    new_kg: 448,
    delta_kg: 161,
    delta_pct: 56.1,
    newly_failing: 1,
    stopped_failing: 1,
    top_units: [{ institutional_code: '10001', unit_name: 'Lab 10001', entries: 1, changed: 1, current_kg: 0, new_kg: 84, delta_kg: 84, delta_pct: null }],
    types: [
      {
        data_entry_type_id: 50,
        failed: false,
        entries: 5,
        newly_failing_details: [{ entry_id: 9, institutional_code: '10002', reason: 'no factor' }],
      },
      { data_entry_type_id: 51, failed: true, reason: 'ZeroDivisionError: boom' },
    ],
  },
};

describe('previewOf', () => {
  it('reads the figures, units, types and failing entries of a finished preview', () => {
    const preview = previewOf(makeJob({ target_type: TargetType.EMISSION_PREVIEW, state: JobState.FINISHED, meta }));

    expect(preview).toMatchObject({ entries: 5, changed: 4, currentKg: 287, newKg: 448, deltaKg: 161, deltaPct: 56.1 });
    expect(preview?.topUnits).toEqual([
      expect.objectContaining({ code: '10001', name: 'Lab 10001', deltaKg: 84, deltaPct: null }),
    ]);
    expect(preview?.types.map((type) => [type.typeId, type.failure])).toEqual([
      [50, null],
      [51, 'ZeroDivisionError: boom'],
    ]);
    expect(failingEntries(preview!, 5)).toEqual([{ entryId: 9, unitCode: '10002', reason: 'no factor' }]);
  });

  it('is null while the preview runs, and for other jobs', () => {
    expect(previewOf(makeJob({ target_type: TargetType.EMISSION_PREVIEW, state: JobState.RUNNING, meta }))).toBeNull();
    expect(previewOf(makeJob({ target_type: TargetType.DATA_ENTRIES, state: JobState.FINISHED, meta }))).toBeNull();
    expect(previewOf(null)).toBeNull();
  });
});
