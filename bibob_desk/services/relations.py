"""Relations between the parties of a case, and what they connect to across cases.

- ``RelationService.add / update / remove / list``: relations between two parties of one case
  (domain/relations.py), each change audited and on the case's timeline.
- ``RelationService.network``: the case's parties, their relations one or two steps out, and
  the other cases and tips those parties appear in, as a graph of nodes and edges (the network
  view, ``bibob-desk relations --case REF --json``, the GraphML and i2 exports).
- ``RelationService.known_from``: "Bekend uit" per party of the case: the other cases, tips and
  danger conclusions of the last five years, found by KvK number, by name plus date of birth and
  through one or two relation steps. Logged.

Need-to-know: every lookup across cases goes through ``services/network_lookups.py`` and
returns a hidden case or tip as ``None``. A case the user may not see shows only as "there is a
match; a team lead can look" (``hidden``), and so does a visible case that was reached only
through a relation or party of a hidden case (its path would tell about the hidden one).
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from bibob_desk.domain.case import ValidationErrors
from bibob_desk.domain.errors import NotFoundError, ValidationError
from bibob_desk.domain.parties import PARTY_ROLE_LABELS, PartyKind, PartyRole
from bibob_desk.domain.relations import (
    RELATION_GROUNDS,
    RELATION_LABELS,
    SHARE_BAND_LABELS,
    SOURCE_LABELS,
    RelationKind,
    RelationSource,
    ShareBand,
    check_relation,
    known_from_since,
    parse_relation_kind,
    parse_share_band,
    parse_source,
)
from bibob_desk.domain.values import CaseReference, parse_date
from bibob_desk.domain.workflow import CONCLUSION_LABELS, DECISION_LABELS, Conclusion, Decision
from bibob_desk.services import audit
from bibob_desk.services.access import (
    Viewer,
    case_not_available,
    may_see_case,
    viewer_in_session,
)
from bibob_desk.services.context import AppContext
from bibob_desk.services.network_lookups import EdgeRow, Lookups, lookups_for
from bibob_desk.storage.models import Case, CaseParty, Party, PartyRelation, Tip

RELATION_ADDED = "relatie_toevoegen"
RELATION_CHANGED = "relatie_wijzigen"
RELATION_REMOVED = "relatie_verwijderen"
KNOWN_FROM_SHOWN = "bekend_uit_tonen"
NETWORK_SHOWN = "netwerk_tonen"

DANGER_CONCLUSIONS = frozenset({Conclusion.ERNSTIG_GEVAAR.value, Conclusion.MINDERE_MATE.value})
HIDDEN_MATCH_TEXT = (
    "Er is ook een treffer in een zaak of tip die u niet mag inzien. Een teamleider kan kijken."
)


# --- relations of one case ---------------------------------------------------------------------


@dataclass(frozen=True)
class RelationInput:
    """A relation as typed: the two parties (party number or exact name within the case)."""

    from_party: str
    to_party: str
    relation: str
    source: str
    share_band: str = ""
    start_date: str = ""
    end_date: str = ""
    note: str = ""


@dataclass(frozen=True)
class RelationView:
    id: int
    case_reference: str
    from_party_id: int
    from_name: str
    to_party_id: int
    to_name: str
    relation: str
    share_band: str | None
    start_date: date | None
    end_date: date | None
    source: str
    note: str

    @property
    def relation_label(self) -> str:
        return RELATION_LABELS[RelationKind(self.relation)]

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[RelationSource(self.source)]

    def describe(self) -> str:
        share = f" ({SHARE_BAND_LABELS[ShareBand(self.share_band)]})" if self.share_band else ""
        period = describe_period(self.start_date, self.end_date)
        return f"{self.from_name} is {self.relation_label.lower()} {self.to_name}{share}{period}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case": self.case_reference,
            "from": {"id": self.from_party_id, "name": self.from_name},
            "to": {"id": self.to_party_id, "name": self.to_name},
            "relation": self.relation,
            "share_band": self.share_band,
            "from_date": self.start_date.isoformat() if self.start_date else None,
            "to_date": self.end_date.isoformat() if self.end_date else None,
            "source": self.source,
            "note": self.note,
        }


def describe_period(start: date | None, end: date | None) -> str:
    if start and end:
        return f", {start:%d-%m-%Y} t/m {end:%d-%m-%Y}"
    if start:
        return f", sinds {start:%d-%m-%Y}"
    if end:
        return f", tot en met {end:%d-%m-%Y}"
    return ""


@dataclass(frozen=True)
class _ValidRelation:
    from_party: Party
    to_party: Party
    kind: RelationKind
    share_band: ShareBand | None
    start: date | None
    end: date | None
    source: RelationSource
    note: str


def _case_party(case: Case, token: str, field_name: str) -> Party:
    """A party of this case by its number or its exact name (case-insensitive)."""
    wanted = token.strip()
    parties = {cp.party.id: cp.party for cp in case.parties}
    if wanted.isdigit() and int(wanted) in parties:
        return parties[int(wanted)]
    named = [p for p in parties.values() if p.name.casefold() == wanted.casefold()]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise ValidationError(
            f"Meer betrokkenen heten '{wanted[:60]}': geef het nummer (bibob-desk parties list).",
            field_name,
        )
    raise ValidationError(
        f"'{wanted[:60]}' is geen betrokkene van zaak {case.reference}. Voeg de betrokkene eerst "
        "toe aan de zaak.",
        field_name,
    )


def _validate(case: Case, data: RelationInput) -> _ValidRelation:
    errors: list[ValidationError] = []

    def attempt(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationErrors as exc:
            errors.extend(exc.errors)
        except ValidationError as exc:
            errors.append(exc)
        return None

    start_party = attempt(_case_party, case, data.from_party, "from")
    end_party = attempt(_case_party, case, data.to_party, "to")
    kind = attempt(parse_relation_kind, data.relation)
    source = attempt(parse_source, data.source)
    band = attempt(parse_share_band, data.share_band) if data.share_band.strip() else None
    start = attempt(parse_date, data.start_date, "start") if data.start_date.strip() else None
    end = attempt(parse_date, data.end_date, "end") if data.end_date.strip() else None
    if start_party is not None and end_party is not None and kind is not None:
        errors += check_relation(
            PartyKind(start_party.kind),
            PartyKind(end_party.kind),
            kind,
            band,
            start,
            end,
            same_party=start_party.id == end_party.id,
        )
    if errors:
        raise ValidationErrors(errors)
    return _ValidRelation(start_party, end_party, kind, band, start, end, source, data.note.strip())


def _view(case: Case, relation: PartyRelation, names: dict[int, str]) -> RelationView:
    return RelationView(
        id=relation.id,
        case_reference=case.reference,
        from_party_id=relation.from_party_id,
        from_name=names.get(relation.from_party_id, ""),
        to_party_id=relation.to_party_id,
        to_name=names.get(relation.to_party_id, ""),
        relation=relation.relation,
        share_band=relation.share_band,
        start_date=relation.start_date,
        end_date=relation.end_date,
        source=relation.source,
        note=relation.note,
    )


def _detail(valid: _ValidRelation) -> dict[str, Any]:
    return {
        "van": valid.from_party.name,
        "naar": valid.to_party.name,
        "relatie": valid.kind.value,
        "belang": valid.share_band.value if valid.share_band else None,
        "begin": valid.start,
        "einde": valid.end,
        "bron": valid.source.value,
    }


# --- the network --------------------------------------------------------------------------------


@dataclass
class Network:
    """Nodes and edges; a node or edge is a dict with the keys of the JSON contract."""

    case_reference: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``{"nodes": [...], "edges": [...]}``; a hidden case only as
        ``{"kind": "case", "visible": false}`` (no id, so no edge can point at it)."""
        nodes: list[dict[str, Any]] = []
        hidden: set[str] = set()
        for node_id, node in self.nodes.items():
            if node["kind"] == "case" and not node["visible"]:
                hidden.add(node_id)
                nodes.append({"kind": "case", "visible": False})
            else:
                nodes.append(node)
        edges = [e for e in self.edges if e["from"] not in hidden and e["to"] not in hidden]
        return {"nodes": nodes, "edges": edges}


