import { describe, expect, it } from 'vitest';
import { makeJob } from '@/testing/jobs';
import { changedNoFactor, entryErrors, factorChanges, failureReason, jobCounts, rejectedRows } from './jobMeta';

const factorImport = makeJob({
  target_type: 1,
  ingestion_method: 1,
  meta: {
    inserted: 3,
    updated: 13,
    unchanged: 4,
    rejected_total: 120,
    rejected_rows: [{ line: 18, reason: "category: 'warp_speed' is not one of: ..." }],
  },
});

const dataImport = makeJob({
  target_type: 0,
  ingestion_method: 1,
  meta: {
    inserted: 2,
    rejected_total: 1,
    rejected_rows: [{ line: 4, reason: 'unknown unit' }],
    entry_errors_total: 1,
    entry_errors: [{ line: 3, reason: 'unknown airport code "XQZ"', entry_id: 14916 }],
  },
});

const moduleRecalculation = makeJob({
  meta: {
    recalculation: {
      '20': { recalculated: 8, errors: 2, error_details: [{ entry_id: 5, reason: 'no factor' }] },
      '21': { recalculated: 0, errors: 0, error_details: [], failed: true, reason: 'boom' },
    },
  },
});

describe('job meta', () => {
  it('lists rejected rows with the exact total', () => {
    expect(rejectedRows(factorImport)).toEqual({
      items: [{ line: 18, entryId: null, reason: "category: 'warp_speed' is not one of: ..." }],
      total: 120,
    });
  });

  it('lists the entry errors of a data import with their entry id', () => {
    expect(entryErrors(dataImport).items).toEqual([
      { line: 3, entryId: 14916, reason: 'unknown airport code "XQZ"' },
    ]);
  });

  it('collects entry errors and failures across the types of a module recalculation', () => {
    expect(entryErrors(moduleRecalculation)).toEqual({
      items: [{ line: null, entryId: 5, reason: 'no factor' }],
      total: 2,
    });
    expect(failureReason(moduleRecalculation)).toBe('boom');
    expect(jobCounts(moduleRecalculation)).toEqual({
      done: 8,
      rejected: 0,
      entryErrors: 2,
      failedTypes: 1,
    });
  });

  it('reads a single type recalculation and tolerates missing keys', () => {
    const typeJob = makeJob({ meta: { recalculation: { recalculated: 4, errors: 0 } } });
    expect(jobCounts(typeJob).done).toBe(4);
    expect(jobCounts(makeJob({ meta: {} }))).toEqual({ done: 0, rejected: 0, entryErrors: 0, failedTypes: 0 });
    expect(jobCounts(factorImport)).toMatchObject({ done: 20, rejected: 120 });
    expect(jobCounts(dataImport)).toMatchObject({ done: 2, rejected: 1, entryErrors: 1 });
  });

  it('reads what a factor import did to the factors, and nothing for another job', () => {
    expect(factorChanges(factorImport)).toEqual({ inserted: 3, updated: 13, unchanged: 4, removed: 0 });
    expect(factorChanges(makeJob({ target_type: 1, ingestion_method: 1, meta: { removed: 2 } }))).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 0,
      removed: 2,
    });
    expect(factorChanges(dataImport)).toBeNull();
  });

  it('tells a factor import that changed nothing from one that changed something', () => {
    const sameFileAgain = makeJob({
      target_type: 1,
      ingestion_method: 1,
      meta: { inserted: 0, updated: 0, unchanged: 16, removed: 0 },
    });
    expect(changedNoFactor(sameFileAgain)).toBe(true);
    expect(changedNoFactor(factorImport)).toBe(false);
    const oneRemoved = makeJob({
      target_type: 1,
      ingestion_method: 1,
      meta: { inserted: 0, updated: 0, unchanged: 15, removed: 1 },
    });
    expect(changedNoFactor(oneRemoved)).toBe(false);
    expect(changedNoFactor(dataImport)).toBe(false);
    expect(changedNoFactor(makeJob({ meta: {} }))).toBe(false);
  });
});
