"""botocore's endpoints.json, read for the services a client uses and no others.

botocore reads its whole endpoints.json (1.2 MB: every partition's ~300 services) into
OrderedDicts for each client's legacy endpoint resolver: ~7 MiB held for as long as the
client lives, and one C call of ~15 ms that holds the GIL (a UI's event loop waits on
it even when the client is made in a worker thread). A client uses its own service's
entry and the partitions' own keys. `EndpointsFileLoader` reads the partitions and,
of their services, only those named (each other one is stepped over, one at a time);
a service asked for later (an STS or SSO client made for credentials on the same
session) is read then, from the same file. Everything else is read as botocore reads
it, and another endpoints.json (AWS_DATA_PATH, ~/.aws/models) is read whole.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from botocore.loaders import JSONFileLoader

_DECODER = json.JSONDecoder(object_pairs_hook=OrderedDict)  # as botocore reads them
_SPACE = " \t\n\r"


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def _members(text: str, at: int,
             value: Callable[[str, int], tuple[Any, int]]) -> tuple[OrderedDict[str, Any], int]:
    """The JSON object at `text[at]` ("{"), each member's value read by `value(key, at)`
    (which returns it and where it ends; a value of ... is left out)."""
    if text[at] != "{":
        raise ValueError("not an object")
    out: OrderedDict[str, Any] = OrderedDict()
    at = _skip_space(text, at + 1)
    if text[at] == "}":
        return out, at + 1
    while True:
        key, at = _DECODER.raw_decode(text, at)
        if not isinstance(key, str):
            raise ValueError("not a key")
        at = _skip_space(text, at)
        if text[at] != ":":
            raise ValueError("no colon")
        found, at = value(key, _skip_space(text, at + 1))
        if found is not ...:
            out[key] = found
        at = _skip_space(text, at)
        if text[at] == "}":
            return out, at + 1
        if text[at] != ",":
            raise ValueError("no comma")
        at = _skip_space(text, at + 1)


def _decode(text: str, at: int) -> tuple[Any, int]:
    found, end = _DECODER.raw_decode(text, at)
    return found, end


class OnDemandServices(OrderedDict[str, Any]):
    """A partition's services: those read so far; another is read from the file when
    asked for (`in`, `[]`, `get`: what botocore's EndpointResolver does with them)."""

    def __init__(self, items: Iterable[tuple[str, Any]], more: Callable[[str], Any]) -> None:
        super().__init__(items)
        self._more = more
        self._absent: set[str] = set()

    def _fetch(self, name: object) -> bool:
        if not isinstance(name, str) or name in self._absent:
            return False
        found = self._more(name)
        if found is ...:
            self._absent.add(name)
            return False
        super().__setitem__(name, found)
        return True

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or self._fetch(name)

    def __missing__(self, name: str) -> Any:
        if self._fetch(name):
            return super().__getitem__(name)
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def copy(self) -> OnDemandServices:
        return OnDemandServices(self.items(), self._more)

    def __reduce__(self) -> Any:  # pickled or deep-copied: the services read so far
        return (OrderedDict, (list(self.items()),))


def read_endpoints(text: str, services: set[str]) -> OrderedDict[str, Any]:
    """endpoints.json (its text) with only `services` of each partition read now."""

    def partition_member(key: str, at: int) -> tuple[Any, int]:
        if key != "services":
            return _decode(text, at)
        start = at
        kept, end = _members(text, at, lambda name, at: _decode(text, at) if name in services
                             else (..., _DECODER.raw_decode(text, at)[1]))

        def more(name: str) -> Any:
            found, _ = _members(text, start, lambda key, at: _decode(text, at) if key == name
                                else (..., _DECODER.raw_decode(text, at)[1]))
            return found.get(name, ...)

        return OnDemandServices(kept.items(), more), end

    def top_member(key: str, at: int) -> tuple[Any, int]:
        if key != "partitions":
            return _decode(text, at)
        if text[at] != "[":
            raise ValueError("partitions is not a list")
        partitions: list[Any] = []
        at = _skip_space(text, at + 1)
        while text[at] != "]":
            partition, at = _members(text, at, partition_member)
            partitions.append(partition)
            at = _skip_space(text, at)
            if text[at] == ",":
                at = _skip_space(text, at + 1)
        return partitions, at + 1

    data, _ = _members(text, _skip_space(text, 0), top_member)
    return data


class EndpointsFileLoader(JSONFileLoader):  # type: ignore[misc]  # botocore: untyped
    """botocore's JSON file loader, but botocore's own endpoints.json is read for
    `services` only (the others when asked for). Any failure: read whole, as botocore
    does."""

    def __init__(self, builtin_endpoints: str, services: set[str]) -> None:
        self.builtin_endpoints = builtin_endpoints  # its path, without .json
        self.services = services

    def load_file(self, file_path: str) -> Any:
        if file_path == self.builtin_endpoints:
            for ext, opener in ((".json", open), (".json.gz", gzip.open)):
                if os.path.isfile(file_path + ext):
                    try:
                        with opener(file_path + ext, "rb") as fp:
                            text = fp.read().decode("utf-8")
                        return read_endpoints(text, self.services)
                    except (OSError, ValueError, IndexError):
                        break  # whatever it is, botocore reads it as it always has
        return super().load_file(file_path)
