"""Reading media files: what streams a file holds (`probe`). No database; the scanner service stores results."""

from seen.library.probe import MediaProbe, ProbeStream, probe

__all__ = ["MediaProbe", "ProbeStream", "probe"]
