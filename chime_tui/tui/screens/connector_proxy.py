"""What a connector's session list adds after each complete listing: the counts go to
the app's FleetWatch, the connector's proxy settings are read again (one request), a
change of their state raises an alert, and the header above the table redraws."""

from __future__ import annotations

from collections.abc import Sequence

from chime_tui.aws.errors import ChimeError
from chime_tui.models import ProxySession
from chime_tui.sources import HELPER_LIST_HANDOFF
from chime_tui.tui.screens.base import PollingScreen
from chime_tui.tui.widgets.connector_header import ConnectorHeader


def after_listing(screen: PollingScreen, vc: str, sessions: Sequence[ProxySession]) -> None:
    app = screen.app
    app.fleet.observe_listing(vc, sessions, app.clock())
    redraw_header(screen, vc)
    screen.run_worker(read_proxy(screen, vc), group="connector-proxy", exclusive=True,
                      exit_on_error=False)


async def read_proxy(screen: PollingScreen, vc: str) -> None:
    app = screen.app
    if not app.service.is_open:
        # The start-up helper gave the listing: our client opens a little later
        # (`open_client_later`), not at once, while the rows are sorted and drawn (its
        # import, in a thread, would slow every frame of that).
        await app.sleep(HELPER_LIST_HANDOFF)
    try:
        proxy = await app.service.get_voice_connector_proxy(vc)
    except ChimeError as exc:
        app.fleet.proxy_failed(vc, exc.kind)
    else:
        app.raise_alerts(app.fleet.observe_proxy(vc, proxy, app.clock()))
    redraw_header(screen, vc)


def redraw_header(screen: PollingScreen, vc: str) -> None:
    app = screen.app
    for header in screen.query(ConnectorHeader):
        header.show(app.fleet.connectors.get(vc), app.clock(), bool(app.redact))
