import { describe, expect, it } from 'vitest';
import { makeModuleStatus, makeTypeStatus } from '@/testing/status';
import { canChooseOnlyStale, defaultScope, onlyStaleParam, staleTypeIds } from './recalculationChoice';

function status(stale: Record<number, boolean>) {
  return makeModuleStatus(
    Object.entries(stale).map(([id, needs]) =>
      makeTypeStatus({ data_entry_type_id: Number(id), needs_recalculation: needs }),
    ),
  );
}

describe('the recalculation dialog choice', () => {
  it('names the stale types and defaults to them', () => {
    const stale = staleTypeIds(status({ 20: true, 21: false }));
    expect(stale).toEqual([20]);
    expect(defaultScope(stale)).toBe('only_stale');
    expect(canChooseOnlyStale(stale)).toBe(true);
  });

  it('offers only "all" when nothing is stale', () => {
    const stale = staleTypeIds(status({ 20: false, 21: false }));
    expect(stale).toEqual([]);
    expect(defaultScope(stale)).toBe('all');
    expect(canChooseOnlyStale(stale)).toBe(false);
    expect(staleTypeIds(undefined)).toEqual([]);
  });

  it('sends only_stale exactly as chosen', () => {
    expect(onlyStaleParam('only_stale')).toBe(true);
    expect(onlyStaleParam('all')).toBe(false);
  });
});
