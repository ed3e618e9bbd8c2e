/** A fake back end for store tests: answers by method and path, records every request. */
import { vi } from 'vitest';

export type Handler = (request: Request, url: URL) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export function fakeApi(routes: Record<string, Handler>): Request[] {
  const sent: Request[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      sent.push(request);
      const url = new URL(request.url);
      const handler = routes[`${request.method} ${url.pathname}`];
      return handler ? handler(request, url) : json(404, { detail: `no fake for ${url.pathname}` });
    }),
  );
  return sent;
}

/** Let pending promises (fetches, their JSON) settle. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
