"""The top of a connector's session list: its proxy settings (Disabled shown as a
warning) and sparklines of its open and in-progress counts and of the sessions created
per minute, over the time the app has watched it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline

from chime_tui.fleet import ConnectorWatch, proxy_summary
from chime_tui.humanfmt import ago, phone
from chime_tui.textsafe import visible
from chime_tui.tui.widgets.fetch_status import Line
from chime_tui.tui.widgets.kept import Kept

SERIES = (("open", "Open"), ("inprogress", "InProgress"), ("created", "created/min"))


class SparkLabel(Line):
    """A label beside a sparkline. Its counts change with every listing: it is laid
    out again only when its width changes (a Label's update lays out the whole screen
    and repaints the sparklines, which was most of an idle session list's cost)."""

    DEFAULT_CSS = "SparkLabel { width: auto; }"
    sizes_to_text = True


class ConnectorHeader(Vertical, Kept):
    DEFAULT_CSS = """
    ConnectorHeader { height: auto; }
    ConnectorHeader #proxy-line { padding: 0 1; }
    ConnectorHeader.-disabled #proxy-line { background: $warning 35%; text-style: bold; }
    ConnectorHeader #sparks { height: 1; padding: 0 1; }
    ConnectorHeader #sparks SparkLabel { padding: 0 1 0 0; }
    ConnectorHeader #sparks Sparkline { width: 1fr; margin: 0 2 0 0; min-width: 4; }
    ConnectorHeader #spark-since { color: $text-muted; }
    """

    def __init__(self, voice_connector_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.voice_connector_id = voice_connector_id

    def compose(self) -> ComposeResult:
        yield Line(id="proxy-line")
        with Horizontal(id="sparks"):
            for name, title in SERIES:
                label = SparkLabel(id=f"label-{name}")
                label.shown = Text(f"{title} —")  # no count yet
                yield label
                yield Sparkline([], id=f"spark-{name}", summary_function=latest)
            yield SparkLabel(id="spark-since")

    def on_mount(self) -> None:
        self.query_one("#proxy-line", Line).show_text(
            Text("proxy settings: reading…", style="dim"))

    def show(self, watch: ConnectorWatch | None, now: datetime, redact: bool) -> None:
        """Draw what the app knows of the connector (a ConnectorWatch, see fleet)."""
        self.set_class(bool(watch and watch.proxy_known and watch.proxy is not None
                            and watch.proxy.disabled), "-disabled")
        self.query_one("#proxy-line", Line).show_text(self.proxy_text(watch, now, redact))
        if watch is None or watch.latest is None:
            return
        latest = watch.latest
        per_minute = [float(n) for n in watch.created_per_minute(now)]
        for name, label, value, series in (
                ("open", "Open", latest.open, watch.series("Open")),
                ("inprogress", "InProgress", latest.in_progress, watch.series("InProgress")),
                ("created", "created/min", int(per_minute[-1]) if per_minute else 0,
                 per_minute)):
            self.set_label(f"#label-{name}", spark_label(label, value, series))
            # A sparkline scales from its lowest to its highest value (the label says
            # which they are); one value alone would draw as a full bar: none then.
            self.query_one(f"#spark-{name}", Sparkline).data = \
                series if len(series) >= 2 else []
        if watch.first_listed is not None:
            self.set_label("#spark-since", Text(
                f"since {watch.first_listed:%H:%M} UTC, {len(watch.samples)} "
                f"listing{'s' if len(watch.samples) != 1 else ''}"))

    def set_label(self, selector: str, text: Text) -> None:
        """The header is redrawn twice a refresh (after the listing, and after the
        proxy settings' read), with the same counts most of the time."""
        self.query_one(selector, SparkLabel).show_text(text)  # redrawn on change only

    @staticmethod
    def proxy_text(watch: ConnectorWatch | None, now: datetime, redact: bool) -> Text:
        if watch is None or not watch.proxy_known:
            if watch is not None and watch.proxy_error:
                return Text(f"proxy settings: could not be read ({watch.proxy_error})",
                            style="yellow")
            return Text("proxy settings: reading…", style="dim")
        proxy = watch.proxy
        fallback = phone(proxy.fall_back_phone_number, redact) if proxy is not None else None
        line = visible(proxy_summary(proxy, fallback))
        text = Text(("⚠ " if proxy is not None and proxy.disabled else "") + line)
        if watch.proxy_error:
            text.append(f" · last read {ago(watch.proxy_at, now)}; now failing "
                        f"({watch.proxy_error})", style="yellow")
        return text


def latest(values: Sequence[float]) -> float:
    """A sparkline bar that stands for several listings shows the latest of them (a
    bar of the highest disagreed with the count beside it when the count fell)."""
    return values[-1]


def spark_label(label: str, value: int, series: list[float]) -> Text:
    """'Open 9 [7–12]': the latest value and the sparkline's range."""
    text = f"{label} {value:,}"
    if len(series) >= 2:
        low, high = int(min(series)), int(max(series))
        text += f" [{low:,}–{high:,}]" if low != high else ""
    return Text(text)
