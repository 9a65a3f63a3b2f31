"""ui.compute.ResultCache: long work computed once however many viewers ask for it at the same time."""

from __future__ import annotations

import threading

import pytest

from ui.compute import ResultCache


def _ask_together(cache, key, compute, n, progress=lambda f, t: None):
    start, results, errors = threading.Barrier(n), [None] * n, []

    def viewer(i):
        start.wait(10)
        try:
            results[i] = cache.get(key, compute, progress)
        except Exception as exc:
            errors.append(exc)

    workers = [threading.Thread(target=viewer, args=(i,)) for i in range(n)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(30)
    assert not any(t.is_alive() for t in workers), "a viewer never got its result"
    return results, errors


def test_viewers_asking_for_the_same_result_share_one_computation():
    cache, calls, release = ResultCache(2**30, 4), [], threading.Event()
    heard = []

    def compute(report):
        calls.append(1)
        report(0.5, "half way")
        release.wait(0.5)  # long enough that every viewer arrives while it runs
        return object()

    results, errors = _ask_together(cache, "k", compute, 8, lambda f, t: heard.append((f, t)))
    assert not errors and len(calls) == 1
    assert all(r is results[0] for r in results)
    assert (0.5, "half way") in heard  # waiters follow the computing viewer's progress
    assert cache.get("k", compute, lambda f, t: None) is results[0] and len(calls) == 1


def test_a_stopped_computation_is_taken_over_by_a_waiter():
    cache, calls = ResultCache(2**30, 4), []
    first_running = threading.Event()

    class Stopped(Exception):
        pass

    def compute(report):
        calls.append(1)
        if len(calls) == 1:
            first_running.set()
            threading.Event().wait(0.3)
            raise Stopped  # the first viewer moved on: Streamlit stopped its run
        return 42

    out = {}

    def first():
        with pytest.raises(Stopped):
            cache.get("k", compute, lambda f, t: None)

    t = threading.Thread(target=first)
    t.start()
    first_running.wait(5)
    out["second"] = cache.get("k", compute, lambda f, t: None)
    t.join(5)
    assert out["second"] == 42 and len(calls) == 2


def test_errors_reach_every_viewer_and_are_not_cached():
    cache = ResultCache(2**30, 4)

    def compute(report):
        raise ValueError("bad settings")

    _, errors = _ask_together(cache, "k", compute, 4)
    assert len(errors) == 4 and all(isinstance(e, ValueError) for e in errors)


def test_the_cache_is_bounded_by_entries():
    cache, calls = ResultCache(2**30, 2), []

    def compute_for(v):
        def compute(report):
            calls.append(v)
            return v
        return compute

    for v in (1, 2, 3):
        assert cache.get(v, compute_for(v), lambda f, t: None) == v
    assert cache.get(3, compute_for(3), lambda f, t: None) == 3 and calls == [1, 2, 3]
    assert cache.get(1, compute_for(1), lambda f, t: None) == 1 and calls == [1, 2, 3, 1]  # 1 was evicted


def test_the_cache_is_bounded_by_bytes_and_keeps_no_giant():
    import numpy as np

    cache = ResultCache(max_bytes=10_000_000, max_entries=100)
    for i in range(8):  # 2 MB each: four fit
        cache.get(i, lambda report: np.zeros(250_000), None)
    assert 4 * 2_000_000 <= cache.bytes <= 10_000_000
    calls = []
    cache.get("giant", lambda report: calls.append(1) or np.zeros(1_000_000), None)  # 8 MB > a quarter
    cache.get("giant", lambda report: calls.append(1) or np.zeros(1_000_000), None)
    assert calls == [1, 1] and cache.bytes <= 10_000_000


def test_shared_results_are_read_only():
    from dataclasses import dataclass

    import numpy as np

    @dataclass(frozen=True)
    class Result:
        values: np.ndarray
        parts: tuple

    cache = ResultCache(2**30, 4)
    out = cache.get("k", lambda report: Result(np.arange(3.0), (np.ones(2), "x")), None)
    with pytest.raises(ValueError):
        out.values[0] = 5  # another viewer's picture is safe
    with pytest.raises(ValueError):
        out.parts[0][0] = 5


def test_fingerprints_tell_arrays_apart_by_content_shape_and_type():
    import numpy as np
    import pandas as pd

    from ui.compute import fingerprint

    a = np.arange(6.0)
    assert fingerprint((a, 3)) == fingerprint((a.copy(), 3))
    assert fingerprint(a) != fingerprint(a.reshape(2, 3))
    assert fingerprint(a) != fingerprint(a.astype(np.float32))
    b = a.copy()
    b[5] = 1e-300
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(a[::2]) == fingerprint(np.array([0.0, 2.0, 4.0]))  # a strided view: its values count
    df = pd.DataFrame({"x": [1.0, 2.0]})
    assert fingerprint(df) == fingerprint(df.copy()) != fingerprint(df.rename(columns={"x": "y"}))
    assert fingerprint({"k": 1, "j": (2, "s")}) == fingerprint({"j": (2, "s"), "k": 1})
    with pytest.raises(TypeError):
        fingerprint(object.__new__(type("Unhashable", (), {"__hash__": None})))


def test_a_cached_result_passed_on_is_thawed_for_the_next_computation():
    from dataclasses import dataclass

    import numpy as np

    from ui.compute import freeze, thawed

    @dataclass(frozen=True)
    class Graph:
        edges: np.ndarray
        name: str

    g = Graph(np.arange(4).reshape(2, 2), "g")
    freeze(g)
    out = thawed((g, 3))
    assert out[0].edges.flags.writeable and out[0].name == "g" and out[1] == 3
    assert not g.edges.flags.writeable and np.array_equal(out[0].edges, g.edges)
    plain = (np.ones(2), "x")
    assert thawed(plain)[0] is plain[0]  # nothing read-only: nothing copied


def test_long_work_gets_writable_copies_of_cached_results_too():
    import numpy as np

    from ui.compute import _compute_with_progress, freeze

    frozen = np.arange(3.0)
    freeze(frozen)
    (seen, _), _ = _compute_with_progress("tests.unit.test_result_cache", "_writable", "cpu", "check", (frozen,),
                                          (("other", frozen),), lambda *_: None)
    assert seen == (True, True) and not frozen.flags.writeable


def _writable(a, other, device=None, progress=None):
    return (a.flags.writeable, other.flags.writeable), None