def outcome_class(decision: str | None, conclusion: str | None) -> str:
    """The colour class of a case node: refused, conditions, danger, or open."""
    if decision in (Decision.WEIGEREN.value, Decision.INTREKKEN.value):
        return "geweigerd"
    if decision == Decision.VERLENEN_MET_VOORSCHRIFTEN.value:
        return "voorschriften"
    if conclusion in DANGER_CONCLUSIONS:
        return "gevaar"
    return "overig"


def _case_node(case: Case) -> dict[str, Any]:
    return {
        "id": f"case:{case.id}",
        "kind": "case",
        "visible": True,
        "reference": case.reference,
        "title": case.title,
        "area": case.area,
        "phase": case.phase,
        "application_date": case.application_date.isoformat(),
        "conclusion": case.conclusion,
        "decision": case.decision,
        "decision_date": case.decision_date.isoformat() if case.decision_date else None,
        "outcome_class": outcome_class(case.decision, case.conclusion),
    }


def _party_node(party: Party, *, in_case: bool) -> dict[str, Any]:
    return {
        "id": f"party:{party.id}",
        "kind": "party",
        "name": party.name,
        "party_kind": party.kind,
        "kvk_number": party.kvk_number,
        "birth_date": party.birth_date.isoformat() if party.birth_date else None,
        "in_case": in_case,
    }


