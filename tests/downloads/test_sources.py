"""What may be downloaded: magnets and torrents parsed strictly, URLs that cannot reach this machine or its network.

The HTTP parts run against real servers on 127.0.0.1 (allowed only through the allow-list, as an admin would).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from seen.downloads.sources import (
    AllowList,
    SourceRefused,
    TorrentTooLarge,
    allowed_hosts,
    bencode,
    check_url,
    guarded_client,
    parse_magnet,
    parse_torrent,
    redact_url,
    resolve_redirects,
)
from seen.services import app_settings
from seen.services.errors import InvalidInput
from tests.downloads.swarm import FileServer, info_hash_of, make_torrent, write_payload

HASH = "c9e15763f722f23e98a29decdfae341b98d53056"
LOOPBACK = AllowList.from_entries(["127.0.0.1"])
NOTHING = AllowList()

# --- magnets -------------------------------------------------------------------------------------------------


def test_a_magnet_gives_its_hash_name_and_usable_trackers() -> None:
    # Given a magnet with an upper-case hex hash, a name and trackers of several schemes (one repeated)
    uri = (
        f"magnet:?xt=urn:btih:{HASH.upper()}&dn=Big+Buck+Bunny&tr=udp%3A%2F%2Ftracker.example%3A1337%2Fannounce"
        "&tr=https://t.example/announce&tr=wss://webtorrent.example&tr=file:///etc/passwd"
        "&tr=https://t.example/announce&tr=http://"
    )
    # When it is parsed
    magnet = parse_magnet(uri)
    # Then the hash is lower-case hex and only http/https/udp trackers with a host stay, once each
    assert magnet.info_hash == HASH
    assert magnet.display_name == "Big Buck Bunny"
    assert magnet.trackers == ["udp://tracker.example:1337/announce", "https://t.example/announce"]


def test_display_names_are_tidied_and_trackers_bounded() -> None:
    # Given a magnet whose name has control characters and runs long, with many trackers, some unprintable
    trackers = "".join(f"&tr=udp://t{n}.example:1/a" for n in range(150))
    uri = f"magnet:?xt=urn:btih:{HASH}&dn=%0AEvil%09%20name%1B{'x' * 600}&tr=http://a.example/%0Ax{trackers}"
    # When it is parsed
    magnet = parse_magnet(uri)
    # Then the name is single-spaced printable text of at most 500 characters, and at most 100 trackers remain
    assert magnet.display_name is not None
    assert magnet.display_name.startswith("Evil name x")
    assert len(magnet.display_name) == 500
    assert len(magnet.trackers) == 100
    assert magnet.trackers[0] == "udp://t0.example:1/a"


def test_a_base32_hash_becomes_hex() -> None:
    # Given the same hash in base32 (older clients write it so), in lower case
    encoded = base64.b32encode(bytes.fromhex(HASH)).decode().lower()
    # When the magnet is parsed
    magnet = parse_magnet(f"magnet:?xt=urn:btih:{encoded}")
    # Then the hex form comes back, with no name and no trackers
    assert magnet.info_hash == HASH
    assert magnet.display_name is None
    assert magnet.trackers == []


def test_numbered_and_hybrid_magnets_are_accepted() -> None:
    # Given a magnet repeating the same hash as xt.1/xt.2, and a hybrid v1+v2 magnet
    numbered = f"magnet:?xt.1=urn:btih:{HASH}&xt.2=urn:btih:{HASH.upper()}&tr.1=udp://a.example:1/x"
    hybrid = f"magnet:?xt=urn:btmh:1220{'ab' * 32}&xt=urn:btih:{HASH}"
    # When each is parsed
    # Then the v1 hash is what counts
    assert parse_magnet(numbered).info_hash == HASH
    assert parse_magnet(numbered).trackers == ["udp://a.example:1/x"]
    assert parse_magnet(hybrid).info_hash == HASH


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("http://example.com/file.torrent", "not a magnet link"),
        ("magnet", "not a magnet link"),
        ("magnet:?dn=nothing", r"no BitTorrent info hash \(xt=urn:btih:...\)"),
        ("magnet:?xt=urn:sha1:abc", "no BitTorrent info hash"),
        (f"magnet:?xt=urn:btmh:1220{'ab' * 32}", "only has a BitTorrent v2 hash"),
        ("magnet:?xt=urn:btih:1234", "neither 40 hexadecimal nor 32 base32"),
        (f"magnet:?xt=urn:btih:{'g' * 40}", "neither 40 hexadecimal nor 32 base32"),
        (f"magnet:?xt=urn:btih:{'1' * 32}", "neither 40 hexadecimal nor 32 base32"),
        (f"magnet:?xt=urn:btih:{HASH}&xt=urn:btih:{'0' * 40}", "several different torrents"),
        (f"magnet:?xt=urn:btih:{HASH}&dn={'x' * 9000}", "longer than 8 KB"),
    ],
)
def test_bad_magnets_are_refused_with_a_reason(uri: str, message: str) -> None:
    # Given a link that is not a usable magnet
    # When it is parsed
    # Then InvalidInput (422) says why
    with pytest.raises(InvalidInput, match=message) as raised:
        parse_magnet(uri)
    assert raised.value.status == 422


# --- torrents ------------------------------------------------------------------------------------------------

PIECES = hashlib.sha1(b"piece").digest() * 2


def torrent(info: dict, **top: object) -> bytes:
    return bencode({"announce": "http://tracker.example/announce", **top, "info": info})


def single_info(**changes: object) -> dict:
    return {"name": "movie.mkv", "piece length": 16384, "pieces": PIECES, "length": 20000, **changes}


def multi_info(*files: tuple[list, int], **changes: object) -> dict:
    listed = [{"path": path, "length": length} for path, length in files]
    return {"name": "Season 1", "piece length": 16384, "pieces": PIECES, "files": listed, **changes}


def test_a_single_file_torrent_is_described(tmp_path: Path) -> None:
    # Given a real torrent of one file, built like the test swarm builds them
    data = make_torrent(write_payload(tmp_path / "Big Buck Bunny.mkv", 50_000), announce="http://127.0.0.1:1/a")
    # When it is parsed
    info = parse_torrent(data, max_bytes=10_000)
    # Then its hash, name, file and tracker come back
    assert info.info_hash == info_hash_of(data)
    assert info.name == "Big Buck Bunny.mkv"
    assert [(entry.path, entry.size) for entry in info.files] == [("Big Buck Bunny.mkv", 50_000)]
    assert info.total_size == 50_000
    assert info.trackers == ["http://127.0.0.1:1/a"]


def test_a_multi_file_torrent_lists_paths_sizes_and_all_trackers() -> None:
    # Given a multi-file torrent with nested paths and announce + announce-list trackers (one repeated, one bad)
    data = torrent(
        multi_info((["E01.mkv"], 100), (["Extras", "Interview.mkv"], 50), (["empty.txt"], 0)),
        **{"announce-list": [["http://tracker.example/announce", "udp://b.example:6969"], ["ws://c.example"]]},
    )
    # When it is parsed
    info = parse_torrent(data, max_bytes=1_000_000)
    # Then every file is listed with "/"-joined paths, sizes add up and usable trackers are kept once each
    assert info.name == "Season 1"
    assert [(entry.path, entry.size) for entry in info.files] == [
        ("E01.mkv", 100),
        ("Extras/Interview.mkv", 50),
        ("empty.txt", 0),
    ]
    assert info.total_size == 150
    assert info.trackers == ["http://tracker.example/announce", "udp://b.example:6969"]


def test_the_info_hash_is_taken_from_the_uploaded_bytes() -> None:
    # Given a torrent whose info dictionary keys are not in canonical order (re-encoding would change them)
    info = b"d6:lengthi5e4:name1:a12:piece lengthi16e6:pieces20:" + b"x" * 20 + b"e"
    unsorted = b"d4:name1:a6:lengthi5e12:piece lengthi16e6:pieces20:" + b"x" * 20 + b"e"
    data = b"d4:info" + unsorted + b"e"
    # When it is parsed
    parsed = parse_torrent(data, max_bytes=10_000)
    # Then the hash is of the bytes as uploaded, which is what peers and trackers know it by
    assert parsed.info_hash == hashlib.sha1(unsorted).hexdigest()
    assert parsed.info_hash != hashlib.sha1(info).hexdigest()


def test_utf8_names_are_preferred() -> None:
    # Given a torrent carrying a legacy-encoded name and its name.utf-8
    data = torrent(single_info(name=b"Am\xe9lie.mkv", **{"name.utf-8": "Amélie.mkv"}))
    # When it is parsed
    # Then the UTF-8 name is used
    assert parse_torrent(data, max_bytes=10_000).name == "Amélie.mkv"


def test_a_torrent_over_the_limit_is_413_before_parsing() -> None:
    # Given bytes larger than the limit (not even bencoding)
    data = b"\xff" * 2048
    # When they are parsed
    # Then TorrentTooLarge answers 413 "too_large" with the sizes
    with pytest.raises(TorrentTooLarge, match="2,048 bytes; the largest accepted is 1,024 bytes") as raised:
        parse_torrent(data, max_bytes=1024)
    assert (raised.value.status, raised.value.code) == (413, "too_large")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"not bencoding at all", "not a valid .torrent file"),
        (b"l4:spame", "not a valid .torrent file"),
        (b"d4:infoi1ee", "no info dictionary"),
        (bencode({"announce": "http://t.example"}), "no info dictionary"),
        (torrent(single_info(name="")), "no name"),
        (torrent(single_info(name="..")), "unsafe file name"),
        (torrent(single_info(name="a/b")), "unsafe file name"),
        (torrent(single_info(**{"piece length": 0})), "no valid piece length"),
        (torrent(single_info(pieces=b"x" * 21)), "not a multiple of 20"),
        (torrent(single_info(pieces=b"")), "not a multiple of 20"),
        (torrent(single_info(length=-1)), "without a valid length"),
        (torrent(single_info(length="5")), "without a valid length"),
        (torrent({"name": "x", "piece length": 16384, "pieces": PIECES}), "lists no files"),
        (torrent(multi_info()), "file list is empty"),
        (torrent(multi_info(files="x")), "file list is empty"),
        (torrent(multi_info((["a"], -5))), "without a valid length"),
        (torrent(multi_info(([], 5))), "has no path"),
        (torrent(multi_info((["..", "etc", "passwd"], 5))), r"unsafe file name \('\.\.'\)"),
        (torrent(multi_info((["ok", "..", "x"], 5))), "unsafe file name"),
        (torrent(multi_info((["/etc/passwd"], 5))), "unsafe file name"),
        (torrent(multi_info((["a\\..\\b"], 5))), "unsafe file name"),
        (torrent(multi_info((["."], 5))), "unsafe file name"),
        (torrent(multi_info((["a", ""], 5))), "no file path"),
        (torrent(multi_info((["nul\0byte"], 5))), "unsafe file name"),
        (torrent(multi_info(([5], 5))), "no file path"),
        (torrent({"name": "v2", "piece length": 16384, "meta version": 2, "file tree": {}}), "v2-only"),
    ],
)
def test_malformed_or_unsafe_torrents_are_refused(data: bytes, message: str) -> None:
    # Given a .torrent that is damaged or would write outside its folder
    # When it is parsed
    # Then InvalidInput (422) says what is wrong
    with pytest.raises(InvalidInput, match=message) as raised:
        parse_torrent(data, max_bytes=1_000_000)
    assert raised.value.status == 422


def test_a_hybrid_v1_v2_torrent_is_accepted() -> None:
    # Given a hybrid torrent (v1 pieces and files alongside the v2 file tree)
    data = torrent(single_info(**{"meta version": 2, "file tree": {"movie.mkv": {"": {"length": 20000}}}}))
    # When it is parsed
    # Then its v1 side is used
    assert parse_torrent(data, max_bytes=10_000).total_size == 20000


# --- the allow-list --------------------------------------------------------------------------------------------


def test_allow_list_entries_are_normalised() -> None:
    # Given entries as an admin might type them: mixed case, spaces, brackets, host bits, repeats, blanks
    entries = [
        " NAS.lan ",
        "*.Home.Arpa",
        "192.168.1.7/24",
        "10.0.0.5",
        "10.0.0.5/32",
        "[::1]",
        "fd00::/8",
        "",
        "büro.lan",
    ]
    # When the list is built
    allow = AllowList.from_entries(entries)
    # Then each entry is stored once, in its canonical spelling
    assert allow.entries == (
        "nas.lan",
        "*.home.arpa",
        "192.168.1.0/24",
        "10.0.0.5",
        "::1",
        "fd00::/8",
        "xn--bro-hoa.lan",
    )


@pytest.mark.parametrize(
    "entry", ["http://nas.lan", "nas.lan:8080", "nas lan", "a..b", "*.", "1.2.3.4/33", "-bad-.lan", "x" * 300]
)
def test_bad_allow_list_entries_are_refused(entry: str) -> None:
    # Given an entry that is no host name, address or network
    # When the list is built
    # Then InvalidInput names the entry
    with pytest.raises(InvalidInput, match="is not a host name, IP address or network"):
        AllowList.from_entries(["nas.lan", entry])


def test_allow_list_matches_names_suffixes_and_networks() -> None:
    # Given a list with a name, a suffix and a network
    allow = AllowList.from_entries(["nas.lan", "*.home.arpa", "192.168.1.0/24"])
    private = ipaddress.ip_address("10.9.9.9")
    # When hosts and addresses are checked
    # Then a listed name is allowed whatever it resolves to, case-insensitively and with a trailing dot
    assert allow.allows("NAS.lan.", private)
    assert allow.allows("tv.home.arpa", private)
    assert not allow.allows("home.arpa", private)
    assert not allow.allows("evilnas.lan", private)
    # And addresses are allowed by network, also in their IPv4-mapped IPv6 form
    assert allow.allows("anything", ipaddress.ip_address("192.168.1.20"))
    assert allow.allows("anything", ipaddress.ip_address("::ffff:192.168.1.20"))
    assert not allow.allows("anything", ipaddress.ip_address("192.168.2.20"))


# --- check_url ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.8.9.10:8080/x", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://LOCALHOST./", "loopback"),
        ("http://api.localhost/", "loopback"),
        ("http://10.1.2.3/", "private network"),
        ("http://172.16.0.1/", "private network"),
        ("http://172.31.255.254/", "private network"),
        ("http://192.168.0.10/", "private network"),
        ("http://[fc00::1]/", "private network"),
        ("http://[fd12:3456::1]/", "private network"),
        ("http://169.254.1.1/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://100.127.255.254/", "carrier-grade NAT"),
        ("http://224.0.0.251/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://255.255.255.255/", "reserved"),
        ("http://192.0.2.1/", "reserved"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[fd00:ec2::254]/", "cloud metadata"),
        ("http://100.100.100.200/", "cloud metadata"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:a9fe:a9fe]/", "cloud metadata"),
        ("http://[2002:c0a8:0101::1]/", "private network"),
        ("http://[64:ff9b::10.0.0.1]/", "private network"),
        ("http://2130706433/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://0177.0.0.1/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://0/", "unspecified"),
        ("http://3232235777/", "private network"),
        ("https://user:secret@10.0.0.1/", "private network"),
        ("ftp://192.168.1.1/file.iso", "private network"),
    ],
)
def test_urls_reaching_this_machine_or_a_private_network_are_refused(url: str, reason: str) -> None:
    # Given a URL whose host is (or resolves to) an address downloads may not reach, however it is spelled
    # When it is checked with an empty allow-list
    # Then SourceRefused (422 "source_refused") explains which kind of address it is, without the credentials
    with pytest.raises(SourceRefused, match=reason) as raised:
        check_url(url, allow=NOTHING)
    assert (raised.value.status, raised.value.code) == (422, "source_refused")
    assert "secret" not in raised.value.message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "Only http, https and ftp"),
        ("gopher://example.com/", "Only http, https and ftp"),
        ("javascript:alert(1)", "Only http, https and ftp"),
        ("example.com/file.iso", "Only http, https and ftp"),
        ("http:///path-only", "no host name"),
        ("http://example.com:99999/", "not a valid URL"),
        ("http://exa mple.com/", "spaces or control characters"),
        ("http://example.com/\r\nHost: evil", "spaces or control characters"),
        ("http://example.com/" + "a" * 4100, "longer than 4096"),
        ("http://no-such-host.invalid/", "could not be found"),
    ],
)
def test_malformed_urls_are_refused_with_a_reason(url: str, message: str) -> None:
    # Given something that is not a fetchable URL
    # When it is checked
    # Then InvalidInput says why
    with pytest.raises(InvalidInput, match=message):
        check_url(url, allow=NOTHING)


def test_public_urls_come_back_normalised() -> None:
    # Given public URLs with upper-case scheme and host, default ports, a fragment and credentials
    # When they are checked (numeric hosts need no DNS, so this runs offline)
    # Then they come back normalised, credentials kept for the engine
    assert check_url("HTTP://8.8.8.8:80/a/b?c=1#frag", allow=NOTHING) == "http://8.8.8.8/a/b?c=1"
    assert check_url("https://user:pw@1.1.1.1:443", allow=NOTHING) == "https://user:pw@1.1.1.1/"
    assert (
        check_url("ftp://[2606:4700:4700::1111]:2121/x.iso", allow=NOTHING) == "ftp://[2606:4700:4700::1111]:2121/x.iso"
    )


def test_the_allow_list_opens_addresses_and_names() -> None:
    # Given an allow-list with a loopback address, a private network and the name localhost
    allow = AllowList.from_entries(["127.0.0.1", "192.168.1.0/24", "localhost"])
    # When URLs on them are checked
    # Then they pass, whatever the spelling of the allowed address
    assert check_url("http://127.0.0.1:8080/x", allow=allow) == "http://127.0.0.1:8080/x"
    assert check_url("http://2130706433/", allow=allow) == "http://2130706433/"
    assert check_url("http://192.168.1.40/", allow=allow) == "http://192.168.1.40/"
    assert check_url("http://localhost/", allow=allow) == "http://localhost/"
    # But not their neighbours
    with pytest.raises(SourceRefused):
        check_url("http://127.0.0.2/", allow=allow)
    with pytest.raises(SourceRefused):
        check_url("http://192.168.2.1/", allow=allow)


def test_credentials_are_redacted_for_display() -> None:
    # Given URLs with and without credentials
    # When they are redacted
    # Then user and password are gone and the rest is untouched
    assert redact_url("https://user:secret@host.example:8443/a?b=1") == "https://host.example:8443/a?b=1"
    assert redact_url("http://host.example/a") == "http://host.example/a"


# --- guarded client and redirects ----------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Answers 200 "ok" and records the Host header; HEAD gets 405 (servers that do not support it)."""

    hosts: list[str]

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_HEAD(self) -> None:
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.hosts.append(self.headers["Host"])
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/final")
            self.send_header("Content-Length", "0")
        else:
            self.send_response(200)
            self.send_header("Content-Length", "2")
        self.end_headers()
        if self.path != "/moved":
            self.wfile.write(b"ok")


