/** Keep Tab and Shift+Tab inside a dialog: two focusable sentinels at its edges send focus
 * round to the other end (Quasar returns focus only after it has left). */
import type { Ref } from 'vue';

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"]):not([data-focus-sentinel])';

export function useFocusWrap(container: Ref<HTMLElement | null>) {
  function focusable(): HTMLElement[] {
    const root = container.value;
    if (!root) return [];
    return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (element) => element.getAttribute('aria-disabled') !== 'true',
    );
  }

  return {
    toFirst: () => focusable()[0]?.focus(),
    toLast: () => focusable().at(-1)?.focus(),
  };
}
