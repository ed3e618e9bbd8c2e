/** Paths other modules link to (kept apart from the router to avoid import cycles). */
export const DATA_MANAGEMENT_PATH = '/back-office/data-management';