@contextmanager
def recording_server(*, tls: ssl.SSLContext | None = None) -> Iterator[tuple[str, list[str]]]:
    hosts: list[str] = []
    handler = type("Handler", (_Recorder,), {"hosts": hosts})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", hosts
    finally:
        server.shutdown()
        server.server_close()


def test_the_guarded_client_reaches_allowed_hosts_keeping_the_host_header() -> None:
    with recording_server() as (address, hosts):
        port = address.rsplit(":", 1)[1]
        # Given a local server, allowed by name
        allow = AllowList.from_entries(["localhost"])
        # When it is fetched by name through the guarded client
        with guarded_client(allow=allow) as client:
            response = client.get(f"http://localhost:{port}/file")
        # Then the connection went to the checked address and the server saw the original Host
        assert response.text == "ok"
        assert hosts == [f"localhost:{port}"]


def test_the_guarded_client_speaks_tls_to_the_name_not_the_address(tmp_path: Path) -> None:
    # Given a TLS server on 127.0.0.1 with a self-signed certificate that records the name clients ask for (SNI)
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    asked_names: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: asked_names.append(name)
    with recording_server(tls=context) as (address, hosts):
        port = address.rsplit(":", 1)[1]
        # When it is fetched as https://localhost through the guarded client (which connects to 127.0.0.1)
        # Then the TLS handshake named "localhost" and the certificate was verified (and refused: self-signed)
        allow = AllowList.from_entries(["localhost"])
        with guarded_client(allow=allow) as client, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY"):
            client.get(f"https://localhost:{port}/file")
        assert asked_names == ["localhost"]
        assert hosts == []


