"""One decorator per route: it registers the route, admits the caller, parses the body and the parameters,
renders the result through its response model, maps domain errors, and records what OpenAPI says of it.

The registry (`OPERATIONS`) is what spec.py describes; models are named, not imported, so that `import app`
stays free of pydantic (the models load on the first request that needs them).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from chalice.app import Blueprint, IAMAuthorizer, Request, Response

from chalicelib.api import auth
from chalicelib.api.http import check_id, domain_error_response, ok, parse, query, require_no_body
from chalicelib.api.params import Param
from chalicelib.api.render import written
from chalicelib.domain.errors import DomainError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.bootstrap import Services
    from chalicelib.domain.actors import Actor

Who = Literal["anyone", "signed_in", "admin", "cad"]
ANYONE: Who = "anyone"  # a token is optional (a bad one is 401 where the view reads `call.actor`)
SIGNED_IN: Who = "signed_in"
ADMIN: Who = "admin"  # IAM in AWS, ADMIN_KEY locally
CAD: Who = "cad"  # the 110 command system, by the HMAC of the body
REQUESTS = "chalicelib.api.schemas"  # where request models are named
RESPONSES = ("chalicelib.api.responses", "chalicelib.api.open311_responses")  # where response models are named
IAM = IAMAuthorizer()


@dataclass(frozen=True)
class Op:
    """What one route says of itself: who may call it, what goes in, what comes out, which errors."""

    method: str
    path: str
    view: Callable[..., Any]
    who: Who
    response: str | None  # a model of responses.py; None: no JSON body (204, or `media`)
    status: int = 200
    request: str | None = None  # a model of schemas.py
    errors: tuple[int, ...] = ()
    query: tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()
    ids: tuple[str, ...] = ()  # path parameters that must be ids (400 otherwise)
    tag: str = "forum"
    media: str | None = None  # a body other than JSON (a string of this type), e.g. text/csv
    storage: bool = True  # reads or writes storage (so may be 503)
    georeport: bool = False  # an Open311 route: JSON or XML by extension, errors in that spec's shape
    many: bool = True  # (Open311) the answer is a list of `response`

    @property
    def request_model(self) -> type[BaseModel] | None:
        return model((REQUESTS,), self.request) if self.request else None

    @property
    def response_model(self) -> type[BaseModel] | None:
        return model(RESPONSES, self.response) if self.response else None


# (method, path) -> its operation, filled as the route modules are imported.
OPERATIONS: dict[tuple[str, str], Op] = {}


def model(modules: tuple[str, ...], name: str) -> type[BaseModel]:
    """Return the model of this name in the first of these modules of models that has one."""
    for module in modules:
        found: type[BaseModel] | None = getattr(importlib.import_module(module), name, None)
        if found is not None:
            return found
    raise LookupError(f"no model {name!r} in {modules}")


class Call:
    """What a view is handed: the request, the services, the parsed body, parameters and the caller."""

    __slots__ = ("_actor", "body", "params", "request", "svc")

    def __init__(self, request: Request, svc: Services) -> None:
        self.request, self.svc = request, svc
        self.body: Any = None
        self.params: dict[str, Any] = {}
        self._actor: Actor | None = None

    @property
    def actor(self) -> Actor:
        """The caller: admitted by `who` before the view ran, else (anyone) read from the token on first use."""
        if self._actor is None:
            self._actor = auth.current_actor(self.request, self.svc)
        return self._actor


def _admit(op: Op, call: Call) -> None:
    if op.who == SIGNED_IN:
        call._actor = auth.signed_in(call.request, call.svc)
    elif op.who == ADMIN:
        call._actor = auth.require_admin(call.request, call.svc)


def _prepare(op: Op, call: Call, path_args: dict[str, str]) -> None:
    """Check the request in the documented order: signature, body, headers, path ids, query, then the caller."""
    request = call.request
    if op.who == CAD:
        auth.cad_signed(request, call.svc)
    if op.method == "DELETE":
        require_no_body(request)
    if op.request is not None:
        call.body = parse(request, model((REQUESTS,), op.request))
    for param in op.headers:
        call.params[param.name] = param.read(request.headers.get(param.name.lower()))
    for name in op.ids:
        check_id(path_args[name], name)
    given = query(request)
    for param in op.query:
        call.params[param.name] = param.read(given.get(param.name))
    _admit(op, call)


def render(op: Op, result: Any) -> Response:
    """Write a view's result: a response model (fields it was not given stay absent), or a ready Response."""
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(body="", status_code=op.status)
    return ok(result if isinstance(result, dict) else written(result), op.status)


def operation(
    bp: Blueprint,
    method: str,
    path: str,
    *,
    who: Who,
    response: str | None,
    status: int = 200,
    request: str | None = None,
    errors: tuple[int, ...] = (),
    query: tuple[Param, ...] = (),
    headers: tuple[Param, ...] = (),
    ids: tuple[str, ...] = (),
    tag: str = "forum",
    media: str | None = None,
    storage: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Declare a JSON route: `view(call, **path_params)` returns its response model (or None, or a Response)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        op = Op(method, path, view, who, response, status, request, errors, query, headers, ids, tag, media, storage)

        @functools.wraps(view)
        def route(**path_args: str) -> Response:
            from chalicelib.bootstrap import services

            try:
                call = Call(bp.current_request, services())
                _prepare(op, call, path_args)
                return render(op, view(call, **path_args))
            except DomainError as error:
                return domain_error_response(error)

        return register(bp, op, route, authorizer=IAM if who == ADMIN else None)

    return decorate


def register(
    bp: Blueprint, op: Op, route: Callable[..., Response], *, authorizer: Any = None, **options: Any
) -> Callable[..., Response]:
    """Add a route to its blueprint and its operation to the registry."""
    if (op.method, op.path) in OPERATIONS and OPERATIONS[(op.method, op.path)].view is not op.view:
        raise ValueError(f"{op.method} {op.path} is declared twice")
    OPERATIONS[(op.method, op.path)] = op
    route.operation = op  # type: ignore[attr-defined]
    if authorizer is not None:
        options["authorizer"] = authorizer
    bp.route(op.path, methods=[op.method], **options)(route)
    return route
