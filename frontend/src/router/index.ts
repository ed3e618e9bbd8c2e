/** Routes, and the guard that sends a visitor to the login page (and back afterwards) or to the
 * "no access" page when their roles do not let them view the back office. */
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { setUnauthorizedHandler } from '@/api/client';
import { useAuthStore } from '@/stores/auth';
import { DATA_MANAGEMENT_PATH } from './paths';

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/', redirect: DATA_MANAGEMENT_PATH },
    {
      path: '/login',
      name: 'login',
      component: () => import('@/pages/LoginPage.vue'),
      meta: { public: true },
    },
    {
      path: '/',
      component: () => import('@/layouts/MainLayout.vue'),
      children: [
        {
          path: DATA_MANAGEMENT_PATH.slice(1),
          name: 'data-management',
          component: () => import('@/pages/back-office/DataManagementPage.vue'),
          meta: { needs: 'view' },
        },
        {
          path: 'no-access',
          name: 'no-access',
          component: () => import('@/pages/NoAccessPage.vue'),
        },
        {
          path: ':unknown(.*)*',
          name: 'not-found',
          component: () => import('@/pages/NotFoundPage.vue'),
        },
      ],
    },
  ],
});

function loginRedirect(to: RouteLocationNormalized, expired = false) {
  return { name: 'login', query: { redirect: to.fullPath, ...(expired ? { expired: '1' } : {}) } };
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const auth = useAuthStore();
  if (!auth.user) await auth.loadMe();
  if (!auth.user) return loginRedirect(to);
  if (to.meta.needs === 'view' && !auth.canView) return { name: 'no-access' };
  return true;
});

// An expired session: back to the login page, then back here.
setUnauthorizedHandler(() => {
  const auth = useAuthStore();
  const current = router.currentRoute.value;
  const wasLoggedIn = auth.user !== null;
  auth.forget();
  if (!current.meta.public && wasLoggedIn) void router.push(loginRedirect(current, true));
});

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    needs?: 'view';
  }
}
