"""Keywords as people type them: a word within one edit of a keyword reads as that keyword.

One edit is an insertion, a deletion, a substitution or a swap of two neighbouring
letters (optimal string alignment, the restricted Damerau-Levenshtein distance).
Only words of four letters or more are corrected, only to a keyword of four letters or
more, and only when exactly one keyword is that close: "Trcae" is "trace", "Whre" is
"where"; "fine" stays "fine" (it is a word of its own), "to" never becomes "do".
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["KEYWORDS", "correct", "within_one_edit"]

# Every word some reader below looks for; typos are corrected towards these only.
KEYWORDS = frozenset(
    """
    trace traces tracing follow track call calls calling called caller callers invoke invokes
    invoked sequence chain path route flow graph stack reach reaches reached reaching lead
    leads get gets goes end ends between from through until into find locate where defined
    define definition declared declare implemented implement implementation located lives
    who what which uses used using references function functions method methods class
    list show display read open print view contents content file files folder directory
    package module search grep look occurrences occurrence mentioned mentions mention
    appear appears word text string summarize summarise summary overview tldr gist
    calculate compute evaluate work solve value plus minus times multiplied divided
    squared cubed power square root percent run execute python snippet script code
    write save store create overwrite containing with line explain
    """.split()
)
# Real words one edit from a keyword; they mean themselves.
_WORDS = frozenset(
    """
    fine real lost lines mine time tile lace race face place pace rack trade track sum
    some come home hole whole where were here there then than them they fold hold told
    cold call hall wall tall fall all ball tell sell well bell read road lead load head
    dead bead reed need feed seed said paid rust runs rune ruin pain main rain gain
    line lime like live love move more core code mode node note vote nice mice dice
    file fire hire wire mile pile tile wile five hive dive give save have wave cave gave
    list lost last lust mist fist gist cost post host most does done dose goes gone some
    with what that this from have your into when will make like just more such only also
    over many much them they then than well very even back good give take want need know
    used uses user does each both same show shot slow snow shown path bath math both word
    work worm cord card care core text next test tent best rest nest west file fill
    """.split()
)


def within_one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` with at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1] if len(diffs) == 2 else -1
        return (
            len(diffs) == 2
            and second == first + 1
            and a[first] == b[second]
            and a[second] == b[first]
        )
    shorter, longer = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(shorter) and shorter[i] == longer[i]:
        i += 1
    return shorter[i:] == longer[i + 1 :]


@lru_cache(maxsize=4096)
def correct(word: str) -> str:
    """The keyword `word` was meant to be, or `word` itself (lowercase either way)."""
    lower = word.lower()
    if lower in KEYWORDS or lower in _WORDS or len(lower) < 4 or not lower.isalpha():
        return lower
    close = [
        keyword for keyword in KEYWORDS if len(keyword) >= 4 and within_one_edit(lower, keyword)
    ]
    return close[0] if len(close) == 1 else lower
