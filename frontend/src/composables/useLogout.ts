/** Log out and show the login page (header button, "no access" page). */
import { useRouter } from 'vue-router';
import { useAuthStore } from '@/stores/auth';

export function useLogout(): () => Promise<void> {
  const auth = useAuthStore();
  const router = useRouter();
  return async () => {
    await auth.logout();
    await router.push({ name: 'login' });
  };
}
