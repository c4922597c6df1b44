"""A small client for the ZGW Documenten API 1.5 and Zaken API 1.5 (VNG-Realisatie).

- Authentication: a JWT signed with HS256 with the client's secret, as the ZGW authorisation
  spec asks (claims ``iss`` and ``client_id`` = the client id, ``iat``, ``user_id`` and
  ``user_representation``), sent as ``Authorization: Bearer <jwt>``. A fresh token per request.
- Safe retries: before every ``POST /enkelvoudiginformatieobjecten`` the client asks whether a
  document with this ``bronorganisatie`` + ``identificatie`` (unique in ZGW) already exists, and
  before every ``POST /zaakinformatieobjecten`` whether the link exists. A request whose answer
  was lost (time-out, dropped connection, 5xx) is therefore never doubled: the retry finds what
  the first attempt created.
- Errors become one Dutch :class:`ZgwError` with what the API said (ZGW's error body: ``title``,
  ``detail``, ``invalidParams``). The secret and the token never appear in a message.
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from bibob_desk.domain.errors import BibobError

DEFAULT_TIMEOUT = 30.0
DEFAULT_ATTEMPTS = 3
# Above this size a document goes in bestandsdelen (ZGW "grote bestanden") instead of base64.
DEFAULT_PARTS_ABOVE = 5_000_000
CONTENT_CRS = "EPSG:4326"  # the Zaken API asks for Accept-Crs/Content-Crs on some resources


class ZgwError(BibobError):
    """The zaaksysteem refused or could not be reached (Dutch message, no secrets)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ZgwCredentials:
    client_id: str
    secret: str = ""

    def __repr__(self) -> str:  # never print the secret
        return f"ZgwCredentials(client_id={self.client_id!r}, secret=***)"


def make_jwt(
    credentials: ZgwCredentials, user_id: str, user_representation: str, now: float | None = None
) -> str:
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": credentials.client_id,
        "iat": issued,
        "client_id": credentials.client_id,
        "user_id": user_id,
        "user_representation": user_representation or user_id,
    }
    return jwt.encode(claims, credentials.secret, algorithm="HS256", headers={"typ": "JWT"})


@dataclass(frozen=True)
class Response:
    status: int
    body: Any


class _Transient(Exception):
    """A failure after which the request may or may not have been carried out."""