def _tip_node(tip: Tip) -> dict[str, Any]:
    return {
        "id": f"tip:{tip.id}",
        "kind": "tip",
        "subject_name": tip.subject_name,
        "received_on": tip.received_on.isoformat(),
        "direction": tip.direction,
        "counterpart": tip.counterpart,
        "outcome_class": "tip",
    }


def _relation_edge(relation: PartyRelation, source_id: int, target_id: int) -> dict[str, Any]:
    return {
        "from": f"party:{source_id}",
        "to": f"party:{target_id}",
        "relation": relation.relation,
        "from_date": relation.start_date.isoformat() if relation.start_date else None,
        "to_date": relation.end_date.isoformat() if relation.end_date else None,
        "source": relation.source,
        "share_band": relation.share_band,
        "relation_id": relation.id,
    }


# --- "Bekend uit" ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownFromItem:
    kind: str  # zaak / gevaarsconclusie / tip
    reference: str  # case reference, or "tip 12"
    label: str  # title, or the tip's subject and counterpart
    on: date | None  # application or decision date, or the tip's date
    how: str  # Dutch: how the match was found
    steps: int  # 0 = the party itself (KvK, name + date of birth), 1 or 2 relation steps
    conclusion: str | None = None
    decision: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reference": self.reference,
            "label": self.label,
            "date": self.on.isoformat() if self.on else None,
            "how": self.how,
            "steps": self.steps,
            "conclusion": self.conclusion,
            "decision": self.decision,
        }


@dataclass(frozen=True)
class KnownFromParty:
    party_id: int
    name: str
    role: str
    items: tuple[KnownFromItem, ...]
    hidden: bool  # a match the user may not see exists

    def to_json(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "name": self.name,
            "role": self.role,
            "items": [i.to_json() for i in self.items],
            "hidden_match": self.hidden,
        }


@dataclass
class _Reached:
    steps: int
    clean: bool  # reached through visible parties and relations only
    how: str


