"""How a server-sent events answer is declared, so OpenAPI tells its event shape.

The OpenAPI entry follows FastAPI's own for event streams: each item of the text/event-stream
body has an `id`, maybe a `retry`, and a `data` string holding JSON of the given model.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import StreamingResponse
from pydantic import BaseModel


class EventStreamResponse(StreamingResponse):
    """A streaming answer of media type text/event-stream."""

    media_type = "text/event-stream"


def event_stream_response(data: type[BaseModel], description: str) -> dict[str, Any]:
    """The OpenAPI response entry of a stream whose events carry `data` as JSON."""
    item = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "id": {"type": "string", "description": "The event's id (Last-Event-ID)."},
            "retry": {"type": "integer", "description": "Milliseconds before reconnecting."},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": data.model_json_schema(mode="serialization"),
            },
        },
    }
    return {"description": description, "content": {"text/event-stream": {"itemSchema": item}}}
