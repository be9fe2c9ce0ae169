"""Routing rules: the most specific matching rule picks the unit."""

from __future__ import annotations

from chalicelib.domain.people import Routing, RoutingRule

BOARD = RoutingRule(board="report", unit_id="board-unit")
TYPE = RoutingRule(board="report", type="help", unit_id="type-unit")
DISTRICT = RoutingRule(board="report", district="东河区", unit_id="district-unit")
BOTH = RoutingRule(board="report", type="help", district="东河区", unit_id="both-unit")


def test_a_district_rule_beats_a_type_rule_whatever_their_order() -> None:
    for rules in ((TYPE, DISTRICT, BOARD), (BOARD, DISTRICT, TYPE)):
        assert Routing(rules=rules).unit_for("report", "help", "东河区") == "district-unit"


def test_a_type_rule_beats_a_board_rule() -> None:
    routing = Routing(rules=(BOARD, TYPE, DISTRICT))

    assert routing.unit_for("report", "help", "青山区") == "type-unit"
    assert routing.unit_for("report", "help", None) == "type-unit"


def test_a_rule_with_district_and_type_beats_one_with_district_alone() -> None:
    routing = Routing(rules=(DISTRICT, BOTH))

    assert routing.unit_for("report", "help", "东河区") == "both-unit"
    assert routing.unit_for("report", "report", "东河区") == "district-unit"


def test_the_board_rule_catches_what_nothing_more_specific_matches() -> None:
    routing = Routing(rules=(DISTRICT, TYPE, BOARD), default_unit_id="center")

    assert routing.unit_for("report", "question", "青山区") == "board-unit"


def test_equally_specific_rules_tie_to_the_earlier_one() -> None:
    first = RoutingRule(board="report", district="东河区", unit_id="first")
    second = RoutingRule(board="report", district="东河区", unit_id="second")

    assert Routing(rules=(first, second)).unit_for("report", "help", "东河区") == "first"
    assert Routing(rules=(second, first)).unit_for("report", "help", "东河区") == "second"


def test_a_rule_matches_only_when_every_field_it_gives_matches() -> None:
    routing = Routing(rules=(BOTH,), default_unit_id="center")

    assert routing.unit_for("report", "report", "东河区") == "center"
    assert routing.unit_for("report", "help", "青山区") == "center"
    assert routing.unit_for("traffic", "help", "东河区") == "center"


def test_no_matching_rule_gives_the_default_unit_or_none() -> None:
    assert Routing(rules=(BOARD,), default_unit_id="center").unit_for("hukou", "help", None) == "center"
    assert Routing(rules=(BOARD,)).unit_for("hukou", "help", None) is None
