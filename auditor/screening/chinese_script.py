"""Traditional Chinese written as Simplified, so both spellings of a name compare equal.

Companies in Hong Kong, Macau and Taiwan, and anyone typing on a Traditional keyboard, write
曙光信息產業股份有限公司 for the listed 曙光信息产业股份有限公司. The normaliser's Chinese
word table and pypinyin both see Simplified text best, so Traditional characters are
converted first, with OpenCC's character-and-phrase tables (`t2s`): the official bindings
of the converter most Chinese-text tools use, maintained, with wheels on PyPI. A
character-by-character table such as zhconv's older one mis-converts phrases where one
Traditional character has several Simplified readings; OpenCC converts phrases first.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


def to_simplified(text: str) -> str:
    """`text` with Traditional Chinese characters written as Simplified; other text unchanged."""
    if not _HAN.search(text):
        return text
    return str(_converter().convert(text))
