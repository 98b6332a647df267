"""Media file names → a structured guess (title, year, season/episode, edition, ids), pure, on guessit.

`parse_name("Show/Season 01/01.mkv")` reads a path with its folder context and returns a frozen
`ParsedName`. No filesystem, no database, no network: a string in, a dataclass out.
"""

from seen.naming.model import ParsedName
from seen.naming.parse import parse_name

__all__ = ["ParsedName", "parse_name"]
