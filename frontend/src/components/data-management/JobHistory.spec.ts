import { mount } from '@vue/test-utils';
import { Quasar } from 'quasar';
import { beforeEach, describe, expect, it } from 'vitest';
import { i18n } from '@/i18n';
import { makeJob } from '@/testing/jobs';
import JobHistory from './JobHistory.vue';

function headers(locale: 'en' | 'fr'): string[] {
  i18n.global.locale.value = locale;
  const wrapper = mount(JobHistory, {
    props: { jobs: [{ ...makeJob({ id: 7 }), children: [] }], total: 1 },
    global: { plugins: [Quasar, i18n] },
  });
  return wrapper.findAll('th').map((th) => th.text());
}

beforeEach(() => {
  i18n.global.locale.value = 'en';
});

describe('JobHistory', () => {
  // Its column labels are looked up by a computed key, which the label check cannot see.
  it('labels every column in both languages, never with a bare key', () => {
    expect(headers('en')).toEqual([
      'Job', 'What', 'State', 'Result', 'Started by', 'Started', 'Duration', 'Message', 'Details',
    ]);
    expect(headers('fr').filter((text) => text.startsWith('history.'))).toEqual([]);
  });
});
