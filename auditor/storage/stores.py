"""obstore clients for object URLs, each signed by its cloud's own credential chain.

obstore (the Python face of the Rust `object_store` crate that Polars' own cloud reading is
built on) is the one layer every URL goes through: one dependency without Python
dependencies of its own, the three clouds behind one interface, single-request uploads
(multipart for large files, completed in one request) so an object appears whole or not at
all, and credential providers that hand signing to boto3, google-auth and azure-identity —
the SDKs the connectors already trust. fsspec was the alternative: s3fs needs aiobotocore,
which pins botocore to a narrow range and so fights the boto3 the connectors use, and each
of s3fs, gcsfs and adlfs has its own settings dialect.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from auditor.errors import ConfigError, Problem
from auditor.storage.location import ObjectURL
from auditor.storage.settings import AzureStorage, StorageConfig

# Azurite's and the storage emulator's published development account (not a secret).
_DEV_ACCOUNT = "devstoreaccount1"
_DEV_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def _obstore() -> Any:
    try:
        import obstore.store
    except ModuleNotFoundError:
        raise ConfigError(
            "object-storage URLs need obstore: pip install 'auditor[storage]'"
        ) from None
    return obstore.store


def _client_options(url: str | None, allow_http: bool, storage: StorageConfig) -> dict[str, Any]:
    options: dict[str, Any] = {"timeout": timedelta(seconds=storage.timeout)}
    if url is not None and url.startswith("http://") and allow_http:
        options["allow_http"] = True
    return options


def _retry(storage: StorageConfig) -> dict[str, Any]:
    return {
        "max_retries": storage.retries,
        "retry_timeout": timedelta(seconds=storage.timeout),
        "backoff": {"init_backoff": timedelta(milliseconds=200), "base": 2.0},
    }


def _placeholder_token() -> dict[str, Any]:
    return {"token": "emulator-placeholder", "expires_at": None}


def build_store(url: ObjectURL, storage: StorageConfig) -> Any:
    """An obstore store for `url`'s bucket or container."""
    stores = _obstore()
    if url.cloud == "s3":
        return _s3_store(stores, url, storage)
    if url.cloud == "gcs":
        return _gcs_store(stores, url, storage)
    return _azure_store(stores, url, storage)


def _s3_store(stores: Any, url: ObjectURL, storage: StorageConfig) -> Any:
    s3 = storage.s3
    endpoint = s3.endpoint
    kwargs: dict[str, Any] = {
        "client_options": _client_options(endpoint.url, endpoint.allow_http, storage),
        "retry_config": _retry(storage),
    }
    region = s3.region
    # The config's endpoint, else the one boto3 itself honours from the environment.
    url_override = (
        endpoint.url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    )
    if url_override:
        kwargs["endpoint"] = url_override
        kwargs["virtual_hosted_style_request"] = False
        if endpoint.url is None and url_override.startswith("http://"):
            kwargs["client_options"]["allow_http"] = (
                True  # the environment asked for it, as for boto3
            )
    if endpoint.auth == "none":
        kwargs.update(access_key_id="placeholder", secret_access_key="placeholder")
    else:
        try:
            import boto3
            from obstore.auth.boto3 import Boto3CredentialProvider
        except ModuleNotFoundError:
            raise ConfigError("s3:// URLs sign with boto3: pip install 'auditor[aws]'") from None
        session = _boto3_session(boto3, s3.profile)
        try:
            kwargs["credential_provider"] = Boto3CredentialProvider(session)
        except ValueError:
            raise ConfigError(
                [
                    Problem(
                        None,
                        "no AWS credentials found for s3:// URLs (boto3's chain: environment, "
                        "the AWS config files, SSO, the instance or container role)",
                        subject="storage.s3",
                    )
                ]
            ) from None
        region = region or session.region_name
    kwargs["region"] = region or "us-east-1"
    return stores.S3Store(url.bucket, **kwargs)


def _boto3_session(boto3: Any, profile: str | None) -> Any:
    import botocore.exceptions

    try:
        return boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound:
        raise ConfigError(
            [Problem(None, f"AWS profile '{profile}' is not in the AWS config files", "storage.s3")]
        ) from None


