"""core.device: the choice of device, its overrides, and the compute line."""

import pytest
import torch

from core import device as dev


def test_force_cpu_wins():
    assert dev.pick_device(force_cpu=True, env="cuda").type == "cpu"


def test_env_override_and_fallback():
    assert dev.pick_device(env="cpu") == torch.device("cpu")
    assert dev.pick_device(env="auto") == dev.auto_device()
    assert dev.pick_device(env="") == dev.auto_device()
    assert dev.pick_device(env="nonsense-device") == dev.auto_device()
    if not torch.cuda.is_available():
        assert dev.pick_device(env="cuda:3") == dev.auto_device()  # absent devices fall back, never fail


def test_env_variable_is_read(monkeypatch):
    monkeypatch.setenv(dev.ENV_VAR, "cpu")
    assert dev.pick_device() == torch.device("cpu")


def test_auto_prefers_an_accelerator():
    expected = "cuda" if torch.cuda.is_available() else "mps" if dev._mps_available() else "cpu"
    assert dev.auto_device().type == expected


def test_describe_cpu():
    info = dev.describe(torch.device("cpu"))
    assert info.kind == "cpu" and info.label == "cpu" and "CPU" in info.name


def test_timed_reports_what_where_and_how_long():
    result, t = dev.timed("sum", lambda x, device: torch.tensor(x, device=device).sum().item(), [1, 2, 3],
                          device=torch.device("cpu"))
    assert result == 6 and t.device == "cpu" and t.seconds >= 0 and not t.fell_back
    assert str(t).startswith("sum in ") and str(t).endswith(" on cpu")


def test_timed_falls_back_to_cpu_on_gpu_out_of_memory():
    calls = []

    def fn(device):
        calls.append(device.type)
        if device.type != "cpu":
            raise torch.OutOfMemoryError("simulated")
        return "ok"

    # A fake non-CPU device: synchronize() is a no-op for types other than cuda/mps.
    result, t = dev.timed("big", fn, device=torch.device("meta"))
    assert result == "ok" and t.fell_back and t.device == "cpu" and calls == ["meta", "cpu"]
    assert "fell back to the CPU" in str(t)


def test_timing_formats():
    assert str(dev.Timing("x", "cpu", 0.0031)) == "x in 3.1 ms on cpu"
    assert str(dev.Timing("x", "cuda:0", 0.25)) == "x in 250 ms on cuda:0"
    assert str(dev.Timing("x", "cpu", 12.5)) == "x in 12.5 s on cpu"




def test_single_thread_sets_one_thread_for_its_caller_only_and_restores_it():
    """Streamlit runs each session's script in a thread of its own; the count set there is that thread's
    (OpenMP keeps a copy per thread once a non-initial thread sets it), so other sessions keep theirs."""
    import threading

    from core.device import single_thread

    before = torch.get_num_threads()
    seen, inside, done = {}, threading.Event(), threading.Event()

    def session():
        outer = torch.get_num_threads()
        with single_thread("cpu"):
            seen["inside"] = torch.get_num_threads()
            inside.set()
            done.wait(timeout=30)
        seen["after"], seen["outer"] = torch.get_num_threads(), outer

    t = threading.Thread(target=session)
    t.start()
    assert inside.wait(timeout=30)
    seen["other session"] = torch.get_num_threads()
    done.set()
    t.join(timeout=30)
    assert seen == {"inside": 1, "other session": before, "after": seen["outer"], "outer": seen["outer"]}
    with single_thread("cuda"):  # a GPU run leaves the CPU threads alone (no GPU needed to check)
        assert torch.get_num_threads() == before


def test_a_thread_started_during_single_thread_gets_its_own_count_back():
    """torch.set_num_threads(1) also lowers the count that new threads start with (Streamlit starts one per
    run); own_threads() gives such a thread the process's default again."""
    import threading

    import torch

    from core.device import DEFAULT_THREADS, own_threads, single_thread

    if DEFAULT_THREADS < 2:
        pytest.skip("one CPU thread: nothing to lower")
    inside, leave = threading.Event(), threading.Event()

    def training():
        with single_thread("cpu"):
            inside.set()
            leave.wait(10)

    seen = {}

    def new_run():
        seen["start"] = torch.get_num_threads()
        own_threads()
        seen["own"] = torch.get_num_threads()

    t = threading.Thread(target=training)
    t.start()
    inside.wait(10)
    run = threading.Thread(target=new_run)
    run.start()
    run.join(10)
    leave.set()
    t.join(10)
    assert seen["start"] == 1, "torch no longer leaks the count to new threads: own_threads may be unneeded"
    assert seen["own"] == DEFAULT_THREADS
