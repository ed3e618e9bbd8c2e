/** The Data Management page's server state for one year: module catalogue, recalculation
 * status, totals, job history, and the jobs being followed (through the job streams store).
 *
 * Jobs started elsewhere (another operator, the command line) are found by a light poll of the
 * status and the history, and then followed live like the page's own. */
import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { api } from '@/api/client';
import type {
  EmissionsReport,
  JobRead,
  JobWithChildren,
  ModuleRecalculationStatus,
  ModuleTypeRead,
  RecalculationStatus,
} from '@/api/types';
import { loadBefore, saveBefore } from '@/domain/beforeStorage';
import { isActive, jobKind } from '@/domain/jobs';
import {
  runningForModule as forModule,
  runningForType as forType,
  scopeOf,
  type FollowedJobs,
  type JobScope,
} from '@/domain/runningRecalculations';
import type { RunningRecalculation } from '@/domain/status';
import { moduleTotals, type BeforeByModule } from '@/domain/totals';
import { useJobStreamsStore } from './jobStreams';

export const POLL_MS = 2500;
export const HISTORY_PAGE = 10;

export const useDataManagementStore = defineStore('dataManagement', () => {
  const streams = useJobStreamsStore();

  const year = ref<number | null>(null);
  const years = ref<number[]>([]);
  const modules = ref<ModuleTypeRead[]>([]);
  const statusByModule = ref<Record<number, ModuleRecalculationStatus>>({});
  const report = ref<EmissionsReport | null>(null);
  const history = ref<JobWithChildren[]>([]);
  const historyTotal = ref(0);
  const historyLimit = ref(HISTORY_PAGE);
  const before = ref<BeforeByModule>({});
  const loadError = ref<string | null>(null);
  const loading = ref(false);
  /** Every job followed on this page, by id. */
  const scopes = reactive<Record<number, JobScope>>({});
  /** The latest import a type row (or a module card, for module-wide files) shows. */
  const importJobByType = reactive<Record<number, number>>({});
  const importJobByModule = reactive<Record<number, number>>({});

  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let stopListening: (() => void) | null = null;

  const moduleIds = computed(() => modules.value.map((module) => module.module_type_id));

  function typeStatus(moduleId: number, typeId: number): RecalculationStatus | undefined {
    return statusByModule.value[moduleId]?.data_entry_types.find(
      (type) => type.data_entry_type_id === typeId,
    );
  }

  const followed: FollowedJobs = {
    scopes,
    live: (jobId) => streams.jobs[jobId]?.job ?? null,
    finished: (jobId) => streams.jobs[jobId]?.finished ?? false,
  };

  function runningForModule(moduleId: number): RunningRecalculation | null {
    return forModule(statusByModule.value[moduleId], moduleId, followed);
  }

  function runningForType(moduleId: number, typeId: number): RunningRecalculation | null {
    return forType(statusByModule.value[moduleId], typeId, followed);
  }

  /** Recalculations found before the year's totals arrived: their snapshot waits for them. */
  const pendingSnapshots = new Map<number, number>();

  function snapshotBefore(moduleId: number, jobId: number): void {
    if (year.value === null || before.value[moduleId]?.jobId === jobId) return;
    const totals = moduleTotals(report.value, moduleId);
    if (!totals) {
      pendingSnapshots.set(jobId, moduleId);
      return;
    }
    before.value = { ...before.value, [moduleId]: { jobId, totals } };
    saveBefore(year.value, before.value);
  }

  /** Follow a job live; a recalculation first keeps the module's totals as "before". */
  function follow(jobId: number, scope: JobScope): void {
    if (!scopes[jobId]) scopes[jobId] = scope;
    if (scope.kind === 'recalculation') snapshotBefore(scope.moduleId, jobId);
    else if (scope.typeId !== null) importJobByType[scope.typeId] = jobId;
    else importJobByModule[scope.moduleId] = jobId;
    streams.follow(jobId);
  }

  async function loadModules(): Promise<void> {
    if (modules.value.length) return;
    const { data } = await api.GET('/api/v1/modules');
    if (data) modules.value = data.items;
  }

  async function loadYears(): Promise<number[]> {
    const { data } = await api.GET('/api/v1/years');
    years.value = data?.years ?? [];
    return years.value;
  }

  /** The year to open without one in the URL: the latest the API lists, else this year. */
  async function defaultYear(): Promise<number> {
    const listed = await loadYears();
    return listed.length ? Math.max(...listed) : new Date().getFullYear();
  }

  async function refreshStatus(): Promise<void> {
    if (year.value === null) return;
    const forYear = year.value;
    const { data, error } = await api.GET('/api/v1/sync/recalculation-status', {
      params: { query: { year: forYear } },
    });
    if (!data || forYear !== year.value) {
      if (error) loadError.value = 'status';
      return;
    }
    statusByModule.value = Object.fromEntries(data.map((item) => [item.module_type_id, item]));
    for (const module of data) {
      for (const type of module.data_entry_types) {
        const id = type.recalculation_running_job_id;
        if (id !== null && !scopes[id]) {
          follow(id, { moduleId: module.module_type_id, typeId: null, kind: 'recalculation' });
        }
      }
    }
  }

  async function refreshReport(): Promise<void> {
    if (year.value === null) return;
    const forYear = year.value;
    const { data } = await api.GET('/api/v1/reports/emissions', {
      params: { query: { year: forYear } },
    });
    if (!data || forYear !== year.value) return;
    report.value = data;
    for (const [jobId, moduleId] of pendingSnapshots) snapshotBefore(moduleId, jobId);
    pendingSnapshots.clear();
  }

  async function refreshHistory(): Promise<void> {
    if (year.value === null) return;
    const forYear = year.value;
    const { data } = await api.GET('/api/v1/sync/jobs', {
      params: { query: { year: forYear, limit: historyLimit.value } },
    });
    if (!data || forYear !== year.value) return;
    history.value = data.items;
    historyTotal.value = data.total;
    for (const job of data.items) {
      // A preview is followed by the dialog that started it, if still open: it changes nothing.
      if (isActive(job) && !scopes[job.id] && jobKind(job) !== 'preview') follow(job.id, scopeOf(job));
    }
  }

  async function showMoreHistory(): Promise<void> {
    historyLimit.value += HISTORY_PAGE;
    await refreshHistory();
  }

  async function refreshAfter(job: JobRead): Promise<void> {
    const kind = jobKind(job);
    await Promise.all([
      refreshStatus(),
      refreshHistory(),
      kind === 'factor_import' ? Promise.resolve() : refreshReport(),
      kind === 'factor_import' ? loadYears() : Promise.resolve(),
    ]);
  }

  function clearYear(): void {
    streams.stopAll();
    for (const id of Object.keys(scopes)) delete scopes[Number(id)];
    for (const id of Object.keys(importJobByType)) delete importJobByType[Number(id)];
    for (const id of Object.keys(importJobByModule)) delete importJobByModule[Number(id)];
    pendingSnapshots.clear();
    statusByModule.value = {};
    report.value = null;
    history.value = [];
    historyTotal.value = 0;
    historyLimit.value = HISTORY_PAGE;
  }

  /** Open the page on a year: load everything, follow running jobs, start polling. */
  async function start(forYear: number): Promise<void> {
    stop();
    year.value = forYear;
    before.value = loadBefore(forYear);
    loadError.value = null;
    loading.value = true;
    stopListening = streams.onFinished((job) => {
      if (scopes[job.id]) void refreshAfter(job);
    });
    try {
      await Promise.all([loadModules(), loadYears(), refreshReport(), refreshStatus(), refreshHistory()]);
    } finally {
      loading.value = false;
    }
    pollTimer = setInterval(() => {
      if (document.visibilityState !== 'hidden') {
        void refreshStatus();
        void refreshHistory();
      }
    }, POLL_MS);
  }

  /** Leave the page (or the year): stop polling and close every stream. The page opens on
   * its year again from scratch (after a new login, say). */
  function stop(): void {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
    stopListening?.();
    stopListening = null;
    clearYear();
    year.value = null;
  }

  return {
    year,
    years,
    modules,
    moduleIds,
    statusByModule,
    report,
    history,
    historyTotal,
    before,
    loadError,
    loading,
    scopes,
    importJobByType,
    importJobByModule,
    typeStatus,
    liveJob: followed.live,
    runningForModule,
    runningForType,
    follow,
    refreshStatus,
    refreshHistory,
    showMoreHistory,
    defaultYear,
    start,
    stop,
  };
});
