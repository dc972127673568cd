"""The registered-agent list: every entry sourced, and the matcher on both sides of each entry."""

from __future__ import annotations

import polars as pl
import pytest

from auditor.cip.agents import REGISTERED_AGENTS, load_agents, registered_agent_of

CASES = {
    "Ugland House, South Church Street, George Town KY1-1104": "Maples and Calder (Ugland House)",
    "ugland house george town": "Maples and Calder (Ugland House)",
    "Uglandhouse Road 4, Oslo": None,
    "1209 N. Orange St., Wilmington, DE 19801": "CT Corporation (Corporation Trust Center)",
    "1209 North Orange Street, Wilmington, New Castle County": "CT Corporation (Corporation Trust Center)",
    "1209 Orange Street, Dover": None,  # the street without the city
    "12 Orange Street, Wilmington": None,
    "c/o The Trust Company of the Marshall Islands, Inc., Majuro": "The Trust Company of the Marshall Islands",
    "": None,
    None: None,
}


def test_the_matcher_finds_each_entry_and_nothing_near_it():
    frame = pl.DataFrame({"address": list(CASES)}, schema={"address": pl.String})
    got = frame.select(registered_agent_of(pl.col("address"))).to_series().to_list()
    assert dict(zip(CASES, got)) == CASES


def test_every_entry_names_a_source_and_a_note():
    assert REGISTERED_AGENTS
    for agent in REGISTERED_AGENTS:
        assert agent.source.startswith("https://"), agent
        assert agent.note and len(agent.country) == 2


@pytest.mark.parametrize(
    "row, message",
    [
        ("X,KY,ugland,,note", "needs a source URL"),
        ("X,KY,,https://example.org,note", "all_of is empty"),
        ("X,KY,(unclosed,https://example.org,note", "registered_agents.csv:2"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(row, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        load_agents("agent,country,all_of,source,note\n" + row + "\n")
