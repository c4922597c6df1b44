"""The official copies of the standards in ``../shared/reference/`` (see its README), for tests.

Tests that need them skip with the reason when the folder is absent; CI always has it.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(
    os.environ.get(
        "BIBOB_DESK_REFERENCE", Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"
    )
).resolve()
if not REFERENCE.is_dir():  # a worktree sits one level deeper than the main checkout
    REFERENCE = (Path(__file__).resolve().parents[3] / "shared" / "reference").resolve()

DOCUMENTEN_API = REFERENCE / "zgw" / "documenten-api-1.5.0-openapi.yaml"
ZAKEN_API = REFERENCE / "zgw" / "zaken-api-1.5.1-openapi.yaml"
MDTO_XSD = REFERENCE / "mdto" / "MDTO-XML1.0.1.xsd"
PDFA_PROFILE = REFERENCE / "pdfa" / "veraPDF-PDFA-2B-profile.xml"


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"referentiebestand ontbreekt: {path} (../shared/reference/)")
    return path


@cache
def openapi(path: Path) -> dict[str, Any]:
    yaml = pytest.importorskip("yaml", reason="PyYAML (test dependency) reads the OpenAPI files")
    with open(need(path), encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))


def schema_errors(path: Path, component: str, instance: Any) -> list[str]:
    """Messages of every way ``instance`` fails ``#/components/schemas/<component>``."""
    validator_module = pytest.importorskip("openapi_schema_validator")
    referencing = pytest.importorskip("referencing")
    spec = openapi(path)
    resource = referencing.Resource.from_contents(
        spec, default_specification=referencing.jsonschema.DRAFT4
    )
    registry = referencing.Registry().with_resource("urn:zgw", resource)
    validator = validator_module.OAS30Validator(
        {"$ref": f"urn:zgw#/components/schemas/{component}"},
        registry=registry,
        format_checker=validator_module.oas30_format_checker,
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


@cache
def mdto_schema() -> Any:
    etree = pytest.importorskip("lxml.etree", reason="lxml validates MDTO against the XSD")
    return etree.XMLSchema(etree.parse(str(need(MDTO_XSD))))


def mdto_errors(xml: bytes) -> list[str]:
    from lxml import etree

    schema = mdto_schema()
    document = etree.fromstring(xml)
    if schema.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in schema.error_log]
