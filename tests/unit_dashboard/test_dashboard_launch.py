"""``dashboard.launch``: Streamlit's command line with the first page prepared in the background."""

from __future__ import annotations

import importlib

import pytest

from dashboard import launch


def test_every_preloaded_module_exists() -> None:
    # warm_up swallows errors (the page repeats the work): a misspelt name would go unnoticed
    for name in launch.PRELOAD:
        assert importlib.import_module(name) is not None


def test_the_component_scan_it_skips_exists_in_this_streamlit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.components.v2 import manifest_scanner

    monkeypatch.setattr(
        manifest_scanner, "scan_component_manifests", manifest_scanner.scan_component_manifests
    )  # restored after the test
    assert launch.skip_component_scan()  # False would mean Streamlit renamed what is patched
    assert manifest_scanner.scan_component_manifests() == []


def test_warm_up_without_a_running_server_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launch, "RUNTIME_WAIT_SECONDS", 0.2)
    launch.warm_up()  # no runtime: imports only, caches left alone
