"""Lockstep groups on a small generated stream: the rings are found, the crowds are not."""

from __future__ import annotations

from liveguard.integrity import brushing, generate, lockstep
from liveguard.integrity.rules import rules
from liveguard.integrity.service import connect, lockstep_params


def test_rings_are_found_and_flash_sale_crowds_are_not(tmp_path):
    scale = generate.Scale(honest_shops=60, brushing_shops=3, rings=3, buyers=3000, days=3)
    csv_path, _, _ = generate.write(7, tmp_path / "orders", scale)
    _, labels = generate.generate(7, scale)
    connection = connect()
    brushing.load_file(connection, str(csv_path))
    groups = lockstep.detect(connection, lockstep_params(rules()))
    members = {m for g in groups for m in g.members}
    ring_members = {m for ring in labels.rings for m in ring}
    assert members <= ring_members
    assert len(members) >= 0.8 * len(ring_members)
    assert all(len(g.shops) >= 3 and g.score > 0 for g in groups)
