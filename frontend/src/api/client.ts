/** The typed API client (generated from the back end's OpenAPI), with the two rules every call
 * follows: writes carry the CSRF header, and a 401 sends the user to the login page. */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '@/client/schema';
import { CSRF_COOKIE, CSRF_HEADER, needsCsrf, readCookie } from './csrf';

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => undefined;

/** Called on every 401 but the login's own (a wrong password is not an expired session). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

const LOGIN_PATH = '/api/v1/auth/login';

const sessionRules: Middleware = {
  onRequest({ request }) {
    if (needsCsrf(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && new URL(request.url).pathname !== LOGIN_PATH) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: 'same-origin',
  // Looked up at each call, not kept from start-up (tests replace it).
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(sessionRules);

/** The stream of a job: EventSource is not part of the fetch client, so its URL is built from
 * the same generated path (a renamed path fails the type check). */
const JOB_STREAM_PATH = '/api/v1/sync/jobs/{job_id}/stream' satisfies keyof paths;

export function jobStreamUrl(jobId: number): string {
  return JOB_STREAM_PATH.replace('{job_id}', String(jobId));
}
