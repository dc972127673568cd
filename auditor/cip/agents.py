"""Registered-agent and mass-registration addresses: a small list, every entry with its source.

A company whose only address is its registered agent's (Ugland House, 1209 Orange Street)
has given the provider no operating address: a CIP gap. The list is in
`data/registered_agents.csv`; each row's `all_of` holds `;`-separated regular expressions
that must all match the address after normalisation (lower case, punctuation as spaces).
Entries come only from the public sources named in the row; nothing is made up.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources

import polars as pl


@dataclass(frozen=True)
class RegisteredAgent:
    agent: str
    country: str
    all_of: tuple[str, ...]  # regular expressions over the normalised address
    source: str
    note: str


def load_agents(text: str, origin: str = "registered_agents.csv") -> tuple[RegisteredAgent, ...]:
    """Parse the list; a row without a source or with a bad pattern raises with its line."""
    agents = []
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            patterns = tuple(p for p in row["all_of"].split(";") if p.strip())
            if not patterns:
                raise ValueError("all_of is empty")
            for pattern in patterns:
                re.compile(pattern)
            if not row["source"].strip().startswith("http"):
                raise ValueError("every entry needs a source URL")
            agents.append(
                RegisteredAgent(
                    row["agent"].strip(),
                    row["country"].strip(),
                    patterns,
                    row["source"],
                    row["note"],
                )
            )
        except (KeyError, ValueError, re.error) as exc:
            raise ValueError(f"{origin}:{line_no}: {exc}") from exc
    return tuple(agents)


REGISTERED_AGENTS: tuple[RegisteredAgent, ...] = load_agents(
    resources.files("auditor.cip").joinpath("data/registered_agents.csv").read_text("utf-8")
)


def normalised_address(address: pl.Expr) -> pl.Expr:
    """Lower case, every run of punctuation or space as one space."""
    return address.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()


def registered_agent_of(
    address: pl.Expr, agents: tuple[RegisteredAgent, ...] = REGISTERED_AGENTS
) -> pl.Expr:
    """The agent whose address this is, or null (also null for a null address)."""
    text = normalised_address(address)
    expr = pl.lit(None, dtype=pl.String)
    for agent in reversed(agents):
        matched = pl.all_horizontal([text.str.contains(p) for p in agent.all_of])
        expr = pl.when(matched).then(pl.lit(agent.agent)).otherwise(expr)
    return expr
