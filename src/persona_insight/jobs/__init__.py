"""The job queue (procrastinate on our PostgreSQL) and the worker that runs it."""
