/** The page's writes: start a recalculation or an import, then follow its job. A 409 ("already
 * running") is not an error for the operator: the page follows the running job instead. */
import { api } from '@/api/client';
import { asDataEntryTypeId, asModuleTypeId, type JobWithChildren } from '@/api/types';
import { conflictJobId, errorDetail } from '@/api/errors';
import { onlyStaleParam, type RecalculationScope } from '@/domain/recalculationChoice';
import type { JobScope } from '@/domain/runningRecalculations';
import { useDataManagementStore } from './dataManagement';

export interface StartedJob {
  jobId: number;
  /** true when the job was already running (409) and the page attached to it. */
  attached: boolean;
}

export class ActionError extends Error {}

export type ImportKind = 'factors' | 'data';
export type ImportMode = 'append' | 'replace';

interface Answer {
  data?: { job_id: number };
  error?: unknown;
  response: Response;
}

function started(answer: Answer, scope: JobScope): StartedJob {
  const store = useDataManagementStore();
  const { data, error, response } = answer;
  if (data) {
    store.follow(data.job_id, scope);
    void store.refreshStatus();
    void store.refreshHistory();
    return { jobId: data.job_id, attached: false };
  }
  const runningId = response.status === 409 ? conflictJobId(error) : null;
  if (runningId !== null) {
    store.follow(runningId, scope);
    return { jobId: runningId, attached: true };
  }
  throw new ActionError(errorDetail(error, `${response.status} ${response.statusText}`));
}

function currentYear(): number {
  const year = useDataManagementStore().year;
  if (year === null) throw new ActionError('no year selected');
  return year;
}

export async function recalculateModule(
  moduleId: number,
  scope: RecalculationScope,
): Promise<StartedJob> {
  const answer = await api.POST('/api/v1/sync/recalculate-emissions/{module_type_id}', {
    params: {
      path: { module_type_id: asModuleTypeId(moduleId) },
      query: { year: currentYear(), only_stale: onlyStaleParam(scope) },
    },
  });
  return started(answer, { moduleId, typeId: null, kind: 'recalculation' });
}

/** Start a preview of what `recalculateModule(moduleId, scope)` would change; its job id. The
 * caller follows it (the page's job bookkeeping leaves previews alone: they change nothing). */
export async function startPreview(moduleId: number, scope: RecalculationScope): Promise<number> {
  const { data, error, response } = await api.POST('/api/v1/sync/recalculation-preview/{module_type_id}', {
    params: {
      path: { module_type_id: asModuleTypeId(moduleId) },
      query: { year: currentYear(), only_stale: onlyStaleParam(scope) },
    },
  });
  if (data) return data.job_id;
  throw new ActionError(errorDetail(error, `${response.status} ${response.statusText}`));
}

export async function recalculateType(moduleId: number, typeId: number): Promise<StartedJob> {
  const answer = await api.POST(
    '/api/v1/sync/recalculate-emissions/{module_type_id}/{data_entry_type_id}',
    {
      params: {
        path: {
          module_type_id: asModuleTypeId(moduleId),
          data_entry_type_id: asDataEntryTypeId(typeId),
        },
        query: { year: currentYear() },
      },
    },
  );
  return started(answer, { moduleId, typeId, kind: 'recalculation' });
}

/** The multipart body the import endpoints read (field `file`). */
function fileBody(body: { file: string }): FormData {
  const form = new FormData();
  form.append('file', body.file as unknown as Blob);
  return form;
}

export async function importFile(
  kind: ImportKind,
  moduleId: number,
  typeId: number,
  file: File,
  mode: ImportMode = 'append',
): Promise<StartedJob> {
  const body = { file: file as unknown as string };
  const path = { module_type_id: asModuleTypeId(moduleId) };
  const data_entry_type_id = asDataEntryTypeId(typeId);
  const year = currentYear();
  const answer =
    kind === 'factors'
      ? await api.POST('/api/v1/sync/factors/{module_type_id}', {
          params: { path, query: { year, data_entry_type_id } },
          body,
          bodySerializer: fileBody,
        })
      : await api.POST('/api/v1/sync/data-entries/{module_type_id}', {
          params: { path, query: { year, data_entry_type_id, mode } },
          body,
          bodySerializer: fileBody,
        });
  return started(answer, {
    moduleId,
    typeId,
    kind: kind === 'factors' ? 'factor_import' : 'data_import',
  });
}

/** Ask a job to stop: one that has not started ends at once, a running one at its next batch,
 * its data as before. The job's stream shows its end; a refusal (it has already finished)
 * throws with the server's reason. */
export async function cancelJob(jobId: number): Promise<JobWithChildren> {
  const { data, error, response } = await api.POST('/api/v1/sync/jobs/{job_id}/cancel', {
    params: { path: { job_id: jobId } },
  });
  if (data) return data;
  throw new ActionError(errorDetail(error, `${response.status} ${response.statusText}`));
}
