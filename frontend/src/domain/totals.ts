/** Totals of the year per module and per scope, and the "before" side of the chart: the totals a
 * module had when its last recalculation started (kept by the page, since the API only knows
 * the totals of now). */
import type { EmissionsReport } from '@/api/types';

export interface Totals {
  total: number;
  scope1: number;
  scope2: number;
  scope3: number;
}

export interface BeforeSnapshot {
  /** The recalculation whose start this snapshot was taken at. */
  jobId: number;
  totals: Totals;
}

export type BeforeByModule = Record<number, BeforeSnapshot>;

export const SCOPES = ['scope1', 'scope2', 'scope3'] as const;
export type Scope = (typeof SCOPES)[number];

const ZERO: Totals = { total: 0, scope1: 0, scope2: 0, scope3: 0 };

export function moduleTotals(report: EmissionsReport | null, moduleId: number): Totals | null {
  const module = report?.modules.find((item) => item.module_type_id === moduleId);
  if (!module) return null;
  return {
    total: module.total_kg_co2eq,
    scope1: module.scope1,
    scope2: module.scope2,
    scope3: module.scope3,
  };
}

export interface Series {
  /** null where there is no "before" value (the module was not recalculated since). */
  before: (number | null)[];
  now: number[];
}

export function seriesByModule(
  moduleIds: readonly number[],
  report: EmissionsReport | null,
  before: BeforeByModule,
): Series {
  return {
    before: moduleIds.map((id) => before[id]?.totals.total ?? null),
    now: moduleIds.map((id) => moduleTotals(report, id)?.total ?? 0),
  };
}

function add(a: Totals, b: Totals): Totals {
  return {
    total: a.total + b.total,
    scope1: a.scope1 + b.scope1,
    scope2: a.scope2 + b.scope2,
    scope3: a.scope3 + b.scope3,
  };
}

/** Per scope: now, and before = every module as it was before its last recalculation (modules
 * not recalculated count as they are now); no "before" at all when nothing was recalculated. */
export function seriesByScope(
  moduleIds: readonly number[],
  report: EmissionsReport | null,
  before: BeforeByModule,
): Series {
  let now = ZERO;
  let then = ZERO;
  for (const id of moduleIds) {
    const current = moduleTotals(report, id) ?? ZERO;
    now = add(now, current);
    then = add(then, before[id]?.totals ?? current);
  }
  const anyBefore = moduleIds.some((id) => before[id] !== undefined);
  return {
    before: SCOPES.map((scope) => (anyBefore ? then[scope] : null)),
    now: SCOPES.map((scope) => now[scope]),
  };
}
