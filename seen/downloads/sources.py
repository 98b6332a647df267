"""What a user may ask to download: magnet links, .torrent files and URLs, validated before any engine sees them.

Everything here treats its input as hostile. Magnets and torrents are parsed strictly (the info hash of a
torrent is the SHA-1 of its info dictionary exactly as uploaded). URLs must not reach the app's own
machine, its private network or a cloud metadata service (server-side request forgery): each host is
resolved and every address checked, and the HTTP client used for downloads connects only to the address it
checked, so a DNS answer that changes between the check and the connection cannot slip through. Admins
open holes on purpose with an allow-list (a NAS on the LAN, say).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import httpcore
import httpx
from sqlmodel import Session

from seen.config import get_settings
from seen.downloads.bencode import BencodeError, decode_with_spans
from seen.downloads.bencode import encode as bencode
from seen.services import app_settings
from seen.services.errors import InvalidInput, ServiceError

__all__ = [
    "AllowList",
    "Magnet",
    "SourceRefused",
    "TorrentFileEntry",
    "TorrentInfo",
    "TorrentTooLarge",
    "allowed_hosts",
    "bencode",
    "check_url",
    "guarded_client",
    "parse_magnet",
    "parse_torrent",
    "redact_url",
    "resolve_redirects",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_MAGNET_BYTES = 8 * 1024
MAX_URL_LENGTH = 4096
URL_SCHEMES = frozenset({"http", "https", "ftp"})
TRACKER_SCHEMES = frozenset({"http", "https", "udp"})
MAX_TRACKERS = 100  # more announce URLs than this only slow a download's start
MAX_DISPLAY_NAME = 500  # the longest title a download may have


class TorrentTooLarge(ServiceError):
    status = 413
    code = "too_large"


class SourceRefused(InvalidInput):
    """A URL the app will not fetch: wrong scheme, or an address on this machine or a private network."""

    code = "source_refused"


# --- magnets -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Magnet:
    info_hash: str  # 40 lower-case hex characters (a base32 hash is converted)
    display_name: str | None
    trackers: list[str] = field(default_factory=list)


_HEX_HASH = re.compile(r"[0-9a-fA-F]{40}")
_BASE32_HASH = re.compile(r"[A-Za-z2-7]{32}")


def parse_magnet(uri: str) -> Magnet:
    """The torrent a magnet link names. InvalidInput with a readable reason for anything else."""
    uri = uri.strip()
    if len(uri.encode()) > MAX_MAGNET_BYTES:
        raise InvalidInput("That magnet link is longer than 8 KB.")
    scheme, separator, query = uri.partition(":")
    if scheme.lower() != "magnet" or not separator:
        raise InvalidInput("That is not a magnet link: it should start with magnet:?")
    hashes: list[str] = []
    v2_hashes: list[str] = []
    names: list[str] = []
    trackers: list[str] = []
    # Keys may be numbered ("xt.1", "tr.2") when a link repeats them.
    for key, value in parse_qsl(query.removeprefix("?"), keep_blank_values=True):
        base_key = key.split(".", 1)[0].lower()
        if base_key == "xt":
            urn = value.strip()
            if urn.lower().startswith("urn:btih:"):
                hashes.append(_btih_hex(urn[len("urn:btih:") :]))
            elif urn.lower().startswith("urn:btmh:"):
                v2_hashes.append(urn)
        elif base_key == "dn" and (name := _display_name(value)):
            names.append(name)
        elif base_key == "tr":
            trackers.append(value.strip())
    if not hashes:
        if v2_hashes:
            # A v2 hash is a SHA-256 of a different info dictionary: no v1 hash can be derived from it.
            raise InvalidInput(
                "That magnet link only has a BitTorrent v2 hash (xt=urn:btmh:...); "
                "the downloader needs a v1 hash (xt=urn:btih:...)."
            )
        raise InvalidInput("That magnet link has no BitTorrent info hash (xt=urn:btih:...).")
    if len(set(hashes)) > 1:
        raise InvalidInput("That magnet link names several different torrents (conflicting xt=urn:btih: hashes).")
    return Magnet(info_hash=hashes[0], display_name=names[0] if names else None, trackers=_trackers(trackers))


def _display_name(value: str) -> str:
    """A magnet's name as a title: printable, single-spaced, at most MAX_DISPLAY_NAME characters."""
    printable = "".join(char if char.isprintable() else " " for char in value)
    return " ".join(printable.split())[:MAX_DISPLAY_NAME]


