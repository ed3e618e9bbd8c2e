import { describe, expect, it } from 'vitest';
import type { EmissionsReport } from '@/api/types';
import { moduleName } from '@/testing/names';
import { moduleTotals, seriesByModule, seriesByScope } from './totals';

function report(modules: [number, number, number, number][]): EmissionsReport {
  return {
    year: 2025,
    total_kg_co2eq: modules.reduce((sum, [, s1, s2, s3]) => sum + s1 + s2 + s3, 0),
    modules: modules.map(([id, scope1, scope2, scope3]) => ({
      module_type_id: id,
      module_type_name: moduleName(id),
      total_kg_co2eq: scope1 + scope2 + scope3,
      scope1,
      scope2,
      scope3,
      data_entry_types: [],
    })),
  };
}

const now = report([
  [1, 0, 0, 500],
  [2, 100, 200, 0],
]);

describe('chart series', () => {
  it('reads a module of the report', () => {
    expect(moduleTotals(now, 2)).toEqual({ total: 300, scope1: 100, scope2: 200, scope3: 0 });
    expect(moduleTotals(now, 9)).toBeNull();
    expect(moduleTotals(null, 1)).toBeNull();
  });

  it('puts each module before its last recalculation next to now', () => {
    const before = { 2: { jobId: 5, totals: { total: 150, scope1: 50, scope2: 100, scope3: 0 } } };
    expect(seriesByModule([1, 2], now, before)).toEqual({ before: [null, 150], now: [500, 300] });
  });

  it('sums scopes, counting modules not recalculated as they are now', () => {
    const before = { 2: { jobId: 5, totals: { total: 150, scope1: 50, scope2: 100, scope3: 0 } } };
    expect(seriesByScope([1, 2], now, before)).toEqual({
      before: [50, 100, 500],
      now: [100, 200, 500],
    });
  });

  it('has no "before" when nothing was recalculated', () => {
    expect(seriesByScope([1, 2], now, {}).before).toEqual([null, null, null]);
  });
});