def test_the_guarded_client_refuses_what_is_not_allowed(file_server: FileServer) -> None:
    # Given a local file server with a file, and a redirect from it to a private address
    write_payload(file_server.root / "movie.bin", 10)
    file_server.redirect("away", "http://10.0.0.1/secret")
    # When the file is fetched with no allow-list
    # Then the connection is refused before it is opened
    with guarded_client(allow=NOTHING) as client, pytest.raises(SourceRefused, match="loopback"):
        client.get(file_server.url("movie.bin"))
    assert file_server.requests == []
    # And with loopback allowed the file comes, but following the redirect to the private address is refused
    with guarded_client(allow=LOOPBACK, follow_redirects=True) as client:
        assert len(client.get(file_server.url("movie.bin")).content) == 10
        with pytest.raises(SourceRefused, match="private network"):
            client.get(file_server.url("away"))


def test_a_dns_answer_that_changes_after_the_check_cannot_slip_through(
    monkeypatch: pytest.MonkeyPatch, file_server: FileServer
) -> None:
    # Given a name that first resolves to a public address, then to loopback (DNS rebinding)
    port = int(file_server.url("x").split(":")[2].split("/")[0])
    answers = iter(["93.184.216.34", "127.0.0.1"])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    # When the URL passes the check and is then fetched
    url = check_url(f"http://rebind.example:{port}/x", allow=NOTHING)
    # Then the fetch resolves again, sees loopback and refuses without connecting
    with guarded_client(allow=NOTHING) as client, pytest.raises(SourceRefused, match="loopback"):
        client.get(url)
    assert file_server.requests == []


