"""A paginator whose count stops at a cap: a search that matches 50,000 customers is not counted to the end.

`CappedPaginator.count` is exact up to `settings.SEARCH_COUNT_CAP` (1,000); past it the count is the cap
and `capped` is true. A capped paginator still pages through every result in order: each page reads one
row more than it shows, so it knows whether a next page exists without counting. The count is one query
(`SELECT count(*) FROM (... LIMIT cap + 1)`), the page another; the first page is read first, and when it
holds every match (a UCRN, an email, a phone number, most postcodes) its rows are the count: no count query.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator

DEFAULT_COUNT_CAP = 1000


def count_cap() -> int:
    return getattr(settings, "SEARCH_COUNT_CAP", DEFAULT_COUNT_CAP)


class CappedPage(Page):
    """A page of a capped paginator: it knows from its own extra row whether another page follows."""

    def __init__(self, object_list: Any, number: int, paginator: CappedPaginator, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CappedPaginator(Paginator):
    """`Paginator` counting at most `count_cap()` rows (`capped` says whether there were more)."""

    def __init__(self, object_list: Any, per_page: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = count_cap()

    @cached_property
    def count(self) -> int:
        first = self.object_list[: self.cap + 1]
        counted = len(first) if isinstance(first, (list, tuple)) else first.count()
        self._capped = counted > self.cap
        return min(counted, self.cap)

    @property
    def capped(self) -> bool:
        """Whether more rows match than the count says (counts first, if not counted yet)."""
        return self.count >= self.cap and self._capped

    def validate_number(self, number: Any) -> int:
        number = _page_number(number)  # before counting: a page number that is not one costs no query
        if self.capped:  # past the counted pages there may be more: the page itself says
            if number < 1:
                raise EmptyPage("That page number is less than 1")
            return number
        return super().validate_number(number)

    def page(self, number: Any) -> Page:
        if "count" not in self.__dict__ and _page_number(number) == 1:
            return self._first_page()
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom: bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage("That page contains no results")
        return CappedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)

    def _first_page(self) -> Page:
        """Page 1, read before the count: when it holds every match, their number is the count."""
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"], self._capped = len(rows), False
        self.validate_number(1)  # counts, if the first page did not hold every match
        if self.capped:
            return CappedPage(rows[: self.per_page], 1, self, len(rows) > self.per_page)
        return self._get_page(rows[: self.per_page], 1, self)

    def get_page(self, number: Any) -> Page:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except (EmptyPage, InvalidPage):
            return self.page(self.num_pages) if self.num_pages else self.page(1)


def _page_number(number: Any) -> int:
    """`number` as a page number (Django's rule: an integer, or a float or text that is one), else
    `PageNotAnInteger`."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)
    except (TypeError, ValueError) as error:
        raise PageNotAnInteger("That page number is not an integer") from error
