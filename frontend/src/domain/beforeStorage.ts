/** The "before" totals survive a reload: the API keeps only the totals of now. */
import type { BeforeByModule } from './totals';

const key = (year: number) => `co2calc.totalsBefore.${year}`;

export function loadBefore(year: number, storage: Storage = localStorage): BeforeByModule {
  try {
    const raw = storage.getItem(key(year));
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === 'object' ? (parsed as BeforeByModule) : {};
  } catch {
    return {};
  }
}

export function saveBefore(year: number, before: BeforeByModule, storage: Storage = localStorage): void {
  try {
    storage.setItem(key(year), JSON.stringify(before));
  } catch {
    // A full or disabled storage only loses the comparison after a reload.
  }
}
