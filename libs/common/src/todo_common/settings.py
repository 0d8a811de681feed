"""Settings every service shares, read from the environment and `.env`."""

import json
import sys
from typing import Annotated, ClassVar, Literal, TypeVar

from fastapi import Depends, Request
from pydantic import (
    AnyHttpUrl,
    Field,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
# A service's name as events, service tokens and subscriber lists use it.
ServiceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,49}$")]

SYMMETRIC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"})


def _split_commas(value: object) -> object:
    # Operators write lists as `a,b` in env files; JSON arrays are accepted too.
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            return json.loads(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    return value


class CommonSettings(BaseSettings):
    """The variables every service reads; each service extends this with its own."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)
    # True for auth alone: it signs with its private key, so it verifies with the public
    # half and mints its own service tokens, and needs neither a public key nor auth's URL.
    holds_signing_key: ClassVar[bool] = False

    service_name: str = "service"
    log_level: LogLevel = "INFO"

    # Database. The pooled URL serves requests; migrations use the direct one (Neon's
    # PgBouncer endpoint runs in transaction mode, which DDL and advisory locks dislike).
    database_url: str = Field(pattern=r"^postgres(ql)?(\+psycopg2)?://")
    database_url_direct: str | None = Field(default=None, pattern=r"^postgres(ql)?(\+psycopg2)?://")
    # Defaults to `service_name`, which is also the schema the service's models name.
    db_schema: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    # A request holds one of pool size + overflow connection slots (database.connection_slots)
    # before it takes a connection. Overflow connections are closed as soon as they are
    # returned, so any overflow in steady use is connection churn: keep it 0 and size the
    # pool instead.
    db_pool_size: PositiveInt = 10
    db_max_overflow: Annotated[int, Field(ge=0)] = 0
    db_pool_timeout_seconds: PositiveFloat = 5.0
    # Neon suspends idle computes and PgBouncer drops idle server connections; recycling
    # below those limits keeps the pool from handing out dead connections.
    db_pool_recycle_seconds: PositiveInt = 240
    # A connection idle in the pool longer than this is pinged before use (a busy one never is).
    db_ping_after_idle_seconds: Annotated[float, Field(ge=0)] = 2.0
    db_connect_timeout_seconds: PositiveInt = 5
    # The longest one SQL statement of this service may run (0: no limit). Set as the
    # service role's default by every migration run, so it holds through a transaction
    # pooler and costs nothing per request (docs/architecture.md, "Database").
    db_statement_timeout_ms: Annotated[int, Field(ge=0)] = 5000
    # Total time spent retrying a refused connection (a Neon compute waking from zero).
    db_connect_retry_seconds: Annotated[float, Field(ge=0)] = 8.0

    # Readiness (todo_common.health): `ping` queries the database on every probe;
    # `observe` trusts the outcome of the service's own recent database work and pings
    # only when that was a failure, when nothing is known yet, or (if set) after this many
    # seconds without database use. `observe` without the idle ping lets a Neon compute
    # scale to zero while probes keep coming (docs/operations.md, "Neon").
    readiness_db_mode: Literal["ping", "observe"] = "ping"
    readiness_db_ping_idle_seconds: PositiveFloat | None = None
    # On SIGTERM, answer /readyz 503 and keep serving this long before the server stops
    # accepting (todo_common.shutdown); 0 stops at once (Kubernetes' preStop sleep drains).
    shutdown_drain_seconds: Annotated[float, Field(ge=0, le=60)] = 0.0

    # JWT verification (and minting, for auth and the tests).
    jwt_secret: SecretStr | None = None
    jwt_public_key: str | None = None
    jwt_jwks_url: AnyHttpUrl | None = None
    jwt_algorithms: Annotated[list[str], NoDecode] = ["HS256"]
    jwt_issuer: str = "todo-auth"
    jwt_audience: str = "todo-platform"
    jwt_jwks_cache_seconds: PositiveInt = 300

    # Events (docs/architecture.md, "Events"). Where each subscriber's `POST /internal/events`
    # lives, as a JSON map of service name to base URL: {"todos": "http://todos:8003"}.
    event_subscribers: dict[str, AnyHttpUrl] = {}
    # With RS*/ES* only auth can sign: other services fetch service tokens from auth's
    # /internal/service-tokens with their own client secret (HS*: minted locally).
    service_token_url: AnyHttpUrl | None = None
    service_client_secret: SecretStr | None = None
    # The relay of a producing service: how often it looks for due messages, how many it
    # takes at once, and how long a claimed message is reserved for the relay sending it.
    outbox_relay_enabled: bool = True
    outbox_poll_seconds: PositiveFloat = 1.0
    outbox_batch_size: Annotated[int, Field(ge=1, le=1000)] = 50
    outbox_lease_seconds: PositiveFloat = 30.0
    outbox_delivery_timeout_seconds: PositiveFloat = 5.0
    # Failed deliveries are retried with exponential backoff and jitter, up to this cap.
    outbox_retry_initial_seconds: PositiveFloat = 1.0
    outbox_retry_max_seconds: PositiveFloat = 300.0
    # How often the relay logs its backlog (and purges delivered messages past retention).
    outbox_report_seconds: PositiveFloat = 60.0
    # The report is a warning once the oldest waiting message is older than this.
    outbox_lag_warning_seconds: PositiveFloat = 60.0
    outbox_retention_hours: PositiveInt = 168

    cors_origins: Annotated[list[str], NoDecode] = [
        "http://localhost:3000",
        "http://localhost:5173",
    ]

    @model_validator(mode="before")
    @classmethod
    def _schema_defaults_to_service_name(cls, values: object) -> object:
        if isinstance(values, dict) and not values.get("db_schema"):
            service_name = values.get("service_name", cls.model_fields["service_name"].default)
            return {**values, "db_schema": service_name}
        return values

    @field_validator("jwt_algorithms", "cors_origins", mode="before")
    @classmethod
    def _parse_list(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("jwt_algorithms")
    @classmethod
    def _known_algorithms(cls, algorithms: list[str]) -> list[str]:
        unknown = set(algorithms) - SYMMETRIC_ALGORITHMS - ASYMMETRIC_ALGORITHMS
        if unknown or not algorithms:
            raise ValueError(
                f"unsupported algorithm(s) {sorted(unknown)}; use HS256 or RS256/ES256"
            )
        return algorithms

    @model_validator(mode="after")
    def _keys_match_algorithms(self) -> "CommonSettings":
        chosen = set(self.jwt_algorithms)
        if chosen & SYMMETRIC_ALGORITHMS and chosen & ASYMMETRIC_ALGORITHMS:
            # Mixing families is how algorithm-confusion attacks get in.
            raise ValueError("JWT_ALGORITHMS mixes HMAC and public-key algorithms")
        if chosen & SYMMETRIC_ALGORITHMS:
            if self.jwt_secret is None or len(self.jwt_secret.get_secret_value()) < 32:
                raise ValueError("JWT_SECRET must be set to at least 32 characters for HS*")
        elif not (self.holds_signing_key or self.jwt_public_key or self.jwt_jwks_url):
            raise ValueError("JWT_PUBLIC_KEY or JWT_JWKS_URL must be set for RS*/ES*")
        return self

    @model_validator(mode="after")
    def _lease_outlasts_delivery(self) -> "CommonSettings":
        # A lease that ends while its message is still being sent lets a second relay
        # send it at the same time.
        if self.outbox_lease_seconds <= self.outbox_delivery_timeout_seconds:
            raise ValueError(
                "OUTBOX_LEASE_SECONDS must be longer than OUTBOX_DELIVERY_TIMEOUT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _can_get_service_tokens(self) -> "CommonSettings":
        # A relay that cannot get tokens would retry every delivery forever: say so at start.
        relays = self.outbox_relay_enabled and bool(self.event_subscribers)
        mints_locally = bool(set(self.jwt_algorithms) & SYMMETRIC_ALGORITHMS)
        asks_auth = relays and not mints_locally and not self.holds_signing_key
        if asks_auth and (self.service_token_url is None or self.service_client_secret is None):
            raise ValueError(
                "SERVICE_TOKEN_URL and SERVICE_CLIENT_SECRET must be set for the outbox "
                "relay to get service tokens from auth under RS*/ES*"
            )
        return self

    @property
    def migration_database_url(self) -> str:
        return self.database_url_direct or self.database_url


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


async def app_settings(request: Request) -> BaseSettings:
    """The settings the app was built with (create_app keeps them on `app.state`).

    async: a sync dependency would cost a worker-thread hop to read an attribute.
    """
    settings: BaseSettings = request.app.state.settings
    return settings


# A handler's settings, typed as its service's class: `settings: SettingsDep[TodosSettings]`.
SettingsDep = Annotated[SettingsT, Depends(app_settings)]


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, naming the variable, never echoing its value (it may be secret)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        variable = "_".join(str(part) for part in problem["loc"]).upper() or "configuration"
        lines.append(f"  {variable}: {problem['msg']}")
    return "\n".join(lines)


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """Read settings, or stop the process with one readable message naming each bad variable."""
    try:
        return settings_class()
    except ValidationError as error:
        problems = describe_validation_error(error)
        # Logging may not be configured yet, and this must be seen.
        print(f"Invalid configuration for {settings_class.__name__}:\n{problems}", file=sys.stderr)
        raise SystemExit(2) from None
