"""The network exports go through storage.files: private, all-or-nothing, never over a file."""

from __future__ import annotations

import stat
from pathlib import Path

import networkx as nx
import pytest
from openpyxl import load_workbook

from bibob_desk.documents.network_export import write_graphml, write_i2_workbook
from bibob_desk.storage.files import OutputExistsError

NODES = {
    "party:1": {
        "id": "party:1",
        "kind": "party",
        "party_kind": "rechtspersoon",
        "name": "Alpha B.V.",
        "kvk_number": "12345678",
    },
    "party:2": {
        "id": "party:2",
        "kind": "party",
        "party_kind": "natuurlijk_persoon",
        "name": "J. Jansen",
    },
}
EDGES = [{"from": "party:2", "to": "party:1", "relation": "bestuurder", "source": "overig"}]


@pytest.mark.parametrize(
    ("writer", "name"), [(write_graphml, "netwerk.graphml"), (write_i2_workbook, "netwerk.xlsx")]
)
def test_export_is_private_and_refuses_an_existing_file(tmp_path: Path, writer, name) -> None:
    target = tmp_path / name
    writer(NODES, EDGES, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    first = target.read_bytes()
    with pytest.raises(OutputExistsError):
        writer(NODES, EDGES, target)
    assert target.read_bytes() == first
    writer(NODES, EDGES, target, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind
    if name.endswith(".graphml"):
        assert nx.read_graphml(target).number_of_edges() == 1
    else:
        assert load_workbook(target)["Koppelingen"].max_row == 2
