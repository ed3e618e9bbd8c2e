/** The API's error body is `{"detail": "...", ...}`; FastAPI's own validation errors carry a
 * list. Either way the person gets one readable sentence. */
export function errorDetail(error: unknown, fallback: string): string {
  if (error && typeof error === 'object' && 'detail' in error) {
    const detail = (error as { detail: unknown }).detail;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail
        .map((item) => (item && typeof item === 'object' && 'msg' in item ? String(item.msg) : ''))
        .filter(Boolean)
        .join('; ') || fallback;
    }
  }
  return fallback;
}

/** The running job a 409 names, to follow it instead of showing an error. */
export function conflictJobId(error: unknown): number | null {
  if (error && typeof error === 'object' && 'job_id' in error) {
    const id = (error as { job_id: unknown }).job_id;
    return typeof id === 'number' ? id : null;
  }
  return null;
}
