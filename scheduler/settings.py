"""One settings object, read from the environment (prefix ``SCHEDULER_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Deployment settings.

    ``database_url`` is any SQLAlchemy URL: the embedded SQLite file by default,
    ``postgresql+psycopg://user:pw@host/db`` for a multi-user deployment.
    """

    model_config = SettingsConfigDict(env_prefix="SCHEDULER_", env_file=None)

    database_url: str = "sqlite:///scheduler.db"
    tier_scheme: str = "weifang-4"
    holiday_file: str | None = None
    language: str = "zh"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
