import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, type Handler } from '@/testing/fakeApi';
import { FakeEventSource } from '@/testing/fakeEventSource';
import { useDataManagementStore } from './dataManagement';
import { makeJob } from '@/testing/jobs';
import { ActionError, cancelJob, importFile, recalculateModule, recalculateType } from './syncActions';

/** Every POST gets `post`; the refreshes that follow get empty answers. */
function answer(post: Response): Request[] {
  const posted: Handler = () => post.clone();
  return fakeApi({
    'POST /api/v1/sync/recalculate-emissions/2': posted,
    'POST /api/v1/sync/recalculate-emissions/2/20': posted,
    'POST /api/v1/sync/data-entries/2': posted,
    'GET /api/v1/sync/recalculation-status': () => json(200, []),
    'GET /api/v1/sync/jobs': () => json(200, { items: [], total: 0 }),
  });
}

beforeEach(() => {
  setActivePinia(createPinia());
  FakeEventSource.reset();
  vi.stubGlobal('EventSource', FakeEventSource);
  useDataManagementStore().year = 2025;
  document.cookie = 'co2calc_csrf=token-123';
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function posted(sent: Request[]): Request {
  const request = sent.find((item) => item.method === 'POST');
  if (!request) throw new Error('nothing was posted');
  return request;
}

describe('recalculation requests', () => {
  it.each([
    ['only_stale', 'true'],
    ['all', 'false'],
  ] as const)('the dialog choice %s sends only_stale=%s', async (scope, expected) => {
    const sent = answer(json(202, { job_id: 31, state: 0, message: 'queued' }));

    const started = await recalculateModule(2, scope);

    const url = new URL(posted(sent).url);
    expect(url.pathname).toBe('/api/v1/sync/recalculate-emissions/2');
    expect(url.searchParams.get('only_stale')).toBe(expected);
    expect(url.searchParams.get('year')).toBe('2025');
    expect(started).toEqual({ jobId: 31, attached: false });
    expect(FakeEventSource.instances.map((source) => source.url)).toEqual([
      '/api/v1/sync/jobs/31/stream',
    ]);
  });

  it('echoes the CSRF cookie on the write', async () => {
    const sent = answer(json(202, { job_id: 31, state: 0, message: 'queued' }));
    await recalculateType(2, 20);
    const request = posted(sent);
    expect(request.headers.get('X-CSRF-Token')).toBe('token-123');
    expect(new URL(request.url).pathname).toBe('/api/v1/sync/recalculate-emissions/2/20');
  });

  it('attaches to the running job on 409 instead of failing', async () => {
    answer(json(409, { detail: 'a recalculation is running', job_id: 29 }));

    const started = await recalculateModule(2, 'only_stale');

    expect(started).toEqual({ jobId: 29, attached: true });
    expect(FakeEventSource.instances.map((source) => source.url)).toEqual([
      '/api/v1/sync/jobs/29/stream',
    ]);
    expect(useDataManagementStore().scopes[29]).toEqual({
      moduleId: 2,
      typeId: null,
      kind: 'recalculation',
    });
  });

  it('reports any other refusal with the API detail', async () => {
    answer(json(400, { detail: 'no data entry type of the module needs recalculation' }));
    await expect(recalculateModule(2, 'only_stale')).rejects.toThrow(ActionError);
    await expect(recalculateModule(2, 'only_stale')).rejects.toThrow(/needs recalculation/);
    expect(FakeEventSource.instances).toHaveLength(0);
  });
});

describe('imports', () => {
  it('uploads the file as multipart with the type, year and mode', async () => {
    const sent = answer(json(202, { job_id: 40, state: 0, message: 'queued' }));
    const file = new File(['unit_institutional_code\n'], 'plane.csv', { type: 'text/csv' });

    await importFile('data', 2, 20, file, 'replace');

    const request = posted(sent);
    const url = new URL(request.url);
    expect(url.pathname).toBe('/api/v1/sync/data-entries/2');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      year: '2025',
      data_entry_type_id: '20',
      mode: 'replace',
    });
    const form = await request.formData();
    expect((form.get('file') as File).name).toBe('plane.csv');
    expect(useDataManagementStore().importJobByType[20]).toBe(40);
  });
});

describe('cancel', () => {
  it('posts the cancel of the job with the CSRF token and returns the job as it is now', async () => {
    const job = makeJob({ id: 31, cancel_requested_by: 'admin' });
    const sent = fakeApi({ 'POST /api/v1/sync/jobs/31/cancel': () => json(202, { ...job, children: [] }) });

    const answered = await cancelJob(31);

    expect(answered.cancel_requested_by).toBe('admin');
    const request = posted(sent);
    expect(new URL(request.url).pathname).toBe('/api/v1/sync/jobs/31/cancel');
    expect(request.headers.get('X-CSRF-Token')).toBe('token-123');
  });

  it('reports a refusal with the API detail', async () => {
    const detail = 'job 31 has already finished (SUCCESS): there is nothing to cancel';
    fakeApi({ 'POST /api/v1/sync/jobs/31/cancel': () => json(409, { detail }) });

    await expect(cancelJob(31)).rejects.toThrow(new ActionError(detail));
  });
});
