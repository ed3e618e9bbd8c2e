"""ORM models, one module per aggregate. Importing this package registers every table."""

from app.models.base import Base, IntEnumType, JSONType, UTCDateTime, utcnow
from app.models.carbon_report import CarbonReport, CarbonReportModule
from app.models.data_entry import DataEntry, DataEntryEmission
from app.models.data_ingestion import DataIngestionJob
from app.models.entry_factor_count import EntryFactorCount
from app.models.factor import Factor
from app.models.job_upload import JobUpload, JobUploadChunk
from app.models.sync_scope import SyncScope
from app.models.unit import Unit
from app.models.user import AuthSession, LoginAttempt, User, UserRole

__all__ = [
    "AuthSession",
    "Base",
    "CarbonReport",
    "CarbonReportModule",
    "DataEntry",
    "DataEntryEmission",
    "DataIngestionJob",
    "EntryFactorCount",
    "Factor",
    "IntEnumType",
    "JSONType",
    "JobUpload",
    "JobUploadChunk",
    "LoginAttempt",
    "SyncScope",
    "UTCDateTime",
    "Unit",
    "User",
    "UserRole",
    "utcnow",
]