def _btih_hex(value: str) -> str:
    value = value.strip()
    if _HEX_HASH.fullmatch(value):
        return value.lower()
    if _BASE32_HASH.fullmatch(value):
        return base64.b32decode(value.upper()).hex()
    raise InvalidInput("That magnet link's info hash is neither 40 hexadecimal nor 32 base32 characters.")


def _trackers(candidates: Iterable[str]) -> list[str]:
    """Tracker URLs worth announcing to, without duplicates, in their original order."""
    kept: dict[str, None] = {}
    for candidate in candidates:
        try:
            parts = urlsplit(candidate)
        except ValueError:
            continue
        printable = candidate.isprintable() and " " not in candidate
        if parts.scheme.lower() in TRACKER_SCHEMES and parts.hostname and printable and len(candidate) <= 1024:
            kept[candidate] = None
    return list(kept)[:MAX_TRACKERS]


# --- .torrent files ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TorrentFileEntry:
    path: str  # relative, components joined with "/"
    size: int


@dataclass(frozen=True, slots=True)
class TorrentInfo:
    info_hash: str  # SHA-1 of the info dictionary as uploaded, 40 lower-case hex
    name: str
    files: list[TorrentFileEntry]
    total_size: int
    trackers: list[str] = field(default_factory=list)


def parse_torrent(data: bytes, *, max_bytes: int) -> TorrentInfo:
    """What a .torrent file describes. TorrentTooLarge (413) over `max_bytes`, InvalidInput when malformed."""
    if len(data) > max_bytes:
        raise TorrentTooLarge(
            f"That .torrent file is {len(data):,} bytes; the largest accepted is {max_bytes:,} bytes."
        )
    if not data:
        raise InvalidInput("That .torrent file is empty.")
    try:
        meta, spans = decode_with_spans(data)
    except BencodeError as error:
        raise InvalidInput(f"That is not a valid .torrent file ({error}).") from error
    info = meta.get(b"info")
    if not isinstance(info, dict):
        raise InvalidInput("That .torrent file has no info dictionary.")
    start, end = spans[b"info"]
    info_hash = hashlib.sha1(data[start:end]).hexdigest()

    if b"pieces" not in info and info.get(b"meta version") == 2:
        raise InvalidInput("That is a BitTorrent v2-only torrent; the downloader handles v1 and hybrid torrents.")
    name = _text(info.get(b"name.utf-8", info.get(b"name")), "name")
    _check_component(name)
    piece_length = info.get(b"piece length")
    if not isinstance(piece_length, int) or piece_length <= 0:
        raise InvalidInput("That .torrent file has no valid piece length.")
    pieces = info.get(b"pieces")
    if not isinstance(pieces, bytes) or not pieces or len(pieces) % 20:
        raise InvalidInput("That .torrent file's piece hashes are damaged (not a multiple of 20 bytes).")

    if b"length" in info:
        files = [TorrentFileEntry(path=name, size=_size(info[b"length"]))]
    elif b"files" in info:
        files = _file_entries(info[b"files"])
    else:
        raise InvalidInput("That .torrent file lists no files (neither length nor files).")

    announce_list = meta.get(b"announce-list")
    tiers = announce_list if isinstance(announce_list, list) else []
    announces = [meta.get(b"announce"), *(url for tier in tiers if isinstance(tier, list) for url in tier)]
    trackers = _trackers(url.decode("utf-8", "replace") for url in announces if isinstance(url, bytes))
    return TorrentInfo(
        info_hash=info_hash, name=name, files=files, total_size=sum(f.size for f in files), trackers=trackers
    )


def _file_entries(raw_files: Any) -> list[TorrentFileEntry]:
    if not isinstance(raw_files, list) or not raw_files:
        raise InvalidInput("That .torrent file's file list is empty or damaged.")
    entries = []
    for raw in raw_files:
        if not isinstance(raw, dict):
            raise InvalidInput("That .torrent file's file list is damaged.")
        raw_path = raw.get(b"path.utf-8", raw.get(b"path"))
        if not isinstance(raw_path, list) or not raw_path:
            raise InvalidInput("A file in that .torrent file has no path.")
        components = [_text(component, "file path") for component in raw_path]
        for component in components:
            _check_component(component)
        entries.append(TorrentFileEntry(path="/".join(components), size=_size(raw.get(b"length"))))
    return entries


def _text(value: Any, what: str) -> str:
    if not isinstance(value, bytes) or not value:
        raise InvalidInput(f"That .torrent file has no {what}.")
    # Old clients wrote names in their local code page; a replacement character beats refusing the torrent.
    return value.decode("utf-8", "replace")