def _reach_many(
    lookups: Lookups, starts: set[int], depth: int, texts: _RelationTexts
) -> dict[int, dict[int, _Reached]]:
    """Per start party: every party reachable in at most ``depth`` relation steps, each also
    through its identity matches (same KvK number; same name and date of birth). One batch of
    lookups per step for all start parties together (a handful of indexed queries per case)."""
    reached: dict[int, dict[int, _Reached]] = {o: {o: _Reached(0, True, "")} for o in starts}
    frontier: dict[int, set[int]] = {o: {o} for o in starts}
    for step in range(depth + 1):
        everywhere = set().union(*frontier.values())
        same = lookups.same_parties(everywhere)
        visible = lookups.visible_parties({b for _, b, _ in same})
        matches: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for a, b, how in same:
            matches[a].append((b, how))
        for origin in starts:
            mine = reached[origin]
            for a in list(frontier[origin]):
                for b, how in matches.get(a, ()):
                    parent = mine[a]
                    text = "zelfde KvK-nummer" if how == "kvk" else "zelfde naam en geboortedatum"
                    _better(
                        mine,
                        b,
                        _Reached(step, parent.clean and b in visible, _join(parent.how, text)),
                    )
                    frontier[origin].add(b)
        if step == depth:
            break
        everywhere = set().union(*frontier.values())
        edges = lookups.relations(everywhere)
        texts.load(e.relation_id for e in edges if e.visible and e.relation_id is not None)
        by_party: dict[int, list[EdgeRow]] = defaultdict(list)
        for edge in edges:
            by_party[edge.from_party].append(edge)
            by_party[edge.to_party].append(edge)
        visible = lookups.visible_parties(
            {e.to_party for e in edges} | {e.from_party for e in edges}
        )
        for origin in starts:
            mine = reached[origin]
            following: set[int] = set()
            for near in frontier[origin]:
                for edge in by_party.get(near, ()):
                    far = edge.to_party if edge.from_party == near else edge.from_party
                    if far in frontier[origin]:
                        continue
                    parent = mine[near]
                    clean = parent.clean and edge.visible and far in visible
                    text = texts.get(edge.relation_id or -1, "") if edge.visible else ""
                    if _better(mine, far, _Reached(step + 1, clean, _join(parent.how, text))):
                        following.add(far)
            frontier[origin] = following
        if not any(frontier.values()):
            break
    return reached


def _join(first: str, second: str) -> str:
    return "; ".join(part for part in (first, second) if part)


def _better(reached: dict[int, _Reached], party: int, new: _Reached) -> bool:
    old = reached.get(party)
    if old is None or (new.clean and not old.clean):
        reached[party] = new
        return True
    return False


# --- the service ----------------------------------------------------------------------------------


