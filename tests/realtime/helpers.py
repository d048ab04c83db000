"""Helpers for socket-level tests: answers read from the content, test clients, event lists."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from flask import Flask
from flask_socketio import SocketIOTestClient

from tempo.extensions import socketio
from tempo.scenarios import Content, load_content
from tests.conftest import CONTENT_DIR

NS = "/play"
_ids = itertools.count(1)


@cache
def content() -> Content:
    """The real content (Tempo 2050)."""
    result = load_content(CONTENT_DIR)
    assert result.content is not None
    return result.content


def mission(mission_id: str) -> Any:
    """A mission of Tempo 2050 by id."""
    for _day, m in content().scenarios["tempo-2050"].missions():
        if m.id == mission_id:
            return m
    raise KeyError(mission_id)


def first_of_type(kind: str, day: int = 1) -> Any:
    """The first mission of a type on a day."""
    scenario = content().scenarios["tempo-2050"]
    return next(m for d, m in scenario.missions() if d.day == day and m.type == kind)


def start_shards() -> int:
    """The éclats each Tempo 2050 team starts with."""
    return content().scenarios["tempo-2050"].meta.starting_shards


def connect(app: Flask, rejoin_code: str) -> SocketIOTestClient:
    """A phone connected to /play with its personal code."""
    client = socketio.test_client(app, namespace=NS, auth={"rejoin": rejoin_code})
    assert client.is_connected(NS)
    return client


def call(client: SocketIOTestClient, event: str, payload: dict[str, Any]) -> Any:
    """Emit and return the acknowledgement."""
    return client.emit(event, payload, namespace=NS, callback=True)


def act(
    client: SocketIOTestClient,
    mission_id: str,
    kind: str,
    action_id: str | None = None,
    **data: Any,
) -> Any:
    """Send a mission action (a fresh client id unless given)."""
    payload = {
        "id": action_id or f"a-{next(_ids)}",
        "mission": mission_id,
        "kind": kind,
        "data": data,
    }
    return call(client, "action", payload)


def team_events(client: SocketIOTestClient) -> list[dict[str, Any]]:
    """The versioned events this client received since last asked."""
    return [e["args"][0] for e in client.get_received(NS) if e["name"] == "team.event"]


def views_in(got: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mission views in received frames, in order: `mission.view` pushes and the `views`
    that ride on a `team.event` (docs/protocol.md)."""
    views: list[dict[str, Any]] = []
    for frame in got:
        if frame["name"] == "mission.view":
            views.append(frame["args"][0])
        elif frame["name"] == "team.event":
            views.extend(frame["args"][0].get("views", []))
    return views


def solve_badge(client: SocketIOTestClient) -> Any:
    """Complete day 1's first mission (an enigma available at once)."""
    m = first_of_type("enigma")
    return act(client, m.id, "answer", answer=m.params["answers"][0])
