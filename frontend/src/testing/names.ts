/** The names the API sends beside its integer codes (`module_type_name` next to
 * `module_type_id`...), so the test factories give a job or a status its names the way the
 * API derives them. */

const MODULE_NAMES: Record<number, string> = {
  1: 'headcount',
  2: 'professional_travel',
  3: 'buildings',
  4: 'equipment_electric_consumption',
  5: 'purchase',
  6: 'research_facilities',
  7: 'external_cloud_and_ai',
  8: 'process_emissions',
};

const TYPE_NAMES: Record<number, string> = {
  1: 'member',
  2: 'student',
  10: 'scientific',
  11: 'it',
  12: 'other',
  20: 'plane',
  21: 'train',
  30: 'building',
  31: 'energy_combustion',
  32: 'building_embodied_energy',
  40: 'external_clouds',
  41: 'external_ai',
  50: 'process_emissions',
  60: 'scientific_equipment',
  61: 'it_equipment',
  62: 'consumable_accessories',
  63: 'biological_chemical_gaseous_product',
  64: 'services',
  65: 'vehicles',
  66: 'other_purchases',
  67: 'additional_purchases',
  70: 'research_facilities',
  71: 'mice_and_fish_animal_facilities',
};

const STATE_NAMES = ['not_started', 'queued', 'running', 'finished'];
const RESULT_NAMES = ['success', 'warning', 'error'];

function named(table: Record<number, string> | string[], code: number): string {
  const name = (table as Record<number, string>)[code];
  if (name === undefined) throw new Error(`no name for code ${code}`);
  return name;
}

export function moduleName(id: number): string {
  return named(MODULE_NAMES, id);
}

export function typeName(id: number | null): string | null {
  return id === null ? null : named(TYPE_NAMES, id);
}

export function stateName(state: number): string;
export function stateName(state: number | null): string | null;
export function stateName(state: number | null): string | null {
  return state === null ? null : named(STATE_NAMES, state);
}

export function resultName(result: number | null): string | null {
  return result === null ? null : named(RESULT_NAMES, result);
}
