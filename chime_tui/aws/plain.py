"""Parsing an answer the response check found plain: botocore's REST-JSON parse of a
body whose keys are all members, in the model's order, none null, every value of its
exact JSON type (`chime_tui.aws.validate`), with timestamps kept as sent, is the body's
JSON itself. The check has read that JSON already: it leaves it on the answer
(`DECODED`), and the parsers here give it as the members, with botocore's own parse of
the answer's metadata, instead of walking the body a second time. Any other answer is
botocore's to parse. No botocore import here.

A page of 100 listed sessions: 1.4 ms for botocore's walk, ~0 here; a 10,000-session
listing has 100 of them, one after the other, between the service's answers.
"""

from __future__ import annotations

from typing import Any, TypeVar

from chime_tui.aws.validate import DECODED, METADATA, body_members_only

__all__ = ["DECODED", "METADATA", "PlainParser", "PlainParserFactory", "body_members_only",
           "install", "install_plain_parsers", "plain_members"]


def plain_members(response: dict[str, Any], shape: Any) -> dict[str, Any] | None:
    """The members of a 2xx answer that the check (`chime_tui.aws.validate`) found plain,
    as botocore's parse would give them (the body's JSON itself, timestamps kept as
    sent); None for any other answer (botocore parses it). Taken from the answer: once."""
    found = response.pop(DECODED, None)
    if found is None or found[0] is not response.get("body") \
            or not 200 <= (response.get("status_code") or 0) < 300 \
            or not body_members_only(shape) or type(found[1]) is not dict:
        return None
    members: dict[str, Any] = found[1]
    return members


class PlainParser:
    """botocore's (synchronous) REST-JSON parser; an answer the check found plain is not
    walked again: its members are its JSON (`plain_members`), its metadata botocore's."""

    def __init__(self, parser: Any, factory: PlainParserFactory) -> None:
        self.parser = parser
        self.factory = factory

    def parse(self, response: dict[str, Any], shape: Any) -> Any:
        members = plain_members(response, shape) if self.factory.timestamps_kept else None
        if members is None:
            response.pop(DECODED, None)
            return self.parser.parse(response, shape)
        parsed = self.parser.parse(response, None)  # the metadata, and the log lines
        parsed.update(members)
        return parsed


class PlainParserFactory:
    """The synchronous session's `response_parser_factory`, with `PlainParser` for
    REST-JSON. `timestamps_kept`: the parsers keep timestamps as sent (as
    `factory.prepare_session` sets them); other defaults, and botocore parses all."""

    def __init__(self, factory: Any, timestamps_kept: bool = False) -> None:
        self.factory = factory
        self.timestamps_kept = timestamps_kept

    def set_parser_defaults(self, **kwargs: Any) -> None:
        self.factory.set_parser_defaults(**kwargs)
        if "timestamp_parser" in kwargs:
            self.timestamps_kept = _keeps_timestamps(kwargs["timestamp_parser"])

    def create_parser(self, protocol_name: str) -> Any:
        parser = self.factory.create_parser(protocol_name)
        return PlainParser(parser, self) if protocol_name == "rest-json" else parser


def _keeps_timestamps(parser: Any) -> bool:
    from chime_tui.aws.factory import keep_as_sent

    return parser is keep_as_sent


F = TypeVar("F", bound="PlainParserFactory")


def install(session: Any, kind: type[F]) -> F:
    """Parse the answers of `session`'s clients through a `kind` of parser factory; the
    session's timestamps are kept as sent (`factory.prepare_session` ran)."""
    factory = kind(session.get_component("response_parser_factory"), timestamps_kept=True)
    session.register_component("response_parser_factory", factory)
    return factory


def install_plain_parsers(session: Any) -> PlainParserFactory:
    """`install` for botocore's (synchronous) clients."""
    return install(session, PlainParserFactory)
