/** A toast with the outcome of each followed job, once it is really finished (its stream's last
 * event): success, warning with counts, cancelled (by whom), or error with the job's message. A
 * factor import says what it did to the factors (inserted, updated, unchanged, removed). */
import { useQuasar } from 'quasar';
import { onBeforeUnmount } from 'vue';
import { useI18n } from 'vue-i18n';
import { changedNoFactor, factorChanges, jobCounts } from '@/domain/jobMeta';
import { JobResult, cancelledBy, jobKind } from '@/domain/jobs';
import { useLabels } from '@/composables/useLabels';
import { useJobStreamsStore } from '@/stores/jobStreams';

export function useJobToasts(): void {
  const $q = useQuasar();
  const { t } = useI18n();
  const streams = useJobStreamsStore();
  const { count } = useLabels();

  const stop = streams.onFinished((job) => {
    if (jobKind(job) === 'preview') return; // shown in the dialog that asked for it
    const what = t(`toast.${jobKind(job)}`);
    const counts = jobCounts(job);
    const attrs = { 'data-testid': 'job-toast', 'data-job-id': String(job.id), 'data-result': String(job.result) };
    const changes = factorChanges(job);
    const done = changes ? t('toast.factorChanges', { ...changes }) : t('toast.countDone', { count: count(counts.done) }, counts.done);
    const canceller = cancelledBy(job);
    if (canceller !== null) {
      $q.notify({ type: 'info', message: t('toast.cancelled', { what, name: canceller }), attrs });
    } else if (job.result === JobResult.SUCCESS && changedNoFactor(job)) {
      $q.notify({ type: 'info', message: t('toast.noFactorChanged', { what }), attrs });
    } else if (job.result === JobResult.SUCCESS) {
      $q.notify({ type: 'positive', message: t('toast.success', { what, details: done }), attrs });
    } else if (job.result === JobResult.WARNING) {
      const problems = [
        ['countRejected', counts.rejected],
        ['countEntryErrors', counts.entryErrors],
        ['countFailedTypes', counts.failedTypes],
      ] as const;
      $q.notify({
        type: 'warning',
        message: t('toast.warning', {
          what,
          details: [
            done,
            ...problems.filter(([, value]) => value > 0).map(([key, value]) => t(`toast.${key}`, { count: count(value) }, value)),
          ].join(', '),
        }),
        timeout: 8000,
        attrs,
      });
    } else {
      $q.notify({
        type: 'negative',
        message: t('toast.error', { what, message: job.status_message ?? '' }),
        timeout: 10000,
        attrs,
      });
    }
  });
  onBeforeUnmount(stop);
}
