/** Who is logged in and what they may do (the permission map of `GET /auth/me`). */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { api } from '@/api/client';
import { errorDetail } from '@/api/errors';
import type { Me } from '@/api/types';

export const DATA_MANAGEMENT = 'backoffice.data_management';
export type Action = 'view' | 'sync' | 'edit';

export class LoginError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const useAuthStore = defineStore('auth', () => {
  const user = ref<Me | null>(null);

  function can(action: Action, path: string = DATA_MANAGEMENT): boolean {
    return user.value?.permissions[path]?.[action] ?? false;
  }

  const canView = computed(() => can('view'));
  const canSync = computed(() => can('sync'));

  async function loadMe(): Promise<Me | null> {
    const { data } = await api.GET('/api/v1/auth/me');
    user.value = data ?? null;
    return user.value;
  }

  async function login(username: string, password: string): Promise<Me> {
    const { data, error, response } = await api.POST('/api/v1/auth/login', {
      body: { username, password },
    });
    if (!data) {
      throw new LoginError(errorDetail(error, response.statusText), response.status);
    }
    user.value = data.user;
    return data.user;
  }

  async function logout(): Promise<void> {
    await api.POST('/api/v1/auth/logout');
    forget();
  }

  /** The session is gone (logout, or a 401 from an expired session). */
  function forget(): void {
    user.value = null;
  }

  return { user, can, canView, canSync, loadMe, login, logout, forget };
});
