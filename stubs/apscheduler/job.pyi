from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

class Job:
    id: str
    name: str
    func: Callable[..., Any]
    func_ref: str
    args: Sequence[Any]
    kwargs: Mapping[str, Any]
    trigger: Any
    next_run_time: datetime | None
