/** A recalculation preview as the finished preview job carries it (`meta.preview`), read
 * defensively: the job's meta is free-form JSON in the API's schema. */
import type { JobRead } from '@/api/types';
import { JobState, TargetType } from './jobs';

export interface PreviewFigures {
  entries: number;
  changed: number;
  currentKg: number;
  newKg: number;
  deltaKg: number;
  /** null when the current total is 0. */
  deltaPct: number | null;
  newlyFailing: number;
  stoppedFailing: number;
}

export interface UnitChange extends PreviewFigures {
  code: string;
  name: string;
}

export interface FailingEntry {
  entryId: number;
  unitCode: string;
  reason: string;
}

export interface TypePreview extends PreviewFigures {
  typeId: number;
  /** Why the type's preview failed (a calculator bug), else null. */
  failure: string | null;
  failing: FailingEntry[];
}

export interface RecalculationPreview extends PreviewFigures {
  types: TypePreview[];
  topUnits: UnitChange[];
}

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
const asNumber = (value: unknown): number => (typeof value === 'number' ? value : 0);
const asText = (value: unknown): string => (typeof value === 'string' ? value : '');
const objects = (value: unknown): Json[] =>
  Array.isArray(value) ? value.flatMap((item): Json[] => {
    const object = asObject(item);
    return object ? [object] : [];
  }) : [];

function figures(source: Json): PreviewFigures {
  return {
    entries: asNumber(source.entries),
    changed: asNumber(source.changed),
    currentKg: asNumber(source.current_kg),
    newKg: asNumber(source.new_kg),
    deltaKg: asNumber(source.delta_kg),
    deltaPct: typeof source.delta_pct === 'number' ? source.delta_pct : null,
    newlyFailing: asNumber(source.newly_failing),
    stoppedFailing: asNumber(source.stopped_failing),
  };
}

function unitChange(source: Json): UnitChange {
  return { ...figures(source), code: asText(source.institutional_code), name: asText(source.unit_name) };
}

function typePreview(source: Json): TypePreview {
  return {
    ...figures(source),
    typeId: asNumber(source.data_entry_type_id),
    failure: source.failed === true ? asText(source.reason) : null,
    failing: objects(source.newly_failing_details).map((item) => ({
      entryId: asNumber(item.entry_id),
      unitCode: asText(item.institutional_code),
      reason: asText(item.reason),
    })),
  };
}

/** The preview of a finished preview job, else null (still running, or another kind). */
export function previewOf(job: Pick<JobRead, 'target_type' | 'state' | 'meta'> | null): RecalculationPreview | null {
  if (!job || job.target_type !== TargetType.EMISSION_PREVIEW || job.state !== JobState.FINISHED) return null;
  const preview = asObject(job.meta.preview);
  if (!preview) return null;
  return {
    ...figures(preview),
    types: objects(preview.types).map(typePreview),
    topUnits: objects(preview.top_units).map(unitChange),
  };
}

/** Every newly failing entry listed, over the types, at most `limit`. */
export function failingEntries(preview: RecalculationPreview, limit: number): FailingEntry[] {
  return preview.types.flatMap((type) => type.failing).slice(0, limit);
}