class RelationService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def _viewer(self, session: Session) -> Viewer:
        return viewer_in_session(session, self.context.user)

    def _case(self, session: Session, reference: str) -> Case:
        """The case with its parties, if the user may see it (the one answer otherwise)."""
        ref = str(CaseReference.parse(reference))
        case = session.execute(
            select(Case)
            .where(Case.reference == ref, Case.destroyed_at.is_(None))
            .options(selectinload(Case.parties).selectinload(CaseParty.party))
        ).scalar_one_or_none()
        if case is None or not may_see_case(session, self._viewer(session), case):
            raise case_not_available(ref)
        return case

    def _relations(self, session: Session, case: Case) -> builtins.list[PartyRelation]:
        return list(
            session.execute(
                select(PartyRelation)
                .where(PartyRelation.case_id == case.id)
                .order_by(PartyRelation.id)
            ).scalars()
        )

    def _names(self, case: Case) -> dict[int, str]:
        return {cp.party.id: cp.party.name for cp in case.parties}

    # --- relations ---------------------------------------------------------------------------

    def list(self, reference: str, *, log: bool = True) -> builtins.list[RelationView]:
        """The case's relations; logged as a view of the case unless the caller just logged
        one (the Betrokkenen tab shows them with the case, which ``CaseService.get`` logged)."""
        with self.context.db.session() as session:
            case = self._case(session, reference)
            if log:
                audit.record(
                    session,
                    self.context.user,
                    audit.VIEW,
                    case.reference,
                    {"onderdeel": "relaties"},
                )
            names = self._names(case)
            return [_view(case, r, names) for r in self._relations(session, case)]

    def add(self, reference: str, data: RelationInput) -> RelationView:
        with self.context.db.session() as session:
            case = self._case(session, reference)
            valid = _validate(case, data)
            relation = PartyRelation(
                case_id=case.id,
                from_party_id=valid.from_party.id,
                to_party_id=valid.to_party.id,
                created_by=self.context.user,
            )
            _apply(relation, valid)
            session.add(relation)
            session.flush()
            view = _view(case, relation, self._names(case))
            audit.record_case_event(
                session,
                case,
                self.context.user,
                RELATION_ADDED,
                f"Relatie vastgelegd: {view.describe()} (bron: {view.source_label}).",
                {**_detail(valid), "relatie_id": relation.id},
                timeline_kind="wijziging",
            )
            return view

    def update(self, reference: str, relation_id: int, data: RelationInput) -> RelationView:
        with self.context.db.session() as session:
            case = self._case(session, reference)
            relation = self._own_relation(session, case, relation_id)
            valid = _validate(case, data)
            relation.from_party_id = valid.from_party.id
            relation.to_party_id = valid.to_party.id
            _apply(relation, valid)
            session.flush()
            view = _view(case, relation, self._names(case))
            audit.record_case_event(
                session,
                case,
                self.context.user,
                RELATION_CHANGED,
                f"Relatie gewijzigd: {view.describe()} (bron: {view.source_label}).",
                {**_detail(valid), "relatie_id": relation.id},
                timeline_kind="wijziging",
            )
            return view

    def remove(self, reference: str, relation_id: int) -> None:
        with self.context.db.session() as session:
            case = self._case(session, reference)
            relation = self._own_relation(session, case, relation_id)
            view = _view(case, relation, self._names(case))
            session.delete(relation)
            session.flush()
            audit.record_case_event(
                session,
                case,
                self.context.user,
                RELATION_REMOVED,
                f"Relatie verwijderd: {view.describe()}.",
                {"relatie_id": relation_id, "relatie": view.relation},
                timeline_kind="wijziging",
            )

    def _own_relation(self, session: Session, case: Case, relation_id: int) -> PartyRelation:
        relation = session.get(PartyRelation, relation_id)
        if relation is None or relation.case_id != case.id:
            raise NotFoundError(
                f"Relatie {relation_id} hoort niet (meer) bij zaak {case.reference}."
            )
        return relation

    # --- the network ---------------------------------------------------------------------------

    def network(self, reference: str, depth: int = 1) -> Network:
        """The case's parties, relations up to ``depth`` (1 or 2) steps out, and the cases and
        tips those parties appear in. Logged as a view of the case."""
        if depth not in (1, 2):
            raise ValidationError("De diepte is 1 of 2 stappen.", "depth")
        with self.context.db.session() as session:
            viewer = self._viewer(session)
            case = self._case(session, reference)
            lookups = lookups_for(session, viewer)
            network = Network(case.reference)
            network.nodes[f"case:{case.id}"] = _case_node(case)
            own = {cp.party.id for cp in case.parties}
            for cp in case.parties:
                network.nodes.setdefault(
                    f"party:{cp.party.id}", _party_node(cp.party, in_case=True)
                )
            # Identity matches are drawn as the party itself: party id -> representative.
            represent: dict[int, int] = {p: p for p in own}
            frontier = set(own)
            seen_relations: set[int] = set()
            for step in range(depth + 1):
                for a, b, _how in lookups.same_parties(frontier):
                    if b not in represent:
                        represent[b] = represent[a]
                        frontier.add(b)
                if step == depth:
                    break
                new_ids = {
                    e.relation_id
                    for e in lookups.relations(frontier)
                    if e.visible and e.relation_id is not None
                } - seen_relations
                next_frontier: set[int] = set()
                for relation in session.execute(
                    select(PartyRelation)
                    .where(PartyRelation.id.in_(list(new_ids)))
                    .order_by(PartyRelation.id)
                ).scalars():
                    seen_relations.add(relation.id)
                    for end in (relation.from_party_id, relation.to_party_id):
                        if end not in represent:
                            represent[end] = end
                            next_frontier.add(end)
                    network.edges.append(
                        _relation_edge(
                            relation,
                            represent[relation.from_party_id],
                            represent[relation.to_party_id],
                        )
                    )
                frontier = next_frontier
                if not frontier:
                    break
            shown = lookups.visible_parties(set(represent))
            parties = {
                p.id: p
                for p in session.execute(
                    select(Party).where(Party.id.in_(list(shown | own)))
                ).scalars()
            }
            for party_id, party in parties.items():
                if represent.get(party_id, party_id) == party_id:
                    network.nodes.setdefault(
                        f"party:{party_id}", _party_node(party, in_case=party_id in own)
                    )
            self._add_cases_and_tips(session, lookups, network, represent, case)
            audit.record(
                session,
                self.context.user,
                NETWORK_SHOWN,
                case.reference,
                {"diepte": depth, "knopen": len(network.nodes)},
            )
            return network

    def _add_cases_and_tips(
        self,
        session: Session,
        lookups: Lookups,
        network: Network,
        represent: dict[int, int],
        case: Case,
    ) -> None:
        rows = lookups.party_cases(set(represent), None)
        case_ids = {c for _, c in rows if c is not None}
        cases = {
            c.id: c
            for c in session.execute(select(Case).where(Case.id.in_(list(case_ids)))).scalars()
        }
        roles: dict[tuple[int, int], builtins.list[str]] = {}
        for link in session.execute(
            select(CaseParty).where(
                CaseParty.case_id.in_(list(case_ids)), CaseParty.party_id.in_(list(represent))
            )
        ).scalars():
            roles.setdefault((link.party_id, link.case_id), []).append(link.role)
        hidden_for: set[int] = set()
        for party_id, case_id in rows:
            owner = represent[party_id]
            if f"party:{owner}" not in network.nodes:
                continue
            if case_id is None or case_id not in cases:
                hidden_for.add(owner)
                continue
            network.nodes.setdefault(f"case:{case_id}", _case_node(cases[case_id]))
            for role in sorted(roles.get((party_id, case_id), ["overig"])):
                edge = {
                    "from": f"party:{owner}",
                    "to": f"case:{case_id}",
                    "relation": role,
                    "from_date": None,
                    "to_date": None,
                    "source": "zaak",
                }
                if edge not in network.edges:
                    network.edges.append(edge)
        for owner in sorted(hidden_for):
            node_id = f"hidden:{owner}"
            network.nodes[node_id] = {"id": node_id, "kind": "case", "visible": False}
            network.edges.append(
                {
                    "from": f"party:{owner}",
                    "to": node_id,
                    "relation": "onbekend",
                    "from_date": None,
                    "to_date": None,
                    "source": "zaak",
                }
            )
        tip_rows = lookups.party_tips(set(represent), None)
        tip_ids = {t for _, t in tip_rows if t is not None}
        tips = {
            t.id: t for t in session.execute(select(Tip).where(Tip.id.in_(list(tip_ids)))).scalars()
        }
        for party_id, tip_id in tip_rows:
            owner = represent[party_id]
            if tip_id is None or tip_id not in tips or f"party:{owner}" not in network.nodes:
                continue
            network.nodes.setdefault(f"tip:{tip_id}", _tip_node(tips[tip_id]))
            edge = {
                "from": f"party:{owner}",
                "to": f"tip:{tip_id}",
                "relation": "tip",
                "from_date": tips[tip_id].received_on.isoformat(),
                "to_date": None,
                "source": "tipregister",
            }
            if edge not in network.edges:
                network.edges.append(edge)
        del case

    # --- "Bekend uit" --------------------------------------------------------------------------

    def known_from(
        self, reference: str, today: date | None = None
    ) -> builtins.list[KnownFromParty]:
        """Per party of the case: other cases, tips and danger conclusions of the last five
        years, by KvK number, name plus date of birth, and one or two relation steps."""
        since = known_from_since(today or date.today())
        with self.context.db.session() as session:
            viewer = self._viewer(session)
            case = self._case(session, reference)
            lookups = lookups_for(session, viewer)
            texts = _RelationTexts(session)
            starts = {cp.party.id for cp in case.parties}
            reached = _reach_many(lookups, starts, 2, texts)
            everyone = set().union(*(set(r) for r in reached.values()))
            case_rows = lookups.party_cases(everyone, since)
            tip_rows = lookups.party_tips(everyone, since)
            case_ids = {c for _, c in case_rows if c is not None and c != case.id}
            cases = {
                c.id: c
                for c in session.execute(select(Case).where(Case.id.in_(list(case_ids)))).scalars()
            }
            tip_ids = {t for _, t in tip_rows if t is not None}
            tips = {
                t.id: t
                for t in session.execute(select(Tip).where(Tip.id.in_(list(tip_ids)))).scalars()
            }
            result = [
                _known_from_party(cp, case, reached[cp.party.id], case_rows, cases, tip_rows, tips)
                for cp in case.parties
            ]
            audit.record(
                session,
                self.context.user,
                KNOWN_FROM_SHOWN,
                case.reference,
                {
                    "treffers": sum(len(p.items) for p in result),
                    "verborgen_treffer": any(p.hidden for p in result),
                },
            )
            return result