def _size(value: Any) -> int:
    if not isinstance(value, int) or value < 0:
        raise InvalidInput("That .torrent file has a file without a valid length.")
    return value


def _check_component(component: str) -> None:
    """Refuse a name that would write outside the job's folder (path traversal) or cannot be a file name."""
    if component in {"", ".", ".."} or any(char in component for char in "/\\\0"):
        raise InvalidInput(f"That .torrent file has an unsafe file name ({component!r}).")


# --- who may be reached ------------------------------------------------------------------------------

_HOSTNAME_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?")
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(network) for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    }
)


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts and networks URL downloads may reach although they are local or private (set by admins)."""

    entries: tuple[str, ...] = ()  # normalised, as stored and shown
    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()  # ".lan" for "*.lan"
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> AllowList:
        """Parse host names ("nas.lan", "*.lan"), addresses and CIDR networks; InvalidInput on a bad entry."""
        normalised: dict[str, None] = {}
        names: set[str] = set()
        suffixes: list[str] = []
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower().removeprefix("[").removesuffix("]")
            if not entry:
                continue
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                host = _allowed_host_name(raw, entry)
                if host.startswith("*."):
                    suffixes.append(host[1:])
                else:
                    names.add(host)
                normalised[host] = None
            else:
                networks.append(network)
                single = network.num_addresses == 1
                normalised[str(network.network_address) if single else str(network)] = None
        return cls(tuple(normalised), frozenset(names), tuple(suffixes), tuple(networks))

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether `address`, reached as `host`, is on the list (by host name or by address)."""
        host = host.strip().lower().rstrip(".")
        if host in self.names or any(host.endswith(suffix) for suffix in self.suffixes):
            return True
        candidates = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            candidates.append(address.ipv4_mapped)
        return any(candidate in network for candidate in candidates for network in self.networks)


def _allowed_host_name(raw: str, entry: str) -> str:
    host = entry.rstrip(".")
    labels = host.removeprefix("*.").split(".")
    try:
        ascii_labels = [label.encode("idna").decode() for label in labels]
    except UnicodeError:
        ascii_labels = []
    if len(host) > 253 or not ascii_labels or not all(_HOSTNAME_LABEL.fullmatch(label) for label in ascii_labels):
        raise InvalidInput(f"{raw.strip()!r} is not a host name, IP address or network (CIDR).")
    return ("*." if host.startswith("*.") else "") + ".".join(ascii_labels)


def allowed_hosts(*, session: Session) -> AllowList:
    """The allow-list in force: SEEN_DOWNLOAD_ALLOWED_HOSTS plus what admins added in the app."""
    entries = [*get_settings().download_allowed_hosts, *app_settings.download_allowed_hosts(session=session)]
    return AllowList.from_entries(entries)


