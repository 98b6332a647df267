"""Download engines and the checks on what users ask to download.

`engine` is the one interface; `aria2` (magnet, .torrent, HTTP/HTTPS/FTP through an aria2 daemon) and
`http_engine` (resumable HTTP in-process, when no aria2c is available) implement it; `daemon` starts and
supervises the app's own aria2c; `select` picks the engine from settings; `sources` validates magnets,
.torrent files and URLs (SSRF guard); `paths` keeps every file under the downloads directory.
"""
