/** Short names for the generated schemas the page uses. */
import type { components, paths } from '@/client/schema';

type Schemas = components['schemas'];

export type Me = Schemas['Me'];
export type JobRead = Schemas['JobRead'];
export type JobWithChildren = Schemas['JobWithChildren'];
export type ModuleRecalculationStatus = Schemas['ModuleRecalculationStatus'];
export type RecalculationStatus = Schemas['RecalculationStatus'];
export type StaleReason = Schemas['StaleReason'];
export type FactorImportReason = Schemas['FactorImportReason'];
export type EmissionsReport = Schemas['EmissionsReport'];
export type ModuleEmissions = Schemas['ModuleEmissions'];
export type ModuleTypeRead = Schemas['ModuleTypeRead'];
export type SyncStatusResponse = Schemas['SyncStatusResponse'];

/** A job event of the stream: the job, and on the last event `stream_closed: true`. */
export type JobEvent = JobRead & { stream_closed?: boolean };

/** The module and data entry type ids the API accepts, as OpenAPI lists them. The page's ids
 * come from `GET /api/v1/modules`, so they are these; `asModuleTypeId` and `asDataEntryTypeId`
 * say so where an id is sent. */
export type ModuleTypeId =
  paths['/api/v1/sync/recalculate-emissions/{module_type_id}']['post']['parameters']['path']['module_type_id'];
export type DataEntryTypeId =
  paths['/api/v1/sync/recalculate-emissions/{module_type_id}/{data_entry_type_id}']['post']['parameters']['path']['data_entry_type_id'];

export const asModuleTypeId = (id: number): ModuleTypeId => id as ModuleTypeId;
export const asDataEntryTypeId = (id: number): DataEntryTypeId => id as DataEntryTypeId;