def test_redirects_are_followed_hop_by_hop(file_server: FileServer) -> None:
    # Given a chain of two redirects (one relative) to a real file
    write_payload(file_server.root / "final.bin", 100)
    file_server.redirect("first", file_server.url("second"))
    file_server.redirect("second", "/final.bin")
    # When the first URL is resolved
    final = resolve_redirects(file_server.url("first"), allow=LOOPBACK)
    # Then the final URL comes back, each hop asked with HEAD only
    assert final == file_server.url("final.bin")
    assert [name for name, _ in file_server.requests] == ["first", "second", "final.bin"]


def test_a_server_without_head_is_asked_with_get() -> None:
    with recording_server() as (address, hosts):
        # Given a server that answers HEAD with 405 and redirects a GET
        # When a URL on it is resolved
        final = resolve_redirects(f"http://{address}/moved", allow=LOOPBACK)
        # Then GET was used instead and the redirect followed
        assert final == f"http://{address}/final"
        assert len(hosts) == 2


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        ("http://10.0.0.1/secret", SourceRefused, "private network"),
        ("http://169.254.169.254/latest/meta-data/", SourceRefused, "cloud metadata"),
        ("file:///etc/passwd", SourceRefused, "Only http, https and ftp"),
        ("http://[::1]:1/", SourceRefused, "loopback"),
    ],
)
def test_a_redirect_to_a_forbidden_place_is_refused(
    file_server: FileServer, target: str, error: type[Exception], message: str
) -> None:
    # Given an allowed server that redirects somewhere downloads may not go
    file_server.redirect("jump", target)
    # When the URL is resolved
    # Then the hop is refused with the reason
    with pytest.raises(error, match=message):
        resolve_redirects(file_server.url("jump"), allow=LOOPBACK)


