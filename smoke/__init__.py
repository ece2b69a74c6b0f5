"""Smoke test: this integration in a real Home Assistant process.

``python -m smoke`` starts the newest Home Assistant release (``hass``) and
simulated printers on loopback, then drives Home Assistant over its REST and
WebSocket APIs the way the frontend does: onboarding, adding printers, checking
entity values against the simulator's captured data, a paper jam, options,
reconfigure, diagnostics, printing, scanning (the action and walk-up), a jam
pushed by the event channel, alert events, maintenance, trays and firmware,
and removal. Any traceback in Home
Assistant's log, and any warning or deprecation report naming ``hp_ews``, fails
the run.

Only the standard library and aiohttp (part of Home Assistant) are used, so it
runs in a plain Home Assistant installation (see ``scripts/test``).
"""
