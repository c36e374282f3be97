"""Schemathesis hooks of the task-api fuzz suite.

The `after` cursor is opaque: the document states its alphabet and length (the only part a schema
can say), but only cursors the service made name a position. A generated cursor of the right shape
is therefore replaced by a real one (any position is valid, listed or not); cursors of the wrong
shape stay, so the negative tests still send them.
"""
import base64
import re

import schemathesis

CURSOR_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
A_POSITION = base64.urlsafe_b64encode(b"2026-11-30T11:55:19.240Z_42").decode().rstrip("=")


@schemathesis.hook
def map_query(context, query):
    if query and context.operation.path == "/api/tasks":
        after = query.get("after")
        if isinstance(after, str) and CURSOR_SHAPE.fullmatch(after):
            query["after"] = A_POSITION
    return query
