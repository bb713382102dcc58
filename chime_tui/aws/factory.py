"""What the async (aiobotocore) and the sync (botocore) clients share: how a client is
made from AwsSettings, and how a listing is bounded. No asyncio, no aiohttp here: the
one-shot commands import this and botocore only.
"""

from __future__ import annotations

from typing import Any

from chime_tui.aws.errors import BadResponse
from chime_tui.aws.settings import AwsSettings

SERVICE = "chime-sdk-voice"
DEFAULT_REGION = "us-east-1"
PAGE_SIZE = 100
MAX_PAGES = 1000  # pages of one listing before it is taken as endless (100,000 sessions)
MAX_ITEMS = 100_000  # items of one listing, whatever the page size the service chose


def keep_as_sent(value: Any) -> Any:
    """The parsers' timestamp parser: a timestamp stays the string the service sent."""
    return value



def prepare_session(session: Any) -> None:
    """Timestamps stay the strings the service sent (as the AWS CLI prints them; the
    models parse them with fromisoformat): no dateutil on the hot path. botocore's data
    files are read through `chime_tui.aws.loader` (cached, and no listing of every
    service)."""
    from chime_tui.aws.loader import install

    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=keep_as_sent)
    install(session)


ENDPOINT_PREFIX = "voice-chime"  # the service's entry in botocore's endpoints.json


def read_endpoints_lazily(session: Any) -> None:
    """The session's data loader reads botocore's endpoints.json for this service only
    (other services when a client for one is made: see chime_tui.aws.endpoints). For a
    client that lives as long as the app: ~7 MiB less, and no 15 ms GIL hold."""
    import os

    from botocore.loaders import create_loader

    from chime_tui.aws.endpoints import EndpointsFileLoader

    loader = create_loader(session.get_config_variable("data_path"))  # as botocore's
    loader.file_loader = EndpointsFileLoader(
        os.path.join(loader.BUILTIN_DATA_PATH, "endpoints"), {ENDPOINT_PREFIX})
    session.register_component("data_loader", loader)


def client_args(s: AwsSettings, session: Any, config_class: Any, **config: Any
                ) -> tuple[dict[str, Any], str]:
    """create_client's keyword arguments for these settings, and the region in use."""
    region = s.region or session.get_config_variable("region") or DEFAULT_REGION
    if not s.sign_requests:  # --no-sign-request, as the AWS CLI: no credentials are sent
        from botocore import UNSIGNED

        config["signature_version"] = UNSIGNED
    cfg = config_class(
        connect_timeout=s.connect_timeout,
        read_timeout=s.read_timeout,
        retries={"mode": "standard", "total_max_attempts": max(1, s.max_attempts)},
        max_pool_connections=s.max_pool_connections,
        user_agent_extra="chime-tui",
        **config,
    )
    # verify=None: botocore's own choice, AWS_CA_BUNDLE or the profile's ca_bundle
    # (True would override both with botocore's bundled certificates).
    kwargs: dict[str, Any] = {"region_name": region, "config": cfg,
                              "verify": (s.ca_bundle or None) if s.verify_ssl else False}
    if s.endpoint_url:
        kwargs["endpoint_url"] = s.endpoint_url
    if s.static_credentials:
        kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = s.static_credentials
    return kwargs, region


def max_pages(settings: AwsSettings) -> int:
    return settings.max_pages or MAX_PAGES


def check_items(total: int) -> None:
    """Raise BadResponse once a listing has brought more than MAX_ITEMS items (a service
    that answers pages far bigger than asked for would reach any memory before the page
    bound)."""
    if total > MAX_ITEMS:
        raise BadResponse(f"the service kept returning items: stopped after {total:,}",
                          code="TooManyPages")


def check_next_token(token: str, seen: set[str], pages: int, limit: int) -> None:
    """Raise BadResponse if a listing loops (a token seen before) or has gone on for
    `limit` pages; else remember the token."""
    if token in seen:
        raise BadResponse(f"the service repeated a NextToken after {pages:,} pages: "
                          "stopped paging", code="RepeatedNextToken", detail=token)
    if pages >= limit:
        raise BadResponse(f"the service kept returning pages: stopped after {pages:,}",
                          code="TooManyPages")
    seen.add(token)


class Paging:
    """One listing's NextToken walk, for the async and the sync client and the commands
    alike: `request()` gives the next call's parameters, `take(page)` its items (and
    raises BadResponse for a listing that loops, never ends or is not a list).

    The commands' --starting-token and --max-items, as the AWS CLI's paginators: `token`
    and `skip` resume a listing (the first page's first `skip` items were printed
    already); `max_items` stops it there, with `resume` the (token, skip) to go on from."""

    def __init__(self, settings: AwsSettings, key: str, params: dict[str, Any], *,
                 token: str | None = None, skip: int = 0, max_items: int | None = None
                 ) -> None:
        self.key = key
        self.params = params
        self.limit = max_pages(settings)
        self.token = token
        self.skip = skip
        self.max_items = max_items
        self.resume: tuple[str | None, int] | None = None  # where a cut-short listing goes on
        self.seen: set[str] = set()
        self.pages = 0
        self.total = 0
        self.done = False

    def request(self) -> dict[str, Any]:
        args = dict(self.params)
        if self.token:
            args["NextToken"] = self.token
        return args

    def take(self, page: dict[str, Any]) -> list[Any]:
        items = page.get(self.key)
        if not isinstance(items, list):
            if items is not None:
                raise BadResponse(f"{self.key} is not a list", code="BadShape")
            items = []
        if self.skip:
            items = items[self.skip:]
        self.pages += 1
        check_items(self.total + len(items))
        limit = self.max_items
        if limit is not None and self.total + len(items) > limit:
            # Cut within this page: the next run asks for it again, skipping what was taken.
            take = limit - self.total
            self.resume = (self.token, self.skip + take)
            self.total = limit
            self.done = True
            return items[:take]
        self.total += len(items)
        token = page.get("NextToken")
        if not token:
            self.done = True
        elif limit is not None and self.total == limit:
            self.resume = (token, 0)  # on a page boundary: the next page is the rest
            self.done = True
        else:
            check_next_token(token, self.seen, self.pages, self.limit)
            self.token, self.skip = token, 0
        return items
