import { flushPromises, mount } from '@vue/test-utils';
import { Quasar } from 'quasar';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { i18n } from '@/i18n';
import RecalculationDialog from './RecalculationDialog.vue';

function open(staleTypeIds: number[]) {
  return mount(RecalculationDialog, {
    props: {
      modelValue: true,
      moduleId: 2,
      moduleLabel: 'Professional travel',
      staleTypeIds,
      staleTypeLabels: staleTypeIds.map((id) => (id === 20 ? 'Plane' : 'Train')),
    },
    global: { plugins: [Quasar, i18n] },
    attachTo: document.body,
  });
}

const find = (testid: string) => document.body.querySelector<HTMLElement>(`[data-testid="${testid}"]`);

afterEach(() => {
  document.body.innerHTML = '';
});

describe('RecalculationDialog', () => {
  it('names the stale types, defaults to them and confirms only_stale', async () => {
    i18n.global.locale.value = 'en';
    const wrapper = open([20]);
    await flushPromises();

    expect(find('dialog-stale-types')?.textContent).toContain('Plane');
    expect(find('dialog-choice-only-stale')?.getAttribute('aria-checked')).toBe('true');
    find('dialog-confirm')?.click();
    await nextTick();

    expect(wrapper.emitted('confirm')).toEqual([['only_stale']]);
    expect(wrapper.emitted('update:modelValue')).toEqual([[false]]);
    wrapper.unmount();
  });

  it('confirms "all" when the operator picks it', async () => {
    const wrapper = open([20]);
    await flushPromises();

    find('dialog-choice-all')?.click();
    await nextTick();
    find('dialog-confirm')?.click();
    await nextTick();

    expect(wrapper.emitted('confirm')).toEqual([['all']]);
    wrapper.unmount();
  });

  it('disables "only stale" with the reason when nothing is stale', async () => {
    const wrapper = open([]);
    await flushPromises();

    expect(find('dialog-choice-only-stale')?.getAttribute('aria-disabled')).toBe('true');
    expect(find('dialog-none-stale')?.textContent).toContain('No data entry type needs recalculation');
    find('dialog-confirm')?.click();
    await nextTick();

    expect(wrapper.emitted('confirm')).toEqual([['all']]);
    wrapper.unmount();
  });
});