class ZgwClient:
    def __init__(
        self,
        credentials: ZgwCredentials,
        *,
        user_id: str,
        user_representation: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        pause: Callable[[float], None] = time.sleep,
        parts_above: int = DEFAULT_PARTS_ABOVE,
    ) -> None:
        self.parts_above = parts_above
        self.credentials = credentials
        self.user_id = user_id
        self.user_representation = user_representation
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.pause = pause

    # --- HTTP ------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        body: Mapping[str, Any] | None = None,
        *,
        raw: bytes | None = None,
        content_type: str = "",
    ) -> Response:
        token = make_jwt(self.credentials, self.user_id, self.user_representation)
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Accept-Crs": CONTENT_CRS,
        }
        data = raw
        if raw is not None:
            headers["Content-Type"] = content_type
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
            headers["Content-Crs"] = CONTENT_CRS
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Response(answer.status, _json(answer.read()))
        except urllib.error.HTTPError as exc:
            status = exc.code
            payload = _json(exc.read())
            if status >= 500 or status == 429:
                raise _Transient(_describe(status, payload)) from exc
            raise ZgwError(_refusal(status, payload, url), status) from exc
        except TimeoutError as exc:
            raise _Transient(f"geen antwoord binnen {self.timeout:g} seconden") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise _Transient(f"geen antwoord binnen {self.timeout:g} seconden") from exc
            raise _Transient(f"niet bereikbaar ({exc.reason})") from exc
        except (ConnectionError, OSError) as exc:
            raise _Transient(f"verbinding verbroken ({exc})") from exc

    def _create_once(
        self,
        what: str,
        find: Callable[[], str | None],
        create: Callable[[], Response],
    ) -> tuple[str, bool]:
        """Find, else create; retry transient failures, finding first each time.

        Returns (url, created). Never creates twice: a retry after a lost answer finds it.
        """
        last = ""
        posted = False
        for attempt in range(self.attempts):
            if attempt:
                self.pause(min(2.0**attempt, 10.0))
            try:
                existing = find()
                if existing:
                    # Found after our own POST: it was created then and the answer was lost.
                    return existing, posted
                posted = True
                answer = create()
            except _Transient as exc:
                last = str(exc)
                continue
            url = answer.body.get("url") if isinstance(answer.body, dict) else None
            if answer.status != 201 or not url:
                raise ZgwError(
                    f"Het zaaksysteem gaf een onverwacht antwoord op {what} "
                    f"(status {answer.status}, zonder url).",
                    answer.status,
                )
            return str(url), True
        raise ZgwError(
            f"{what[:1].upper()}{what[1:]} is niet gelukt na {self.attempts} pogingen: {last}. "
            "Er is niets als geëxporteerd gemarkeerd; probeer het later opnieuw (een nieuwe poging "
            "maakt geen tweede document)."
        )

    # --- Documenten API --------------------------------------------------------------------

    def _find_document(
        self, documenten_api: str, bronorganisatie: str, identificatie: str
    ) -> dict[str, Any] | None:
        query = urllib.parse.urlencode(
            {"bronorganisatie": bronorganisatie, "identificatie": identificatie}
        )
        answer = self._request("GET", f"{documenten_api}/enkelvoudiginformatieobjecten?{query}")
        results = answer.body.get("results", []) if isinstance(answer.body, dict) else []
        for item in results:
            same = item.get("identificatie") == identificatie
            if same and item.get("bronorganisatie") == bronorganisatie and item.get("url"):
                return dict(item)
        return None

    def find_document(self, documenten_api: str, bronorganisatie: str, identificatie: str) -> str:
        found = self._find_document(documenten_api, bronorganisatie, identificatie)
        return str(found["url"]) if found else ""

    def create_document(
        self, documenten_api: str, body: Mapping[str, Any], content: bytes | None = None
    ) -> tuple[str, bool]:
        """``POST /enkelvoudiginformatieobjecten``; (url, False) when it was already there.

        ``content`` above ``parts_above`` bytes goes in bestandsdelen: the document is created
        without ``inhoud`` (locked), each part is PUT as multipart/form-data with the lock, then
        the document is unlocked. A retry finds a half-uploaded document and finishes it.
        """
        if content is None or len(content) <= self.parts_above:
            if content is not None and "inhoud" not in body:
                body = {**body, "inhoud": base64.b64encode(content).decode("ascii")}
            return self._create_once(
                "het aanmaken van het document",
                lambda: (
                    self.find_document(
                        documenten_api, str(body["bronorganisatie"]), str(body["identificatie"])
                    )
                    or None
                ),
                lambda: self._request(
                    "POST", f"{documenten_api}/enkelvoudiginformatieobjecten", body
                ),
            )
        return self._create_in_parts(documenten_api, body, content)

    def _create_in_parts(
        self, documenten_api: str, body: Mapping[str, Any], content: bytes
    ) -> tuple[str, bool]:
        request = {k: v for k, v in body.items() if k != "inhoud"}
        request["bestandsomvang"] = len(content)
        created: dict[str, Any] = {}

        def find() -> str | None:
            found = self._find_document(
                documenten_api, str(body["bronorganisatie"]), str(body["identificatie"])
            )
            if found is None:
                return None
            created.update(found)
            return str(found["url"])

        def create() -> Response:
            answer = self._request(
                "POST", f"{documenten_api}/enkelvoudiginformatieobjecten", request
            )
            if isinstance(answer.body, dict):
                created.update(answer.body)
            return answer

        url, new = self._create_once("het aanmaken van het document", find, create)
        parts = [p for p in created.get("bestandsdelen") or [] if isinstance(p, dict)]
        if created.get("locked") and parts:
            self._upload_parts(url, parts, content)
        return url, new

    def _upload_parts(self, url: str, parts: list[dict[str, Any]], content: bytes) -> None:
        offset = 0
        lock = ""
        for part in sorted(parts, key=lambda p: int(p.get("volgnummer", 0))):
            size = int(part.get("omvang", 0))
            chunk = content[offset : offset + size]
            offset += size
            lock = str(part.get("lock") or lock)
            if part.get("voltooid"):
                continue
            boundary = f"bibob-{secrets.token_hex(12)}"
            raw = _multipart(boundary, {"lock": lock.encode("utf-8")}, ("inhoud", chunk))
            content_type = f"multipart/form-data; boundary={boundary}"
            target = str(part["url"])

            def put(target: str = target, raw: bytes = raw, kind: str = content_type) -> Response:
                return self._request("PUT", target, raw=raw, content_type=kind)

            self._retry("het uploaden van een bestandsdeel", put)
        self._retry(
            "het ontgrendelen van het document",
            lambda: self._request("POST", f"{url}/unlock", {"lock": lock}),
        )

    def _retry(self, what: str, call: Callable[[], Response]) -> Response:
        """Retry an idempotent call (a PUT of a part, an unlock) on transient failures."""
        last = ""
        for attempt in range(self.attempts):
            if attempt:
                self.pause(min(2.0**attempt, 10.0))
            try:
                return call()
            except _Transient as exc:
                last = str(exc)
        raise ZgwError(
            f"{what[:1].upper()}{what[1:]} is niet gelukt na {self.attempts} pogingen: {last}. "
            "Er is niets als geëxporteerd gemarkeerd; een nieuwe poging maakt het document af."
        )

    # --- Zaken API -------------------------------------------------------------------------

    def find_link(self, zaken_api: str, zaak: str, informatieobject: str) -> str:
        query = urllib.parse.urlencode({"zaak": zaak, "informatieobject": informatieobject})
        answer = self._request("GET", f"{zaken_api}/zaakinformatieobjecten?{query}")
        items = answer.body if isinstance(answer.body, list) else []
        for item in items:
            if item.get("zaak") == zaak and item.get("informatieobject") == informatieobject:
                return str(item.get("url", ""))
        return ""

    def link_to_zaak(
        self, zaken_api: str, zaak: str, informatieobject: str, titel: str, beschrijving: str = ""
    ) -> tuple[str, bool]:
        """``POST /zaakinformatieobjecten``: the document belongs to the zaak."""
        body = {
            "zaak": zaak,
            "informatieobject": informatieobject,
            "titel": titel[:200],
            "beschrijving": beschrijving,
        }
        return self._create_once(
            "het koppelen aan de zaak",
            lambda: self.find_link(zaken_api, zaak, informatieobject) or None,
            lambda: self._request("POST", f"{zaken_api}/zaakinformatieobjecten", body),
        )


