import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { Notify, Quasar } from 'quasar';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '@/i18n';
import { useJobStreamsStore } from '@/stores/jobStreams';
import { fakeApi, json } from '@/testing/fakeApi';
import { makeJob } from '@/testing/jobs';
import CancelJobButton from './CancelJobButton.vue';

function mounted() {
  return mount(CancelJobButton, {
    props: { jobId: 31 },
    global: { plugins: [[Quasar, { plugins: { Notify } }], i18n] },
  });
}

beforeEach(() => {
  setActivePinia(createPinia());
  i18n.global.locale.value = 'en';
  document.cookie = 'co2calc_csrf=token-123';
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CancelJobButton', () => {
  it('asks the server to cancel the job, then says it is stopping', async () => {
    const sent = fakeApi({
      'POST /api/v1/sync/jobs/31/cancel': () =>
        json(202, { ...makeJob({ id: 31, cancel_requested_by: 'admin' }), children: [] }),
    });
    const wrapper = mounted();
    expect(wrapper.text()).toContain('Cancel');
    expect(wrapper.attributes('aria-label')).toBe('Cancel job #31');

    await wrapper.trigger('click');
    await flushPromises();

    expect(sent.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([
      'POST /api/v1/sync/jobs/31/cancel',
    ]);
    expect(wrapper.text()).toContain('Stopping…');
    expect(wrapper.attributes('disabled')).toBeDefined();
  });

  it('says stopping at once for a job someone else already asked to cancel', () => {
    const streams = useJobStreamsStore();
    streams.jobs[31] = {
      id: 31,
      job: makeJob({ id: 31, cancel_requested_by: 'cli:ana' }),
      finished: false,
      connected: true,
    };

    const wrapper = mounted();

    expect(wrapper.text()).toContain('Stopping…');
    expect(wrapper.attributes('data-stopping')).toBe('true');
  });

  it('stays available when the server refuses', async () => {
    fakeApi({
      'POST /api/v1/sync/jobs/31/cancel': () =>
        json(409, { detail: 'job 31 has already finished (SUCCESS): there is nothing to cancel' }),
    });
    const wrapper = mounted();

    await wrapper.trigger('click');
    await flushPromises();

    expect(wrapper.text()).toContain('Cancel');
    expect(wrapper.attributes('data-stopping')).toBe('false');
  });
});
