"""Shared pytest setup for every suite."""

import logging


class _NoBareModeNoise(logging.Filter):
    """AppTest runs page scripts outside a server; Streamlit then logs a harmless "missing
    ScriptRunContext" warning per cached call, which buries the useful part of a failure report."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing ScriptRunContext" not in record.getMessage()


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoBareModeNoise())
