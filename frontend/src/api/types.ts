/** Short names for the generated schemas the page uses. */
import type { components } from '@/client/schema';

type Schemas = components['schemas'];

export type Me = Schemas['Me'];
export type JobRead = Schemas['JobRead'];
export type JobWithChildren = Schemas['JobWithChildren'];
export type ModuleRecalculationStatus = Schemas['ModuleRecalculationStatus'];
export type RecalculationStatus = Schemas['RecalculationStatus'];
export type EmissionsReport = Schemas['EmissionsReport'];
export type ModuleEmissions = Schemas['ModuleEmissions'];
export type ModuleTypeRead = Schemas['ModuleTypeRead'];
export type SyncStatusResponse = Schemas['SyncStatusResponse'];

/** A job event of the stream: the job, and on the last event `stream_closed: true`. */
export type JobEvent = JobRead & { stream_closed?: boolean };
