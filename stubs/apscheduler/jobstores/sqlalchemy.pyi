from typing import Any

from apscheduler.jobstores.base import BaseJobStore
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

class SQLAlchemyJobStore(BaseJobStore):
    engine: Engine
    def __init__(
        self,
        url: str | None = None,
        engine: Engine | None = None,
        tablename: str = "apscheduler_jobs",
        metadata: MetaData | None = None,
        pickle_protocol: int = ...,
        tableschema: str | None = None,
        engine_options: dict[str, Any] | None = None,
    ) -> None: ...
