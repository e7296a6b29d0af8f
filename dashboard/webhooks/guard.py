"""Where a webhook may be sent: http(s) only, and, unless WEBHOOK_ALLOW_PRIVATE allows it, only
to global addresses: never loopback, private, link-local, multicast, shared or reserved ones,
which would let whoever sets a webhook's URL make the server call into its own network.

A literal address is refused when the webhook is saved. A name is resolved when each attempt is
made, every address it resolves to is checked, and the attempt connects to the address checked
(see delivery.py), so a name that resolves elsewhere a moment later (DNS rebinding) is not
followed."""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

from flask import current_app, has_app_context

SCHEMES = ("http", "https")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """An address the webhook may not be sent to; the message says why (no secret in it)."""


def private_allowed() -> bool:
    """The WEBHOOK_ALLOW_PRIVATE setting of the app at hand (off outside one)."""
    return has_app_context() and bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address.is_global and not address.is_multicast


def literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def url_problem(url: str, allow_private: bool) -> str | None:
    """What is wrong with `url` as a webhook's address, as far as can be told without DNS."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"is not a valid address ({error})"
    if parts.scheme not in SCHEMES or not parts.hostname:
        return "must be an http:// or https:// address"
    if parts.username or parts.password:
        return "must not hold a user name or password (sign with the secret instead)"
    if port == 0:
        return "must not name port 0"
    address = literal_address(parts.hostname)
    if address is not None and not allow_private and not is_public(address):
        return (
            f"points at {address}, which is not a public address "
            "(set WEBHOOK_ALLOW_PRIVATE=1 to allow private networks)"
        )
    return None


def resolve(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for `host`: every address it resolves to must be allowed
    (one private among public ones is refused too), and the first is used."""
    address = literal_address(host)
    if address is not None:
        found = [address]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise Refused(f"cannot resolve {host}: {error}") from None
        found = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        if not found:
            raise Refused(f"{host} resolves to no address")
    if not allow_private:
        for each in found:
            if not is_public(each):
                raise Refused(f"{host} resolves to {each}, which is not a public address")
    return str(found[0])
