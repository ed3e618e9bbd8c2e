import { describe, expect, it } from 'vitest';
import type { FactorImportReason } from '@/api/types';
import { makeTypeStatus } from '@/testing/status';
import { staleSummary, unresolvableEntries } from './staleReason';

function factorImport(jobId: number, changed: Partial<FactorImportReason> = {}): FactorImportReason {
  return {
    job_id: jobId,
    data_entry_type_id: 20,
    data_entry_type_name: 'plane',
    finished_at: `2025-03-1${jobId % 10}T10:41:00Z`,
    requested_by: 'alice',
    file_name: 'plane.csv',
    inserted: 0,
    updated: 2,
    removed: 0,
    ...changed,
  };
}

function stale(imports: FactorImportReason[], total = imports.length, unresolvable = 0) {
  return makeTypeStatus({
    needs_recalculation: true,
    reason: {
      factor_imports: imports,
      factor_imports_total: total,
      entries: 3185,
      affected_entries: 412,
      unresolvable_entries: unresolvable,
      counted_at: '2025-03-12T10:41:00Z',
    },
  });
}

describe('the stale reason line', () => {
  it('sums the changed factors and names the latest import first', () => {
    const summary = staleSummary(stale([factorImport(58), factorImport(57, { inserted: 1 })]));
    expect(summary).toEqual({
      factorsChanged: 5,
      atLeast: false,
      importIds: [58, 57],
      moreImports: 0,
      latest: '2025-03-18T10:41:00Z',
      affected: 412,
      entries: 3185,
    });
  });

  it('names three imports, counts the rest, and calls a capped sum a floor', () => {
    const listed = [61, 60, 59, 58].map((id) => factorImport(id));
    const summary = staleSummary(stale(listed, 12));
    expect(summary?.importIds).toEqual([61, 60, 59]);
    expect(summary?.moreImports).toBe(9);
    expect(summary?.atLeast).toBe(true);
  });

  it('says nothing for an up-to-date type; unresolvable entries are apart', () => {
    expect(staleSummary(makeTypeStatus())).toBeNull();
    expect(staleSummary(undefined)).toBeNull();
    const upToDate = makeTypeStatus({
      reason: { ...stale([], 0, 5).reason },
    });
    expect(staleSummary(upToDate)).toBeNull();
    expect(unresolvableEntries(upToDate)).toBe(5);
    expect(unresolvableEntries(makeTypeStatus())).toBe(0);
  });
});