def test_redirect_loops_missing_files_and_dead_hosts_are_refused(file_server: FileServer) -> None:
    # Given a redirect loop, a missing file and a port nobody listens on
    file_server.redirect("loop", file_server.url("loop"))
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead_port = unused.getsockname()[1]
    # When each is resolved
    # Then each is refused with a readable message
    with pytest.raises(InvalidInput, match="redirects more than 3 times"):
        resolve_redirects(file_server.url("loop"), allow=LOOPBACK, max_hops=3)
    with pytest.raises(InvalidInput, match="answered 404"):
        resolve_redirects(file_server.url("missing.bin"), allow=LOOPBACK)
    with pytest.raises(InvalidInput, match=r"127\.0\.0\.1 could not be reached"):
        resolve_redirects(f"http://127.0.0.1:{dead_port}/", allow=LOOPBACK)


def test_ftp_urls_are_checked_but_not_probed() -> None:
    # Given an ftp URL on an allowed address where no server listens
    # When it is resolved
    # Then it comes back checked, without a connection (redirects are an HTTP matter)
    assert resolve_redirects("ftp://127.0.0.1:1/file.iso", allow=LOOPBACK) == "ftp://127.0.0.1:1/file.iso"


# --- the stored allow-list ------------------------------------------------------------------------------------


