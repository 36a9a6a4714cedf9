"""Settings: every public knob of the application, read from the environment.

Every field here is documented in README.md ("Configuration"); a test fails when one is not.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EngineName = Literal["offline", "llm", "miso"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PERSONA_INSIGHT_", env_file=None, extra="ignore", frozen=True
    )

    # --- storage -----------------------------------------------------------------------------
    data_dir: Path = Field(default=Path("./data"), description="Files, embedded PostgreSQL, logs.")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "PERSONA_INSIGHT_DATABASE_URL"),
        description="PostgreSQL URL; unset starts the embedded server in the data directory.",
    )
    db_pool_size: int = Field(default=10, ge=1, description="Connections per process.")
    db_pool_timeout_s: float = Field(
        default=10.0, gt=0, description="Wait for a free connection before 503 `database_busy`."
    )
    search_side_reads: bool = Field(
        default=True,
        description="A search may read on a second connection beside the request's (when the "
        "pool has one idle) to use a second core; off: one connection per search.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Base64 of 32 random bytes sealing stored engine keys; unset: a key file "
        "is made in the data directory.",
    )

    # --- HTTP --------------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Address `serve` binds.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `serve` binds.")
    base_url: str | None = Field(
        default=None, description="Public URL, for invitation links (default http://host:port)."
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="Proxies trusted for X-Forwarded-For/Proto (comma-separated IPs, or *).",
    )
    max_upload_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1, description="Largest accepted upload (413 above)."
    )
    max_text_chars: int = Field(
        default=2_000_000, ge=1, description="Largest accepted transcript after extraction."
    )
    header_timeout_s: float = Field(
        default=10.0, gt=0, description="A request's headers must arrive within this."
    )
    body_min_rate_bytes: int = Field(
        default=1024,
        ge=0,
        description="Slowest accepted request body (bytes/s, averaged over the window; 0: off).",
    )
    body_rate_window_s: float = Field(
        default=10.0, gt=0, description="Window over which the body's rate is measured (408)."
    )
    ingest_workers: int = Field(
        default=2, ge=1, description="Processes extracting uploaded files at once, per process."
    )
    ingest_cpu_s: int = Field(
        default=30, ge=1, description="CPU seconds one file's extraction may use (422 beyond)."
    )
    ingest_memory_mb: int = Field(
        default=768, ge=64, description="Memory one file's extraction may add (422 beyond)."
    )
    uploads_per_user: int = Field(
        default=4, ge=1, description="File uploads one user may have in flight (429 beyond)."
    )
    uploads_per_process: int = Field(
        default=16, ge=1, description="File uploads in flight per server process (429 beyond)."
    )

    # --- audio and video ---------------------------------------------------------------------
    max_media_bytes: int = Field(
        default=500 * 1024 * 1024, ge=1, description="Largest accepted audio or video upload."
    )
    media_max_duration_s: float = Field(
        default=4 * 3600.0, gt=0, description="Longest accepted recording (`media_too_long`)."
    )
    speech_engine: Literal["local", "api"] = Field(
        default="local", description="Speech-to-text: `local` (faster-whisper) or `api`."
    )
    speech_model_dir: Path | None = Field(
        default=None,
        description="A CTranslate2 Whisper model directory (default: the bundled base model).",
    )
    speech_language: str | None = Field(
        default=None, description="Language forced on recordings (e.g. `ko`; default: detect)."
    )
    speech_cpu_threads: int = Field(
        default=2, ge=1, description="CPU threads one local transcription uses."
    )
    speech_max_speakers: int = Field(
        default=2, ge=1, le=8, description="Most speakers a recording is split into."
    )
    speech_cpu_s_per_audio_s: float = Field(
        default=3.0, gt=0, description="CPU seconds a transcription may use per recorded second."
    )
    # Whisper base with its two threads needs ~700 MB of address space (640 MB failed, 768 MB
    # worked): below that the sandbox child dies and the recording fails as `malformed_file`.
    speech_memory_mb: int = Field(
        default=3072, ge=1024, description="Address space a transcription may add (MB)."
    )
    speech_api_base_url: str | None = Field(
        default=None, description="OpenAI-compatible speech API base URL (…/v1)."
    )
    speech_api_key: SecretStr | None = Field(default=None, description="Key for the speech API.")
    speech_api_model: str = Field(
        default="whisper-1", description="`model` sent to the speech API."
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="Mark cookies Secure; unset: when `PERSONA_INSIGHT_BASE_URL` is https.",
    )
    session_ttl_hours: int = Field(default=24 * 14, ge=1, description="Session lifetime.")
    open_signup: bool = Field(
        default=False, description="Allow sign-up with e-mail domains no company claims."
    )
    email_verification_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="How long a sign-up's verification link works."
    )

    # --- mail (sign-up verification) ---------------------------------------------------------
    smtp_host: str | None = Field(
        default=None, description="SMTP server; unset: verification links go to the server log."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="`starttls` (587), `tls` (implicit, 465) or `none`."
    )
    smtp_user: str | None = Field(default=None, description="SMTP user name, if it signs in.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_from: str = Field(
        default="Persona Insight <noreply@localhost>", description="The mails' From address."
    )
    smtp_timeout_s: float = Field(default=20.0, gt=0, description="SMTP connection timeout.")

    # --- jobs --------------------------------------------------------------------------------
    analysis_time_limit_s: float = Field(
        default=300.0, gt=0, description="Hard limit for one analysis attempt."
    )
    analysis_max_attempts: int = Field(
        default=4, ge=1, description="Attempts per job for transient engine errors."
    )
    analysis_retry_base_s: float = Field(
        default=2.0, ge=0, description="First back-off delay; doubles per attempt."
    )
    run_worker_in_process: bool = Field(
        default=True, description="`serve` runs a job worker inside each server process."
    )
    worker_concurrency: int = Field(default=2, ge=1, description="Jobs one worker runs at once.")
    worker_heartbeat_s: float = Field(
        default=5.0, gt=0, description="How often a worker proves it is alive."
    )
    worker_stalled_after_s: float = Field(
        default=30.0, gt=0, description="A worker silent this long is dead; its jobs re-run."
    )
    reconcile_interval_s: float = Field(
        default=15.0, gt=0, description="How often stalled jobs and stuck interviews are checked."
    )

    # --- analysis ----------------------------------------------------------------------------
    analysis_engine: EngineName = Field(default="offline", description="Default engine.")
    mask_personal_data: bool = Field(
        default=True, description="Mask personal data before text leaves for an external engine."
    )
    llm_model: str = Field(
        default="openai:gpt-4.1-mini", description="pydantic-ai model name for the llm engine."
    )
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL (vLLM, Ollama, LM Studio, Azure)."
    )
    llm_api_key: SecretStr | None = Field(default=None, description="Key for the llm engine.")
    llm_output_mode: Literal["tool", "native"] = Field(
        default="tool", description="Structured output through tool calls or json_schema."
    )
    llm_max_tokens: int = Field(default=4096, ge=64, description="Answer token limit per call.")
    llm_context_chars: int = Field(
        default=24_000, ge=1000, description="Transcript characters per call before splitting."
    )
    llm_timeout_s: float = Field(default=120.0, gt=0, description="HTTP timeout per LLM call.")
    miso_base_url: str | None = Field(default=None, description="MISO/Dify API base URL.")
    miso_api_key: SecretStr | None = Field(default=None, description="MISO/Dify app key.")
    miso_variant: Literal["dify", "miso"] = Field(
        default="dify", description="`dify` sends response_mode, `miso` sends mode."
    )
    miso_response_mode: Literal["blocking", "streaming"] = Field(
        default="blocking", description="How the workflow is run."
    )
    miso_timeout_s: float = Field(default=290.0, gt=0, description="HTTP timeout per workflow.")

    # --- real time ---------------------------------------------------------------------------
    sse_keepalive_s: float = Field(default=30.0, gt=0, description="Keep-alive comment period.")
    sse_queue_events: int = Field(default=256, ge=1, description="Events queued per subscriber.")
    sse_queue_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Bytes queued per subscriber."
    )
    sse_send_timeout_s: float = Field(
        default=10.0, gt=0, description="A write slower than this closes the stream."
    )
    sse_catchup_s: float = Field(
        default=5.0, gt=0, description="Periodic read covering a lost LISTEN connection."
    )
    sse_shutdown_s: float = Field(
        default=5.0, gt=0, description="Time streams get to close on SIGTERM."
    )
    sse_presence_debounce_s: float = Field(
        default=0.5, ge=0, description="Presence changes are merged over this window."
    )
    sse_max_streams_per_user: int = Field(
        default=20,
        ge=1,
        description="Open project streams one user may hold over all processes (429 beyond).",
    )
    report_background_above: int = Field(
        default=300,
        ge=0,
        description="Projects with more completed interviews get their report or findings "
        "export from a background job (202 and progress events) instead of within the request.",
    )
    event_retention_days: int = Field(
        default=7, ge=1, description="Events kept for replay; older ids get sync:reset."
    )
    metrics_allow_ips: str = Field(
        default="127.0.0.1,::1",
        description="Addresses or networks (comma-separated, CIDR allowed) that may read /metrics"
        " without the token.",
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token that opens /metrics from any address."
    )
    metrics_top_projects: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Projects given their own connection-count label; the rest are `other`.",
    )
    latency_reports_per_minute: int = Field(
        default=30, ge=1, description="Latency samples one user may post a minute (429 beyond)."
    )
    asks_per_minute: int = Field(
        default=10, ge=1, description="Questions one user may ask a minute (429 beyond)."
    )
    chat_messages_per_minute: int = Field(
        default=20, ge=1, description="Chat messages one user may send a minute (429 beyond)."
    )
    chat_company_messages_per_minute: int = Field(
        default=300,
        ge=1,
        description="Chat messages one company's users may send a minute together (429 beyond).",
    )
    trash_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days a trashed interview stays restorable before the purge job deletes it"
        " (a company admin may set their company's own).",
    )
    trash_purge_every_s: float = Field(
        default=3600.0, gt=0, description="Seconds between the worker's purges of expired trash."
    )

    # --- logging -----------------------------------------------------------------------------
    log_level: str = Field(default="INFO", description="Log level.")
    log_json: bool = Field(default=False, description="One JSON object per log line.")

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    def public_url(self) -> str:
        return self.base_url or f"http://{self.host}:{self.port}"

    @field_validator("metrics_allow_ips")
    @classmethod
    def _metrics_networks(cls, value: str) -> str:
        # A typo must stop the start-up, not turn every scrape into a 500.
        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)
        return value

    @property
    def cookies_secure(self) -> bool:
        # Secure by default wherever the public URL is https: a plain-http request must never
        # carry the session.
        if self.secure_cookies is not None:
            return self.secure_cookies
        return (self.base_url or "").lower().startswith("https://")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
