"""The network of a case as a file: GraphML (yEd, Gephi, networkx) and an i2 link table.

i2 Analyst's Notebook imports a spreadsheet through an import specification that maps columns
to "entity 1 – link – entity 2"; one row per link, with identity, type and label of both ends
(the usual "link table" layout). The workbook has that sheet ("Koppelingen") plus one row per
entity ("Entiteiten"). A case the user may not see is written without reference or title, as in
the command line's JSON. The PNG export is the drawing itself (gui/network_view.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
from openpyxl import Workbook

from bibob_desk.domain.parties import PARTY_ROLE_LABELS, PartyRole
from bibob_desk.domain.relations import RELATION_LABELS, SOURCE_LABELS, RelationKind, RelationSource
from bibob_desk.storage.files import staged_path

I2_LINK_COLUMNS = (
    "Entiteit 1 ID",
    "Entiteit 1 type",
    "Entiteit 1 label",
    "Koppeling",
    "Koppeling type",
    "Van datum",
    "Tot datum",
    "Bron",
    "Entiteit 2 ID",
    "Entiteit 2 type",
    "Entiteit 2 label",
)
I2_ENTITY_COLUMNS = ("ID", "Type", "Label", "KvK-nummer", "Geboortedatum", "Datum", "Uitkomst")
ENTITY_TYPES = {
    "party_natuurlijk_persoon": "Persoon",
    "party_rechtspersoon": "Organisatie",
    "case": "Zaak",
    "tip": "Tip",
}


def node_label(node: dict[str, Any]) -> str:
    if node["kind"] == "party":
        return str(node["name"])
    if node["kind"] == "tip":
        return f"Tip: {node['subject_name']} ({node['received_on']})"
    if not node.get("visible", True):
        return "Zaak (niet zichtbaar voor u)"
    return f"{node['reference']} {node['title']}"


def entity_type(node: dict[str, Any]) -> str:
    if node["kind"] == "party":
        return ENTITY_TYPES.get(f"party_{node['party_kind']}", "Organisatie")
    return ENTITY_TYPES[node["kind"]]


def relation_label(relation: str, source: str | None = None) -> str:
    """Dutch words for an edge's relation: a role in a case (source "zaak"; the roles share
    some codes with the relation kinds), a relation kind, or "tip"."""
    if source == "zaak" and relation in {r.value for r in PartyRole}:
        return f"{PARTY_ROLE_LABELS[PartyRole(relation)]} in zaak"
    try:
        return RELATION_LABELS[RelationKind(relation)]
    except ValueError:
        pass
    return {"tip": "Onderwerp van tip", "onbekend": "Ook in zaak (niet zichtbaar)"}.get(
        relation, relation
    )


def source_label(source: str | None) -> str:
    if not source:
        return ""
    try:
        return SOURCE_LABELS[RelationSource(source)]
    except ValueError:
        return {"zaak": "Zaakdossier", "tipregister": "Tipregister"}.get(source, source)


def to_graph(nodes: dict[str, dict[str, Any]], edges: list[dict[str, Any]]) -> nx.MultiDiGraph:
    """A networkx graph; attribute values are text, numbers or booleans (GraphML types)."""
    graph = nx.MultiDiGraph()
    for node_id, node in nodes.items():
        attributes = {k: v for k, v in node.items() if k != "id" and v is not None}
        attributes["label"] = node_label(node)
        graph.add_node(node_id, **attributes)
    for edge in edges:
        attributes = {k: v for k, v in edge.items() if k not in ("from", "to") and v is not None}
        attributes["label"] = relation_label(edge["relation"], edge.get("source"))
        graph.add_edge(edge["from"], edge["to"], **attributes)
    return graph


def write_graphml(
    nodes: dict[str, dict[str, Any]],
    edges: list[dict[str, Any]],
    path: Path,
    *,
    overwrite: bool = False,
) -> None:
    graph = to_graph(nodes, edges)
    # Through storage.files: 0600, all-or-nothing, never silently over an existing file.
    with staged_path(path, overwrite=overwrite, suffix=".graphml") as temp:
        nx.write_graphml(graph, str(temp))


def write_i2_workbook(
    nodes: dict[str, dict[str, Any]],
    edges: list[dict[str, Any]],
    path: Path,
    *,
    overwrite: bool = False,
) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    links = workbook.create_sheet("Koppelingen")
    links.append(list(I2_LINK_COLUMNS))
    for edge in edges:
        first, second = nodes[edge["from"]], nodes[edge["to"]]
        links.append(
            [
                edge["from"],
                entity_type(first),
                node_label(first),
                relation_label(edge["relation"], edge.get("source")),
                edge["relation"],
                edge.get("from_date") or "",
                edge.get("to_date") or "",
                source_label(edge.get("source")),
                edge["to"],
                entity_type(second),
                node_label(second),
            ]
        )
    entities = workbook.create_sheet("Entiteiten")
    entities.append(list(I2_ENTITY_COLUMNS))
    for node_id, node in nodes.items():
        entities.append(
            [
                node_id,
                entity_type(node),
                node_label(node),
                node.get("kvk_number") or "",
                node.get("birth_date") or "",
                node.get("decision_date")
                or node.get("application_date")
                or node.get("received_on")
                or "",
                node.get("outcome_class") or "",
            ]
        )
    for sheet in (links, entities):
        sheet.freeze_panes = "A2"
    with staged_path(path, overwrite=overwrite, suffix=".xlsx") as temp:
        workbook.save(str(temp))