def _multipart(boundary: str, fields: Mapping[str, bytes], file: tuple[str, bytes]) -> bytes:
    lines: list[bytes] = []
    for name, value in fields.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value,
        ]
    name, data = file
    lines += [
        f"--{boundary}".encode(),
        f'Content-Disposition: form-data; name="{name}"; filename="{name}.bin"'.encode(),
        b"Content-Type: application/octet-stream",
        b"",
        data,
        f"--{boundary}--".encode(),
        b"",
    ]
    return b"\r\n".join(lines)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8")) if data else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _describe(status: int, payload: Any) -> str:
    if isinstance(payload, dict):
        text = payload.get("detail") or payload.get("title") or ""
        if text:
            return f"status {status}: {text}"
    return f"status {status}"


def _refusal(status: int, payload: Any, url: str) -> str:
    if status in (401, 403):
        return (
            f"Het zaaksysteem weigert de toegang (status {status}): controleer de client-ID "
            "(zgw.client_id) en het geheim, en de rechten van deze client in de "
            "autorisaties-API. Er is niets als geëxporteerd gemarkeerd."
        )
    problems = []
    if isinstance(payload, dict):
        for item in payload.get("invalidParams") or []:
            if isinstance(item, dict):
                problems.append(f"{item.get('name', '?')}: {item.get('reason', '')}".strip())
    detail = "; ".join(problems) or _describe(status, payload)
    return (
        f"Het zaaksysteem weigert het verzoek (status {status}): {detail}. Er is niets als "
        "geëxporteerd gemarkeerd."
    )
