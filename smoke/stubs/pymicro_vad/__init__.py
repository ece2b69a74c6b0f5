"""Import-only stand-in for ``pymicro-vad``, which has no Python 3.14 wheel.

Home Assistant's ``assist_pipeline`` imports it at load time; the smoke test
never runs a voice pipeline, so using it is an error.
"""


class MicroVad:
    """Voice activity detector (not available here)."""

    def __init__(self) -> None:
        """Refuse to work: the real package is not installed."""
        raise RuntimeError("pymicro-vad is a stand-in in the smoke test")
