"""The `storage:` section of the audit config: how object-store URLs are reached and signed.

Each cloud takes the same `endpoint:` block as its connector (`url`, `allow_http`, `auth`),
so an emulator, a private endpoint or a sovereign cloud is configured the same way for
collecting and for files. Credentials are never written here: each cloud's own chain finds
them (boto3's default chain or a named profile; Google's Application Default Credentials;
an Azure connection string from the environment, else DefaultAzureCredential).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auditor.connectors.config import EndpointSettings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class S3Storage(_Strict):
    """s3:// URLs."""

    endpoint: EndpointSettings = Field(
        default_factory=EndpointSettings,
        description="url: an S3-compatible endpoint (MinIO, moto, a VPC endpoint); auth: none sends placeholder keys, for emulators only.",
    )
    profile: str | None = Field(
        None, description="Named profile of the AWS config files; default: boto3's default chain."
    )
    region: str | None = Field(
        None, description="The buckets' region; default: the profile's, else us-east-1."
    )


class GcsStorage(_Strict):
    """gs:// URLs."""

    endpoint: EndpointSettings = Field(
        default_factory=EndpointSettings,
        description="url: a GCS endpoint (an emulator, a private endpoint); auth: none sends a placeholder token, for emulators only.",
    )


class AzureStorage(_Strict):
    """az:// and abfss:// URLs."""

    endpoint: EndpointSettings = Field(
        default_factory=EndpointSettings,
        description="url: the blob endpoint including the account (http://127.0.0.1:10000/devstoreaccount1 for Azurite).",
    )
    account: str | None = Field(
        None,
        pattern=r"^[a-z0-9]{3,24}$",
        description="Storage account of az://CONTAINER/PATH URLs (abfss:// URLs name their own).",
    )
    connection_string_env: str = Field(
        "AZURE_STORAGE_CONNECTION_STRING",
        description="Environment variable holding a storage connection string; when it is unset, DefaultAzureCredential signs in.",
    )


class StorageConfig(_Strict):
    """Object storage for every input, list, snapshot and output path given as a URL (docs/object-storage.md)."""

    s3: S3Storage = Field(default_factory=S3Storage)
    gcs: GcsStorage = Field(default_factory=GcsStorage)
    azure: AzureStorage = Field(default_factory=AzureStorage)
    retries: int = Field(
        3, ge=0, le=10, description="Retries of a failed request (timeouts, 5xx) before it fails."
    )
    timeout: float = Field(
        60.0, gt=0, description="Seconds one request may take, and the retries of one call."
    )
