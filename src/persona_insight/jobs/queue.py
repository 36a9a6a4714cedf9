"""The procrastinate application: one per process, opened on a pool when the runtime starts.

Tasks register on it at import time (see `import_paths`); its connector has no connection
parameters of its own because the runtime hands it a pool built from our settings.
"""

from __future__ import annotations

import procrastinate

TASK_MODULES = ["persona_insight.interviews.tasks"]

queue = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=TASK_MODULES)
