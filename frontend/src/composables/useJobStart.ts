/** Start a job from a button: tell the operator when the page attached to a job that was
 * already running, or why the start was refused. */
import { useQuasar } from 'quasar';
import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ActionError, type StartedJob } from '@/stores/syncActions';

export function useJobStart() {
  const $q = useQuasar();
  const { t } = useI18n();
  const busy = ref(false);

  async function start(action: () => Promise<StartedJob>): Promise<StartedJob | null> {
    busy.value = true;
    try {
      const started = await action();
      if (started.attached) {
        $q.notify({ type: 'info', message: t('toast.attached', { id: started.jobId }) });
      }
      return started;
    } catch (error) {
      const detail = error instanceof ActionError ? error.message : String(error);
      $q.notify({ type: 'negative', message: t('toast.failedToStart', { detail }), timeout: 8000 });
      return null;
    } finally {
      busy.value = false;
    }
  }

  return { busy, start };
}
