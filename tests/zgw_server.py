"""A real HTTP test server for the ZGW Documenten API 1.5.0 and Zaken API 1.5.1, on 127.0.0.1.

Every request is validated against the OFFICIAL OpenAPI files in ``../shared/reference/zgw/``
with openapi-core (path, method, headers, query, body, and the bearer security scheme); the only
change to the specification is its ``servers`` entry, pointed at this server. The JWT is checked
as ZGW does (HS256 with the client's secret, ``client_id`` claim). Answers are shaped as the spec
says (201 with ``url``; 400 with ZGW's ValidatieFout body) and checked against the spec's
response schemas too.

Failures on demand: ``server.fail("POST", "/enkelvoudiginformatieobjecten", "timeout")`` makes
the next such request fail once; modes ``timeout`` (carry out the request, then answer too late:
the answer is lost), ``drop`` (close without answering, before doing anything), ``400``, ``401``,
``500``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.reference_standards import DOCUMENTEN_API, ZAKEN_API, openapi

SECRET = "test-geheim-van-de-zaaksysteem-client-0123456789"
CLIENT_ID = "bibob-desk-test"
DOC_PREFIX = "/documenten/api/v1"
ZAAK_PREFIX = "/zaken/api/v1"


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


@dataclass
class _Response:
    status_code: int
    data: bytes
    content_type: str
    headers: Headers


@dataclass
class Seen:
    method: str
    path: str
    body: Any
    claims: dict[str, Any] | None


@dataclass
class ZgwTestServer:
    base: str = ""
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # spec violations by the client
    part_content: dict[str, bytes] = field(default_factory=dict)
    part_size: int = 20_000  # the server decides the size of the bestandsdelen

    def fail(self, method: str, path: str, mode: str) -> None:
        self.failures.append((method, path, mode))

    @property
    def documenten_api(self) -> str:
        return self.base + DOC_PREFIX

    @property
    def zaken_api(self) -> str:
        return self.base + ZAAK_PREFIX

    def posts(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and s.path.endswith(path)]


def _spec(path: Any, server_url: str) -> OpenAPI:
    spec = copy.deepcopy(openapi(path))
    spec["servers"] = [{"url": server_url}]
    # ZGW answers errors as application/problem+json: JSON, which openapi-core must be told.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(spec, config=config)


def _handler(state: ZgwTestServer, apis: dict[str, OpenAPI], timeout_delay: float) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

        def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = b"" if body is None else json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("API-version", "1.5.0")
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: str, detail: str, params: Any = ()) -> dict[str, Any]:
            body: dict[str, Any] = {
                "type": f"https://vng.nl/fouten/{code}",
                "code": code,
                "title": {400: "Invalid input.", 401: "Niet geautoriseerd."}.get(status, "Fout"),
                "status": status,
                "detail": detail,
                "instance": f"urn:uuid:{uuid.uuid4()}",
            }
            if status == 400:
                body["invalidParams"] = list(params)
            return body

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else None
            split = urlsplit(self.path)
            prefix = DOC_PREFIX if split.path.startswith(DOC_PREFIX) else ZAAK_PREFIX
            json_body = (self.headers.get("Content-Type") or "").startswith("application/json")
            api = apis[prefix]
            route = split.path[len(prefix) :]
            query = parse_qs(split.query)
            request = _Request(
                host_url=state.base,
                path=split.path,
                method=method.lower(),
                body=raw,
                content_type=self.headers.get("Content-Type", "") or "",
                parameters=RequestParameters(
                    query=ImmutableMultiDict([(k, v) for k, vs in query.items() for v in vs]),
                    # The spec declares Content-Type as a header parameter with the bare media
                    # type as enum; a multipart body needs "; boundary=…" (RFC 9110 media type
                    # parameters), so the header parameter is checked without its parameters.
                    header=Headers(
                        [
                            (k, v.split(";")[0].strip() if k.lower() == "content-type" else v)
                            for k, v in self.headers.items()
                        ]
                    ),
                ),
            )
            claims = None
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            except jwt.PyJWTError:
                claims = None
            body_json = json.loads(raw) if raw and json_body else None
            state.seen.append(Seen(method, split.path, body_json, claims))
            mode = None
            for index, (m, p, how) in enumerate(state.failures):
                if m == method and (route == p or (p.endswith("/") and route.startswith(p))):
                    mode = how
                    del state.failures[index]
                    break
            if mode == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if mode == "401" or claims is None or claims.get("client_id") != CLIENT_ID:
                self._reply(api, request, 401, self._error(401, "not_authenticated", "JWT"))
                return
            try:
                api.validate_request(request)
            except Exception as exc:  # the client broke the official specification
                state.problems.append(f"{method} {route}: {exc!r} {getattr(exc, '__cause__', '')}")
                self._reply(api, request, 400, self._error(400, "invalid", str(exc)))
                return
            if mode == "400":
                params = [{"name": "informatieobjecttype", "code": "bad-url", "reason": "Ongeldig"}]
                self._reply(api, request, 400, self._error(400, "invalid", "Ongeldig", params))
                return
            if mode == "500":
                self._reply(api, request, 500, self._error(500, "error", "Interne fout"))
                return
            status, answer = self._route(method, route, query, body_json, raw)
            if mode == "timeout":
                time.sleep(timeout_delay)  # done, but the answer comes too late
            self._reply(api, request, status, answer)

        def _reply(self, api: OpenAPI, request: _Request, status: int, body: Any) -> None:
            content_type = "application/json" if status < 400 else "application/problem+json"
            data = b"" if body is None else json.dumps(body).encode("utf-8")
            response = _Response(
                status, data, content_type, Headers({"Content-Type": content_type})
            )
            try:
                api.validate_response(request, response)
            except Exception as exc:  # the test server itself must follow the spec
                state.problems.append(f"response {status}: {exc!r} {exc.__cause__!r}")
            with suppress(BrokenPipeError, ConnectionResetError):
                self._send(status, body, content_type)

        def _route(
            self, method: str, route: str, query: dict[str, list[str]], body: Any, raw: Any
        ) -> tuple[int, Any]:
            if route.startswith("/bestandsdelen/") and method == "PUT":
                return self._put_part(route.rsplit("/", 1)[1], raw)
            if route.endswith("/unlock") and method == "POST":
                return self._unlock(route.split("/")[2], body)
            if route == "/enkelvoudiginformatieobjecten" and method == "POST":
                return 201, self._create_document(body)
            if route == "/enkelvoudiginformatieobjecten" and method == "GET":
                found = [
                    d
                    for d in state.documents.values()
                    if d["identificatie"] == query.get("identificatie", [""])[0]
                    and d["bronorganisatie"] == query.get("bronorganisatie", [""])[0]
                ]
                return 200, {"count": len(found), "next": None, "previous": None, "results": found}
            if route == "/zaakinformatieobjecten" and method == "POST":
                key = str(uuid.uuid4())
                link = {
                    "url": f"{state.zaken_api}/zaakinformatieobjecten/{key}",
                    "uuid": key,
                    "informatieobject": body["informatieobject"],
                    "zaak": body["zaak"],
                    "aardRelatieWeergave": "Hoort bij, omgekeerd: kent",
                    "titel": body.get("titel", ""),
                    "beschrijving": body.get("beschrijving", ""),
                    "registratiedatum": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "vernietigingsdatum": None,
                    "status": None,
                }
                state.links.append(link)
                return 201, link
            if route == "/zaakinformatieobjecten" and method == "GET":
                return 200, [
                    link
                    for link in state.links
                    if link["zaak"] == query.get("zaak", [""])[0]
                    and link["informatieobject"] == query.get("informatieobject", [""])[0]
                ]
            return 404, self._error(404, "not_found", route)

        def _put_part(self, part_id: str, raw: bytes) -> tuple[int, Any]:
            content_type = self.headers.get("Content-Type", "")
            message = BytesParser(policy=email_policy).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + raw
            )
            fields = {
                part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                for part in message.iter_parts()
            }
            for document in state.documents.values():
                for part in document["bestandsdelen"]:
                    if part["url"].endswith(part_id):
                        if fields.get("lock", b"").decode() != part["lock"]:
                            return 400, self._error(
                                400,
                                "incorrect-lock",
                                "lock",
                                [{"name": "lock", "code": "incorrect-lock", "reason": "Onjuist"}],
                            )
                        if len(fields.get("inhoud") or b"") != part["omvang"]:
                            return 400, self._error(
                                400,
                                "size",
                                "omvang",
                                [{"name": "inhoud", "code": "file-size", "reason": "Omvang"}],
                            )
                        state.part_content[part["url"]] = fields["inhoud"]
                        part["voltooid"] = True
                        return 200, {"url": part["url"], "lock": part["lock"]}
            return 404, self._error(404, "not_found", part_id)

        def _unlock(self, key: str, body: dict[str, Any]) -> tuple[int, Any]:
            document = state.documents[key]
            parts = document["bestandsdelen"]
            if body.get("lock") != (parts[0]["lock"] if parts else "") or not all(
                p["voltooid"] for p in parts
            ):
                return 400, self._error(
                    400,
                    "unlock-failed",
                    "lock",
                    [
                        {
                            "name": "nonFieldErrors",
                            "code": "incomplete-upload",
                            "reason": "Onvolledig",
                        }
                    ],
                )
            content = b"".join(state.part_content[p["url"]] for p in parts)
            document["locked"] = False
            document["sha256_received"] = hashlib.sha256(content).hexdigest()
            return 204, None

        def _create_document(self, body: dict[str, Any]) -> dict[str, Any]:
            key = str(uuid.uuid4())
            if not body.get("inhoud") and body.get("bestandsomvang"):
                return self._create_large(key, body)
            content = base64.b64decode(body.get("inhoud") or b"")
            document = {
                key_: value for key_, value in body.items() if key_ not in ("inhoud", "lock")
            }
            document.update(
                url=f"{state.documenten_api}/enkelvoudiginformatieobjecten/{key}",
                inhoud=f"{state.documenten_api}/enkelvoudiginformatieobjecten/{key}/download",
                versie=1,
                beginRegistratie=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                bestandsomvang=len(content),
                locked=False,
                bestandsdelen=[],
                sha256_received=hashlib.sha256(content).hexdigest(),
            )
            state.documents[key] = document
            return {k: v for k, v in document.items() if k != "sha256_received"}

        def _create_large(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
            size = int(body["bestandsomvang"])
            lock = uuid.uuid4().hex
            parts = []
            for number, start in enumerate(range(0, size, state.part_size), 1):
                parts.append(
                    {
                        "url": f"{state.documenten_api}/bestandsdelen/{uuid.uuid4()}",
                        "volgnummer": number,
                        "omvang": min(state.part_size, size - start),
                        "voltooid": False,
                        "lock": lock,
                    }
                )
            document = {k: v for k, v in body.items() if k not in ("inhoud", "lock")}
            document.update(
                url=f"{state.documenten_api}/enkelvoudiginformatieobjecten/{key}",
                inhoud=None,
                versie=1,
                beginRegistratie=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                locked=True,
                bestandsdelen=parts,
            )
            state.documents[key] = document
            return dict(document)

    return Handler


@contextmanager
def zgw_server(timeout_delay: float = 1.5) -> Iterator[ZgwTestServer]:
    state = ZgwTestServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    apis = {
        DOC_PREFIX: _spec(DOCUMENTEN_API, state.documenten_api),
        ZAAK_PREFIX: _spec(ZAKEN_API, state.zaken_api),
    }
    httpd.RequestHandlerClass = _handler(state, apis, timeout_delay)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