class _RelationTexts(dict[int, str]):
    """Relation id -> "X is financier van Y", read lazily for visible relations only."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def load(self, ids: Iterable[int]) -> None:
        wanted = [i for i in ids if i not in self]
        if not wanted:
            return
        source, target = aliased(Party), aliased(Party)
        relations = self.session.execute(
            select(
                PartyRelation.id,
                PartyRelation.relation,
                source.name.label("from_name"),
                target.name.label("to_name"),
            )
            .join(source, source.id == PartyRelation.from_party_id)
            .join(target, target.id == PartyRelation.to_party_id)
            .where(PartyRelation.id.in_(wanted))
        ).all()
        for r in relations:
            label = RELATION_LABELS[RelationKind(r.relation)].lower()
            self[r.id] = (
                f"{r.from_name} is {label} {r.to_name} "
                f"({RELATION_GROUNDS[RelationKind(r.relation)]})"
            )


def _known_from_party(
    link: CaseParty,
    case: Case,
    reached: dict[int, _Reached],
    case_rows: list[tuple[int, int | None]],
    cases: dict[int, Case],
    tip_rows: list[tuple[int, int | None]],
    tips: dict[int, Tip],
) -> KnownFromParty:
    party = link.party
    items: dict[str, KnownFromItem] = {}
    hidden = False
    for party_id, case_id in sorted(
        (r for r in case_rows if r[0] in reached), key=lambda r: reached[r[0]].steps
    ):
        if case_id == case.id:
            continue
        path = reached[party_id]
        if case_id is None or not path.clean or case_id not in cases:
            hidden = True
            continue
        other = cases[case_id]
        key = f"case:{case_id}"
        if key in items:
            continue
        danger = other.conclusion in DANGER_CONCLUSIONS
        items[key] = KnownFromItem(
            kind="gevaarsconclusie" if danger else "zaak",
            reference=other.reference,
            label=other.title,
            on=other.decision_date or other.application_date,
            how=_how(path, party_id == party.id),
            steps=path.steps,
            conclusion=CONCLUSION_LABELS[Conclusion(other.conclusion)]
            if other.conclusion
            else None,
            decision=DECISION_LABELS[Decision(other.decision)] if other.decision else None,
        )
    for party_id, tip_id in sorted(
        (r for r in tip_rows if r[0] in reached), key=lambda r: reached[r[0]].steps
    ):
        path = reached[party_id]
        if tip_id is None or not path.clean or tip_id not in tips:
            hidden = True
            continue
        tip = tips[tip_id]
        if tip.case_id == case.id or f"tip:{tip_id}" in items:
            continue
        items[f"tip:{tip_id}"] = KnownFromItem(
            kind="tip",
            reference=f"tip {tip.id}",
            label=f"{tip.subject_name} ({tip.direction}, {tip.counterpart})",
            on=tip.received_on,
            how=_how(path, party_id == party.id, tip=True),
            steps=path.steps,
        )
    ordered = sorted(items.values(), key=lambda i: (i.steps, -(i.on or date.min).toordinal()))
    return KnownFromParty(
        party_id=party.id,
        name=party.name,
        role=PARTY_ROLE_LABELS.get(PartyRole(link.role), link.role),
        items=tuple(ordered),
        hidden=hidden,
    )


def _how(path: _Reached, itself: bool, *, tip: bool = False) -> str:
    if path.steps == 0 and itself and not path.how:
        return "over dezelfde betrokkene" if tip else "dezelfde betrokkene"
    steps = {0: "", 1: " (1 relatiestap)", 2: " (2 relatiestappen)"}[path.steps]
    return f"{path.how}{steps}"


def _apply(relation: PartyRelation, valid: _ValidRelation) -> None:
    relation.relation = valid.kind.value
    relation.share_band = valid.share_band.value if valid.share_band else None
    relation.start_date = valid.start
    relation.end_date = valid.end
    relation.source = valid.source.value
    relation.note = valid.note
