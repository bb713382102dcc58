"""Numbers, regions and endpoint URLs checked before anything is sent.

Every value a person gives (a flag, an environment variable, the settings file) is
checked here, with the AWS CLI's wording where it has one, so that a typo is said
as bad input (exit 252) rather than as "unexpected response from the service".
Plain Python: no Textual, no botocore (the start-up path imports this before the
helper process is spawned).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from chime_tui.textsafe import clip, quoted

# Bounds: (low, high, unit). A value outside is refused, never clamped.
# A poll interval: --refresh, CHIME_TUI_REFRESH, the settings file's refresh, --watch.
REFRESH = (0.5, 3600.0, "seconds")
ALERT_THRESHOLD = (0.0, 10080.0, "minutes")  # up to a week
ALERT_MODES = ("off", "bell", "notify")  # how alerts reach the user
TIMEOUT_MAX = 3600.0

# botocore.utils.validate_region_name's pattern (botocore is not imported here).
_REGION = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$")
# botocore.utils.is_valid_endpoint_url's host label rule, plus "_" seen in the wild.
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_ENDPOINT_FORM = "Must be of the form http://<hostname>/ or https://<hostname>/"


def parse_number(text: str | float | int, low: float, high: float, unit: str) -> float:
    """A finite number from `low` to `high`; ValueError with one line saying what is
    accepted (nan, inf, 1e308 and the like are refused, not clamped)."""
    if isinstance(text, bool):
        raise ValueError(f"must be a number of {unit}, not {text!r}")
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"not a number: {quoted(str(text), 40)}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"must be a number of {unit} between {low:g} and {high:g}, "
                         f"not {clip(str(text), 40)}")
    return value


def check_timeout(value: float, which: str) -> str | None:
    """The AWS CLI's words for --cli-connect-timeout / --cli-read-timeout."""
    if not math.isfinite(value):
        return f"Attempted to set {which} timeout to {value}, but the timeout must be a " \
               "finite number of seconds."
    if value <= 0:
        return f"Attempted to set {which} timeout to {value:g}, but the timeout cannot be " \
               "set to a value less than or equal to 0."
    if value > TIMEOUT_MAX:
        return f"Attempted to set {which} timeout to {value:g}, but the timeout cannot be " \
               f"set to a value greater than {TIMEOUT_MAX:g}."
    return None


def check_region(region: str | None, source: str = "--region") -> str | None:
    if region is None or _REGION.match(region):
        return None
    where = "" if source == "--region" else f" (from {source})"
    return f"Provided region_name {quoted(region, 80)} doesn't match a supported format.{where}"


def check_endpoint_url(url: str, source: str = "--endpoint-url") -> str | None:
    """None if `url` is a usable http(s) endpoint; else the AWS CLI's message."""
    shown = clip(url, 200)
    bad_value = f'Bad value for {source} "{shown}"'
    parts = urlsplit(url) if "\\" not in url else None
    if parts is None or not parts.scheme or "://" not in url:
        return f"{bad_value}: scheme is missing.  {_ENDPOINT_FORM}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{bad_value}: scheme must be http or https.  {_ENDPOINT_FORM}"
    try:
        host, _port = parts.hostname, parts.port
    except ValueError:
        return f"Invalid endpoint: {shown}"
    if not host or any(c.isspace() or ord(c) < 32 for c in url):
        return f"Invalid endpoint: {shown}"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.rstrip(".").split(".")
        if not all(_HOST_LABEL.match(label) for label in labels):
            return f"Invalid endpoint: {shown}"
    return None


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 (and an IPv4-mapped loopback), localhost. Names are not resolved:
    a name that resolves to loopback today may not tomorrow."""
    if not host:
        return False
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def insecure_endpoint_problem(url: str, source: str = "--endpoint-url") -> str | None:
    """A message if requests signed with the user's credentials would go over plain
    HTTP to a host other than this machine; None for https and for loopback."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or is_loopback_host(parts.hostname):
        return None
    return (f"refusing to send AWS credentials over plain HTTP to {clip(url, 200)} "
            f"(from {source}): anyone on the network path could read the signed requests "
            "(access key ID, session token) and every answer, phone numbers included, and "
            "could change them. Use https://, or add --allow-insecure-endpoint if you accept "
            "that risk (for example a test endpoint on a private network).")


def profile_values(profile: str | None, env: Mapping[str, str]) -> dict[str, str]:
    """`region` and `endpoint_url` of the profile in the AWS config file (AWS_CONFIG_FILE
    or ~/.aws/config), read with configparser as botocore reads them ({} if none).
    The `services` sections that botocore also reads are not followed."""
    import configparser
    import os

    path = env.get("AWS_CONFIG_FILE") or os.path.join(env.get("HOME") or "~", ".aws", "config")
    name = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    parser = configparser.RawConfigParser()
    try:
        parser.read(os.path.expanduser(path), encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return {}
    for section in ((f"profile {name}", name) if name != "default" else ("default",
                                                                          "profile default")):
        if parser.has_section(section):
            return {k: v.strip() for k, v in parser.items(section)
                    if k in ("region", "endpoint_url") and v.strip()}
    return {}


def endpoint_source(flag: str | None, file_value: str | None,
                    env: Mapping[str, str], profile: Mapping[str, str] | None = None
                    ) -> tuple[str | None, str]:
    """The endpoint URL requests go to, and where it came from: flag > environment
    (AWS_ENDPOINT_URL_CHIME_SDK_VOICE, then AWS_ENDPOINT_URL, as botocore reads them)
    > the settings file > the AWS profile's endpoint_url. (None, "") means AWS's own
    https endpoint."""
    if flag:
        return flag, "--endpoint-url"
    ignore = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true"
    if not ignore:
        for var in ("AWS_ENDPOINT_URL_CHIME_SDK_VOICE", "AWS_ENDPOINT_URL"):
            if env.get(var):
                return env[var], var
    if file_value:
        return file_value, "endpoint_url in the settings file"
    if not ignore and profile and profile.get("endpoint_url"):
        return profile["endpoint_url"], "endpoint_url of the AWS profile"
    return None, ""


def region_sources(flag: str | None, file_value: str | None, env: Mapping[str, str],
                   profile: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The region requests go to, with its source: flag > AWS_REGION >
    AWS_DEFAULT_REGION > the settings file > the AWS profile's region ([] if none)."""
    found = [(flag, "--region"), (env.get("AWS_REGION"), "AWS_REGION"),
             (env.get("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
             (file_value, "region in the settings file"),
             ((profile or {}).get("region"), "region of the AWS profile")]
    return [(value, source) for value, source in found if value][:1]


def aws_settings_problem(profile: str | None, region: str | None, endpoint_url: str | None,
                         allow_insecure_endpoint: bool = False,
                         env: Mapping[str, str] | None = None) -> str | None:
    """For settings resolved already (the app's profile/region switch): why they cannot be
    used, or None. `region` and `endpoint_url` as given to botocore (None: botocore's
    chain: the environment, then the profile)."""
    import os

    env = os.environ if env is None else env
    values = profile_values(profile, env)
    for value, source in region_sources(region, None, env, values):
        if problem := check_region(value, source if value != region else "region"):
            return problem
    url, source = endpoint_source(endpoint_url, None, env, values)
    if url is None:
        return None
    if problem := check_endpoint_url(url, source if url != endpoint_url else "endpoint URL"):
        return problem
    return None if allow_insecure_endpoint else insecure_endpoint_problem(url, source)
