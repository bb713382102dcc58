"""The one NextToken walk (`aws.factory.Paging`) the clients and the commands share."""

from __future__ import annotations

import pytest

from chime_tui.aws.errors import BadResponse
from chime_tui.aws.factory import Paging
from chime_tui.aws.settings import AwsSettings

PAGES = {None: {"Items": [1, 2, 3], "NextToken": "a"},
         "a": {"Items": [4, 5, 6], "NextToken": "b"},
         "b": {"Items": [7]}}


def walk(paging: Paging, pages: dict[str | None, dict[str, object]] = PAGES) -> list[object]:
    items: list[object] = []
    while not paging.done:
        items.extend(paging.take(pages[paging.request().get("NextToken")]))
    return items


def test_every_page_in_order():
    paging = Paging(AwsSettings(), "Items", {"MaxResults": 3})
    assert walk(paging) == [1, 2, 3, 4, 5, 6, 7]
    assert (paging.pages, paging.total, paging.resume) == (3, 7, None)


def test_max_items_cuts_within_a_page_and_resumes_there():
    paging = Paging(AwsSettings(), "Items", {}, max_items=4)
    assert walk(paging) == [1, 2, 3, 4]
    assert paging.resume == ("a", 1)
    rest = Paging(AwsSettings(), "Items", {}, token="a", skip=1)
    assert walk(rest) == [5, 6, 7]


def test_max_items_on_a_page_boundary_resumes_at_the_next_page():
    paging = Paging(AwsSettings(), "Items", {}, max_items=3)
    assert walk(paging) == [1, 2, 3]
    assert paging.resume == ("a", 0)


def test_a_repeated_token_is_an_error():
    loop = {None: {"Items": [1], "NextToken": "a"}, "a": {"Items": [2], "NextToken": "a"}}
    with pytest.raises(BadResponse) as caught:
        walk(Paging(AwsSettings(), "Items", {}), loop)
    assert caught.value.code == "RepeatedNextToken"