def test_admins_allow_list_is_stored_normalised(session: Session) -> None:
    # Given no stored list
    assert app_settings.download_allowed_hosts(session=session) == []
    # When an admin stores entries
    stored = app_settings.set_download_allowed_hosts(session=session, entries=[" NAS.lan", "192.168.1.9/24", "nas.lan"])
    session.commit()
    # Then they are kept normalised and read back
    assert stored == ["nas.lan", "192.168.1.0/24"]
    assert app_settings.download_allowed_hosts(session=session) == ["nas.lan", "192.168.1.0/24"]


def test_a_bad_entry_stores_nothing(session: Session) -> None:
    # Given a stored list
    app_settings.set_download_allowed_hosts(session=session, entries=["nas.lan"])
    session.commit()
    # When an admin submits a list with a bad entry, or far too many entries
    # Then InvalidInput is raised and the old list stays
    with pytest.raises(InvalidInput, match="'http://x' is not a host name"):
        app_settings.set_download_allowed_hosts(session=session, entries=["ok.lan", "http://x"])
    with pytest.raises(InvalidInput, match="At most 200"):
        app_settings.set_download_allowed_hosts(session=session, entries=[f"h{n}.lan" for n in range(201)])
    assert app_settings.download_allowed_hosts(session=session) == ["nas.lan"]


def test_the_allow_list_in_force_joins_settings_and_admins(session: Session, settings_env) -> None:
    # Given an allow-list in the environment and one stored by an admin
    settings_env(DOWNLOAD_ALLOWED_HOSTS='["127.0.0.1"]')
    app_settings.set_download_allowed_hosts(session=session, entries=["*.lan", "10.0.0.0/8"])
    session.commit()
    # When the allow-list in force is read
    allow = allowed_hosts(session=session)
    # Then both count
    assert allow.entries == ("127.0.0.1", "*.lan", "10.0.0.0/8")
    assert check_url("http://127.0.0.1/", allow=allow) == "http://127.0.0.1/"
    assert check_url("http://10.2.3.4/", allow=allow) == "http://10.2.3.4/"
    with pytest.raises(SourceRefused):
        check_url("http://192.168.0.1/", allow=allow)
