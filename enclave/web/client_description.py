"""A coarse, human description of a browser, for the list of one's sessions.

Only the browser family and the operating system are kept ("Firefox on
Linux"): enough for a person to recognise their own devices, too little to
fingerprint anyone. The full user agent and the address are never stored.
"""

from __future__ import annotations

__all__ = ["describe_client"]

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
             ("HeadlessChrome/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
             ("curl/", "curl"), ("python-requests/", "Python"), ("python-httpx/", "Python"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_client(user_agent: str) -> str:
    """Return "<browser> on <system>" for a ``User-Agent`` header, or "unknown browser".

    Example:
        >>> describe_client("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
        'Firefox on Linux'
    """
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "unknown browser"
