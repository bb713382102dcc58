"""botocore's data files, read for one client at a time without the fixed costs.

Every botocore client made reads the same files: endpoints.json (1.2 MB of JSON),
the service's model (gzipped), its endpoint rules, partitions, retry and default
settings; each object of them an OrderedDict. And before it loads a service's
model, botocore lists every service it knows (440 directories, 2,600 stats) to
check that the name is one of them. A one-shot command makes one client and
exits: those were about a quarter of its run (issue 14).

`install(session)` gives a botocore (or aiobotocore) session a Loader that

- checks a service name in that service's own directories: the same answer, since
  botocore counts a service as known when one of its API versions has the file;
- keeps each data file's content, as Python's `marshal` writes it, in the user's
  cache directory ($XDG_CACHE_HOME/chime-tui/botocore-VERSION/), keyed by
  botocore's and Python's versions and by the file's path, size and modification
  time. A cache file that is missing, stale, cut short or altered (it carries a
  checksum of its content), or that another user owns or could have written, is
  not used: the JSON is read as botocore reads it, and the cache file is written
  again (0600, whole or not at all). Nothing is ever read from the cache that
  the JSON would not give: the data is the same, in plain dicts (ordered, as
  OrderedDicts are) whether it came from the cache or from the JSON.

The cache holds only botocore's own data files (or those on AWS_DATA_PATH and in
~/.aws/models, which botocore reads too), never a credential or an answer.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import stat
import sys
from typing import Any

import botocore
import botocore.exceptions
import botocore.loaders

MAGIC = b"chime-tui-botocore-data-1\n"
_DIGEST = 16  # bytes of blake2b over the marshalled content
_EXTENSIONS = (".json", ".json.gz")  # botocore's own order: .json first


def cache_root(env: Any = None) -> str:
    """$XDG_CACHE_HOME/chime-tui (else ~/.cache/chime-tui)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "chime-tui")


def cache_dir(env: Any = None) -> str:
    """Where this botocore's data files are cached (one directory per version)."""
    return os.path.join(cache_root(env), f"botocore-{botocore.__version__}")


class CachedJSONFileLoader(botocore.loaders.JSONFileLoader):  # type: ignore[misc]
    """botocore's JSON file loader, with each file's content kept as marshal."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = cache_dir() if directory is None else directory
        self.hits = 0  # files read from the cache (the tests look)
        self.misses = 0  # files parsed from JSON

    def load_file(self, file_path: str) -> Any:
        for ext in _EXTENSIONS:
            full_path = file_path + ext
            try:
                st = os.stat(full_path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            key = (botocore.__version__, sys.version, full_path, st.st_size, st.st_mtime_ns)
            cache_file = os.path.join(self.directory, _name(full_path))
            found = _read(cache_file, key)
            if found is not None:
                self.hits += 1
                return found[0]
            data = self._parse(full_path, ext)
            if data is None:
                continue
            self.misses += 1
            _write(self.directory, cache_file, key, data)
            return data
        return None

    @staticmethod
    def _parse(full_path: str, ext: str) -> Any:
        """As botocore's JSONFileLoader reads the file, in plain (ordered) dicts."""
        if ext == ".json.gz":
            import gzip

            with gzip.open(full_path, "rb") as fp:
                payload = fp.read().decode("utf-8")
        else:
            with open(full_path, "rb") as fp:
                payload = fp.read().decode("utf-8")
        return json.loads(payload)


def _name(full_path: str) -> str:
    return hashlib.blake2b(full_path.encode("utf-8", "surrogateescape"),
                           digest_size=16).hexdigest() + ".marshal"


def _read(cache_file: str, key: tuple[Any, ...]) -> tuple[Any] | None:
    """(data,) from the cache file if it is ours, whole and for this key, else None."""
    try:
        with open(cache_file, "rb") as fh:
            if not _private(os.fstat(fh.fileno())):
                return None
            blob = fh.read()
    except OSError:
        return None
    head = len(MAGIC)
    if not blob.startswith(MAGIC) or len(blob) < head + _DIGEST:
        return None
    digest, body = blob[head:head + _DIGEST], blob[head + _DIGEST:]
    if hashlib.blake2b(body, digest_size=_DIGEST).digest() != digest:
        return None
    try:
        stored_key, data = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    if stored_key != key:
        return None
    return (data,)


def _private(st: os.stat_result) -> bool:
    """A cache file this user wrote and no one else may change (POSIX)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or (st.st_uid == getuid() and not st.st_mode & 0o022)


def _write(directory: str, cache_file: str, key: tuple[Any, ...], data: Any) -> None:
    """Write the cache file whole or not at all (another process may be reading it);
    a cache that cannot be written is only slower."""
    import tempfile

    try:
        body = marshal.dumps((key, data))
    except ValueError:  # not plain JSON data: nothing to gain
        return
    blob = MAGIC + hashlib.blake2b(body, digest_size=_DIGEST).digest() + body
    try:
        fresh = not os.path.isdir(directory)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if fresh:
            _prune(directory)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, cache_file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


KEEP_OTHER_VERSIONS = 2  # two installs side by side (two venvs) do not evict each other


def _prune(directory: str) -> None:
    """A new botocore's first cache: the other versions' caches (a few MB each) go,
    but for the KEEP_OTHER_VERSIONS most recently written."""
    import shutil

    parent, mine = os.path.split(directory)
    others = []
    try:
        for entry in os.scandir(parent):
            if entry.name.startswith("botocore-") and entry.name != mine and entry.is_dir():
                others.append((entry.stat().st_mtime_ns, entry.path))
    except OSError:
        return
    for _, path in sorted(others, reverse=True)[KEEP_OTHER_VERSIONS:]:
        shutil.rmtree(path, ignore_errors=True)


class Loader(botocore.loaders.Loader):  # type: ignore[misc]
    """botocore's Loader with a cached file loader, and a service name checked in that
    service's directories instead of in a listing of every service."""

    def _load_service_model(self, service_name: str, type_name: str,
                            api_version: str | None = None) -> Any:
        try:
            # The versions of this service that have the file: botocore knows the
            # service for this type exactly when there is one (list_available_services).
            latest = self.determine_latest_version(service_name, type_name)
        except botocore.exceptions.DataNotFoundError:
            # Unknown: botocore's own path, for its own error (and list of names).
            return super().load_service_model(service_name, type_name, api_version)
        if api_version is None:
            api_version = latest
        model = self.load_data(os.path.join(service_name, api_version, type_name))
        extras = self._find_extras(service_name, type_name, api_version)
        self._extras_processor.process(model, extras)
        return model

    # Kept per loader, as botocore keeps it (a client's model is loaded once).
    load_service_model = botocore.loaders.instance_cache(_load_service_model)


def make_loader(search_path_string: str | None = None,
                cache_directory: str | None = None) -> Loader:
    """As botocore's `create_loader` (AWS_DATA_PATH / the profile's data_path first)."""
    paths = None
    if search_path_string is not None:
        paths = [os.path.expanduser(os.path.expandvars(p))
                 for p in search_path_string.split(os.pathsep)]
    return Loader(extra_search_paths=paths, file_loader=CachedJSONFileLoader(cache_directory))


def install(session: Any) -> None:
    """Give a botocore or aiobotocore session this loader (before it makes a client),
    made when first needed, as botocore makes its own."""
    session.lazy_register_component(
        "data_loader", lambda: make_loader(session.get_config_variable("data_path")))