def _gcs_store(stores: Any, url: ObjectURL, storage: StorageConfig) -> Any:
    endpoint = storage.gcs.endpoint
    kwargs: dict[str, Any] = {
        "client_options": _client_options(endpoint.url, endpoint.allow_http, storage),
        "retry_config": _retry(storage),
    }
    # STORAGE_EMULATOR_HOST is Google's own switch to an emulator (google-cloud-storage honours
    # it, unsigned): the same here when the config names no endpoint.
    emulator = os.environ.get("STORAGE_EMULATOR_HOST") if endpoint.url is None else None
    if endpoint.url is not None:
        kwargs["base_url"] = endpoint.url.rstrip("/")
    elif emulator:
        kwargs["base_url"] = emulator.rstrip("/")
        if emulator.startswith("http://"):
            kwargs["client_options"]["allow_http"] = True
    if endpoint.auth == "none" or emulator:
        kwargs["credential_provider"] = _placeholder_token
    else:
        try:
            from obstore.auth.google import GoogleCredentialProvider
        except ModuleNotFoundError:
            raise ConfigError(
                "gs:// URLs sign with google-auth: pip install 'auditor[gcp]'"
            ) from None
        try:
            kwargs["credential_provider"] = GoogleCredentialProvider()
        except Exception as exc:  # google.auth.exceptions.DefaultCredentialsError
            raise ConfigError(
                [
                    Problem(
                        None,
                        f"no Google credentials for gs:// URLs (Application Default Credentials: "
                        f"GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, the metadata server): {type(exc).__name__}",
                        subject="storage.gcs",
                    )
                ]
            ) from None
    return stores.GCSStore(url.bucket, **kwargs)


def parse_connection_string(text: str) -> dict[str, str]:
    """An Azure storage connection string's `Key=Value;` pairs (values may hold '=')."""
    pairs = {}
    for part in text.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key:
            pairs[key.strip()] = value.strip()
    return pairs


def _azure_store(stores: Any, url: ObjectURL, storage: StorageConfig) -> Any:
    settings: AzureStorage = storage.azure
    endpoint = settings.endpoint
    conn_text = os.environ.get(settings.connection_string_env)
    conn = parse_connection_string(conn_text) if conn_text else {}
    if conn.get("UseDevelopmentStorage", "").lower() == "true":
        conn = {
            "AccountName": _DEV_ACCOUNT,
            "AccountKey": _DEV_KEY,
            "BlobEndpoint": f"http://127.0.0.1:10000/{_DEV_ACCOUNT}",
        }
    account = url.account or settings.account or conn.get("AccountName")
    if account is None:
        raise ConfigError(
            [
                Problem(
                    None,
                    f"'{url}' names no storage account: give storage.azure.account, an abfss:// URL "
                    f"(CONTAINER@ACCOUNT.dfs.core.windows.net) or a connection string in {settings.connection_string_env}",
                    subject="storage.azure",
                )
            ]
        )
    blob_endpoint = endpoint.url or conn.get("BlobEndpoint")
    allow_http = (
        endpoint.allow_http if endpoint.url else bool(conn)
    )  # a connection string is the user's choice
    kwargs: dict[str, Any] = {
        "account_name": account,
        "client_options": _client_options(blob_endpoint, allow_http, storage),
        "retry_config": _retry(storage),
    }
    if blob_endpoint:
        kwargs["endpoint"] = blob_endpoint.rstrip("/")
    if conn.get("AccountKey"):
        kwargs["account_key"] = conn["AccountKey"]
    elif conn.get("SharedAccessSignature"):
        kwargs["sas_key"] = conn["SharedAccessSignature"].lstrip("?")
    elif endpoint.auth == "none":
        kwargs["skip_signature"] = True
    else:
        kwargs["credential_provider"] = _default_azure_credential()
    return stores.AzureStore(url.bucket, **kwargs)


def _default_azure_credential() -> Any:
    try:
        from azure.identity import DefaultAzureCredential
        from obstore.auth.azure import AzureCredentialProvider
    except ModuleNotFoundError:
        raise ConfigError(
            "az:// URLs sign with azure-identity: pip install 'auditor[azure]'"
        ) from None
    return AzureCredentialProvider(credential=DefaultAzureCredential())
