"""Import-only stand-in for ``pyspeex-noise``, which has no Python 3.14 wheel.

Home Assistant's ``assist_pipeline`` imports it at load time; the smoke test
never runs a voice pipeline, so using it is an error.
"""


class AudioProcessor:
    """Noise suppression and gain control (not available here)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Refuse to work: the real package is not installed."""
        raise RuntimeError("pyspeex-noise is a stand-in in the smoke test")
