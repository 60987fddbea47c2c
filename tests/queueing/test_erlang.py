"""Erlang C / Erlang A against the reference values of issue 3, and the gamma quantile."""

from __future__ import annotations

import math

import pytest

from agentdesk.queueing.erlang import (
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
    erlang_c_wait_quantile,
    gamma_cdf,
    gamma_ppf,
)

PER_H = 1 / 3600.0
MU = 1 / 180.0  # AHT 180 s


def test_erlang_c_100_calls_7_agents():
    lam = 100 * PER_H
    assert erlang_c(lam, MU, 7) == pytest.approx(0.3241, abs=5e-5)
    assert erlang_c_asa(lam, MU, 7) == pytest.approx(29.2, abs=0.05)
    assert erlang_c_service_level(lam, MU, 7, 20) == pytest.approx(0.740, abs=5e-4)


def test_erlang_c_200_calls_14_agents():
    lam = 200 * PER_H
    assert erlang_c(lam, MU, 14) == pytest.approx(0.1741, abs=5e-5)
    assert erlang_c_service_level(lam, MU, 14, 20) == pytest.approx(0.888, abs=5e-4)


def test_erlang_a_100_calls_7_agents_patience_300():
    r = erlang_a(100 * PER_H, MU, 1 / 300.0, 7)
    assert r.p_wait == pytest.approx(0.257, abs=5e-4)
    assert r.mean_wait_s == pytest.approx(12.0, abs=0.05)
    assert r.p_abandon == pytest.approx(0.040, abs=5e-4)
    # Little's law ties the mean queue to the mean wait
    assert r.mean_queue == pytest.approx(100 * PER_H * r.mean_wait_s)


def test_erlang_a_without_abandonment_is_erlang_c():
    lam = 100 * PER_H
    r = erlang_a(lam, MU, 0.0, 7)
    assert r.p_wait == pytest.approx(erlang_c(lam, MU, 7))
    assert r.mean_wait_s == pytest.approx(erlang_c_asa(lam, MU, 7))
    assert r.p_abandon == 0.0


def test_erlang_a_is_stable_above_capacity_and_large_systems():
    over = erlang_a(400 * PER_H, MU, 1 / 120.0, 10)  # 20 erlangs offered to 10 agents
    assert 0.95 < over.p_wait <= 1.0
    assert 0.3 < over.p_abandon < 0.6
    big = erlang_a(20000 * PER_H, MU, 1 / 300.0, 1010)  # no overflow at 1,000 agents
    assert 0.0 <= big.p_wait <= 1.0 and math.isfinite(big.mean_wait_s)


def test_erlang_c_unstable_and_edge_cases():
    assert erlang_c(10 * PER_H, MU, 0) == 1.0
    assert erlang_c(0.0, MU, 3) == 0.0
    assert erlang_c_asa(400 * PER_H, MU, 10) == math.inf
    assert erlang_c_service_level(400 * PER_H, MU, 10, 20) == 0.0
    with pytest.raises(ValueError):
        erlang_c(1.0, 0.0, 3)
    with pytest.raises(ValueError):
        erlang_a(1.0, MU, -1.0, 3)


def test_erlang_b_known_value():
    # 5 erlangs on 7 lines: B = 0.1205 (standard tables)
    assert erlang_b(5.0, 7) == pytest.approx(0.1205, abs=5e-5)


def test_wait_quantile_inverts_service_level():
    lam = 100 * PER_H
    t = erlang_c_wait_quantile(lam, MU, 7, 0.9)
    assert erlang_c_service_level(lam, MU, 7, t) == pytest.approx(0.9)
    assert erlang_c_wait_quantile(lam, MU, 7, 0.5) == 0.0  # most callers do not wait


def test_agents_for_service_level():
    s = agents_for_service_level(100 * PER_H, MU, 20, 0.8)
    assert erlang_c_service_level(100 * PER_H, MU, s, 20) >= 0.8
    assert erlang_c_service_level(100 * PER_H, MU, s - 1, 20) < 0.8
    assert s == 8


def test_gamma_quantiles():
    assert gamma_ppf(0.9, 1.0, 1.0) == pytest.approx(-math.log(0.1), rel=1e-5)  # exponential
    assert gamma_ppf(0.95, 4.0, 1.0) == pytest.approx(7.7537, abs=1e-3)  # Erlang-4 table value
    assert gamma_ppf(0.5, 2.0, 10.0) == pytest.approx(16.7835, abs=1e-3)
    for a, x in ((0.5, 0.2), (3.0, 2.5), (30.0, 40.0)):
        assert gamma_cdf(a, gamma_ppf(gamma_cdf(a, x), a, 1.0)) == pytest.approx(gamma_cdf(a, x), abs=1e-6)
