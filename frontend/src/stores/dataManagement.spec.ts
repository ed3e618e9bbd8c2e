import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, settle } from '@/testing/fakeApi';
import { FakeEventSource } from '@/testing/fakeEventSource';
import { makeJob } from '@/testing/jobs';
import { makeModuleStatus, makeTypeStatus } from '@/testing/status';
import { POLL_MS, useDataManagementStore } from './dataManagement';

function travelStatus(runningJobId: number | null) {
  return [
    makeModuleStatus(
      [20, 21].map((id) =>
        makeTypeStatus({
          data_entry_type_id: id,
          needs_recalculation: true,
          recalculation_running_job_id: runningJobId,
        }),
      ),
    ),
  ];
}

const report = (total: number) => ({
  year: 2025,
  total_kg_co2eq: total,
  modules: [
    { module_type_id: 2, total_kg_co2eq: total, scope1: 0, scope2: 0, scope3: total, data_entry_types: [] },
  ],
});

/** The back end as a running module recalculation (job 50) and a factor import (job 60) see it. */
function backEnd(state: { running: number | null; total: number }): Request[] {
  const importJob = makeJob({ id: 60, target_type: 1, ingestion_method: 1, data_entry_type_id: 21 });
  return fakeApi({
    'GET /api/v1/modules': () => json(200, { items: [], total: 0 }),
    'GET /api/v1/years': () => json(200, { years: [2024, 2025] }),
    'GET /api/v1/reports/emissions': () => json(200, report(state.total)),
    'GET /api/v1/sync/recalculation-status': () => json(200, travelStatus(state.running)),
    'GET /api/v1/sync/jobs': () => json(200, { items: [importJob], total: 1 }),
  });
}

function count(sent: Request[], path: string): number {
  return sent.filter((request) => new URL(request.url).pathname === path).length;
}

beforeEach(() => {
  setActivePinia(createPinia());
  FakeEventSource.reset();
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  localStorage.clear();
});

afterEach(() => {
  useDataManagementStore().stop();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the data management store', () => {
  it('follows the jobs that are running when the page opens', async () => {
    backEnd({ running: 50, total: 1000 });
    const store = useDataManagementStore();

    await store.start(2025);

    expect(FakeEventSource.instances.map((source) => source.url).sort()).toEqual([
      '/api/v1/sync/jobs/50/stream',
      '/api/v1/sync/jobs/60/stream',
    ]);
    expect(store.years).toEqual([2024, 2025]);
    expect(store.importJobByType[21]).toBe(60);
    expect(store.runningForModule(2)?.jobId).toBe(50);
    expect(store.runningForType(2, 20)?.jobId).toBe(50);
  });

  it('keeps the totals from before a recalculation, and shows progress from the stream', async () => {
    backEnd({ running: 50, total: 1000 });
    const store = useDataManagementStore();
    await store.start(2025);

    expect(store.before[2]).toEqual({
      jobId: 50,
      totals: { total: 1000, scope1: 0, scope2: 0, scope3: 1000 },
    });
    const stream = FakeEventSource.instances.find((source) => source.url.includes('/50/'))!;
    stream.send(makeJob({ id: 50, progress_done: 3, progress_total: 12, status_message: 'x 3/12' }));
    expect(store.runningForModule(2)).toEqual({ jobId: 50, done: 3, total: 12, message: 'x 3/12' });
  });

  it('refreshes status, history and totals when a followed job finishes', async () => {
    const state = { running: 50 as number | null, total: 1000 };
    const sent = backEnd(state);
    const store = useDataManagementStore();
    await store.start(2025);
    const statusCalls = count(sent, '/api/v1/sync/recalculation-status');
    const reportCalls = count(sent, '/api/v1/reports/emissions');

    state.running = null;
    state.total = 1500;
    const stream = FakeEventSource.instances.find((source) => source.url.includes('/50/'))!;
    stream.send({ ...makeJob({ id: 50, state: 3, result: 0 }), stream_closed: true });
    await settle();

    expect(count(sent, '/api/v1/sync/recalculation-status')).toBe(statusCalls + 1);
    expect(count(sent, '/api/v1/reports/emissions')).toBe(reportCalls + 1);
    expect(store.runningForModule(2)).toBeNull();
    expect(store.report?.total_kg_co2eq).toBe(1500);
    expect(store.before[2]?.totals.total).toBe(1000);
  });

  it('finds a recalculation started elsewhere at the next poll', async () => {
    const state = { running: null as number | null, total: 1000 };
    backEnd(state);
    const store = useDataManagementStore();
    await store.start(2025);
    expect(store.runningForModule(2)).toBeNull();

    state.running = 77;
    vi.advanceTimersByTime(POLL_MS);
    await settle();

    expect(store.runningForModule(2)?.jobId).toBe(77);
    expect(FakeEventSource.instances.some((source) => source.url.includes('/77/'))).toBe(true);
  });

  it('stops polling and closes every stream when the page leaves', async () => {
    const sent = backEnd({ running: 50, total: 1000 });
    const store = useDataManagementStore();
    await store.start(2025);

    store.stop();
    const requests = sent.length;
    vi.advanceTimersByTime(POLL_MS * 3);
    await settle();

    expect(sent.length).toBe(requests);
    expect(FakeEventSource.open()).toEqual([]);
    expect(store.year).toBeNull();
    expect(store.runningForModule(2)).toBeNull();
  });
});