def refusal_reason(address: IPAddress) -> str | None:
    """Why downloads may not reach `address`, or None for an ordinary public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 (::ffff:127.0.0.1, 6to4, NAT64) reaches that IPv4 address.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal_reason(embedded)
    if address in _METADATA_ADDRESSES:
        return "That address is a cloud metadata service: downloads may not reach it."
    if address.is_loopback:
        return "That address is this machine (loopback): downloads may not reach it."
    if address.is_unspecified:
        return "That address is unspecified (0.0.0.0 or ::): downloads may not reach it."
    if address.is_link_local:
        return "That address is link-local: downloads may not reach it."
    if address in _CARRIER_GRADE_NAT:
        return "That address is inside a carrier-grade NAT network: downloads may not reach it."
    if address.is_multicast:
        return "That address is a multicast address: downloads may not reach it."
    if any(address in network for network in _PRIVATE_NETWORKS):
        return "That address is on a private network: downloads may not reach it."
    if address.is_reserved or not address.is_global:
        return "That address is reserved, not on the public internet: downloads may not reach it."
    return None


def _is_localhost_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost") or host == "localhost.localdomain"


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (numeric spellings such as 2130706433 or 0x7f.1 included)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise InvalidInput(f"The host {host} could not be found.") from error
    addresses: dict[IPAddress, None] = {}
    for _family, _type, _proto, _canonical, sockaddr in answers:
        # IPv6 link-local answers carry a zone ("fe80::1%eth0"); the address is what gets checked.
        addresses[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
    if not addresses:
        raise InvalidInput(f"The host {host} could not be found.")
    return list(addresses)


def checked_addresses(host: str, port: int, *, allow: AllowList) -> list[IPAddress]:
    """The addresses of `host` the app may connect to; SourceRefused when any of them is off limits."""
    host = host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")
    if _is_localhost_name(host) and not allow.allows(host, ipaddress.IPv4Address("127.0.0.1")):
        raise SourceRefused(refusal_reason(ipaddress.IPv4Address("127.0.0.1")) or "")
    addresses = _resolve(host, port)
    for address in addresses:
        reason = refusal_reason(address)
        if reason and not allow.allows(host, address):
            raise SourceRefused(reason)
    return addresses


def check_url(url: str, *, allow: AllowList) -> str:
    """`url` normalised, once it is an http/https/ftp URL whose host resolves only to addresses it may reach."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"That URL is longer than {MAX_URL_LENGTH} characters.")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise InvalidInput("That URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidInput(f"That is not a valid URL ({error}).") from error
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        raise SourceRefused("Only http, https and ftp addresses can be downloaded.")
    host = parts.hostname
    if not host:
        raise InvalidInput("That URL has no host name.")
    if not _is_ip_literal(host):
        try:
            host = host.encode("idna").decode()
        except UnicodeError as error:
            raise InvalidInput("That URL's host name is not valid.") from error
    default_port = {"http": 80, "https": 443, "ftp": 21}[scheme]
    checked_addresses(host, port or default_port, allow=allow)

    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != default_port:
        netloc = f"{netloc}:{port}"
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def redact_url(url: str) -> str:
    """`url` without user name and password, for logs, events and messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


# --- fetching only what was checked ------------------------------------------------------------------


class _CheckedNetwork(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses that pass the checks, resolved at connection time.

    httpcore still starts TLS with the URL's host name (SNI and certificate checks) and httpx still sends
    it as the Host header: only the address the socket connects to is chosen here.
    """

    def __init__(self, allow: AllowList) -> None:
        self._allow = allow
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, allow=self._allow)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return self._sockets.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None  # checked_addresses never returns an empty list
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise SourceRefused("Downloads may not use local sockets.")

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)


_POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's defaults


class _CheckedTransport(httpx.HTTPTransport):
    """httpx's own transport over a connection pool whose every connection goes through `_CheckedNetwork`."""

    def __init__(self, allow: AllowList) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=_POOL_LIMITS.max_connections,
            max_keepalive_connections=_POOL_LIMITS.max_keepalive_connections,
            keepalive_expiry=_POOL_LIMITS.keepalive_expiry,
            network_backend=_CheckedNetwork(allow),
        )


def guarded_client(*, allow: AllowList, timeout: float = 30, follow_redirects: bool = False) -> httpx.Client:
    """An httpx client that connects only to addresses `allow` permits (redirect targets included).

    Environment proxies are ignored: a proxy would make the connection the check is about.
    """
    return httpx.Client(
        transport=_CheckedTransport(allow),
        timeout=timeout,
        follow_redirects=follow_redirects,
        trust_env=False,
    )


def resolve_redirects(url: str, *, allow: AllowList, max_hops: int = 5, timeout: float = 10) -> str:
    """The URL `url` finally leads to, every redirect checked like `check_url`. InvalidInput when unreachable."""
    current = check_url(url, allow=allow)
    if urlsplit(current).scheme not in {"http", "https"}:
        return current
    with guarded_client(allow=allow, timeout=timeout) as client:
        for _hop in range(max_hops + 1):
            status, location = _probe(client, current)
            if location is None:
                if status >= 400:
                    raise InvalidInput(f"The server answered {status} for {redact_url(current)}.")
                return current
            current = check_url(urljoin(current, location), allow=allow)
            if urlsplit(current).scheme not in {"http", "https"}:
                return current
    raise InvalidInput(f"That URL redirects more than {max_hops} times.")


def _probe(client: httpx.Client, url: str) -> tuple[int, str | None]:
    """The status and redirect target of `url`: a HEAD, or a GET closed at once when HEAD is not supported."""
    host = urlsplit(url).hostname
    try:
        response = client.head(url)
        if response.status_code >= 400 and response.status_code not in {401, 404, 410}:
            with client.stream("GET", url) as streamed:
                response = streamed
    except httpx.TimeoutException as error:
        raise InvalidInput(f"{host} did not answer in time.") from error
    except httpx.HTTPError as error:
        raise InvalidInput(f"{host} could not be reached ({type(error).__name__}).") from error
    location = response.headers.get("location") if response.is_redirect else None
    return response.status_code, location
