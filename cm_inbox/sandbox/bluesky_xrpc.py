"""What every XRPC method of the sandbox PDS shares: the error shape it answers
with, and how it reads a call's query parameters and JSON body.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


class XrpcError(Exception):
    """An answer in the PDS's error shape."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message

    def response(self) -> JSONResponse:
        """The error as the PDS answers it."""
        return JSONResponse({"error": self.error, "message": self.message}, self.status)


Body = dict[str, Any] | None


def param(request: Request, name: str) -> str:
    """A required query parameter, or the PDS's InvalidRequest."""
    value = request.query_params.get(name)
    if not value:
        raise XrpcError(400, "InvalidRequest", f'Params must have the property "{name}"')
    return value


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within ``low``..``high``, or ``default`` when absent."""
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise XrpcError(400, "InvalidRequest", f"{name} must be an integer") from None
    if not low <= number <= high:
        raise XrpcError(400, "InvalidRequest", f"{name} must be between {low} and {high}")
    return number


def need(body: Body, *names: str) -> dict[str, Any]:
    """The JSON body, which must be an object holding ``names``."""
    if body is None:
        raise XrpcError(400, "InvalidRequest", "Request body must be a JSON object")
    for name in names:
        if name not in body:
            raise XrpcError(400, "InvalidRequest", f'Input must have the property "{name}"')
    return body
