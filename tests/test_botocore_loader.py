"""botocore's data files through chime_tui.aws.loader (issue 14, one-shot wall time): the
same data as botocore's own Loader, from the JSON or from the cache, whatever state the
cache is in; a known service found without listing all of them."""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import botocore
import botocore.loaders
import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError

from chime_tui.aws import loader as cached
from chime_tui.aws.factory import SERVICE, prepare_session
from chime_tui.emulator import SEED_CONNECTOR_ID, SEED_SESSION_ID

# Every file a chime-sdk-voice client reads.
DATA = ("endpoints", "partitions", "_retry", "sdk-default-configuration")
MODELS = ("service-2", "endpoint-rule-set-1", "paginators-1")


def same(a, b) -> bool:
    """Equal, keys in the same order too."""
    return json.dumps(a) == json.dumps(b)


def ours(cache: Path, data_path: str | None = None) -> cached.Loader:
    return cached.make_loader(data_path, cache_directory=str(cache))


def everything(loader) -> list:
    return [loader.load_data(name) for name in DATA] + [
        loader.load_service_model(SERVICE, kind) for kind in MODELS]


def test_the_data_is_botocores_from_the_json_and_from_the_cache(tmp_path):
    reference = everything(botocore.loaders.Loader())
    first = ours(tmp_path / "cache")
    assert all(same(a, b) for a, b in zip(everything(first), reference, strict=True))
    assert first.file_loader.misses == len(DATA) + len(MODELS) and first.file_loader.hits == 0
    again = ours(tmp_path / "cache")
    assert all(same(a, b) for a, b in zip(everything(again), reference, strict=True))
    assert again.file_loader.hits == len(DATA) + len(MODELS) and again.file_loader.misses == 0


def test_a_known_service_is_found_without_listing_every_service(tmp_path, monkeypatch):
    def listing(self, type_name):
        raise AssertionError("listed every service")

    monkeypatch.setattr(botocore.loaders.Loader, "list_available_services", listing)
    loader = ours(tmp_path / "cache")
    for kind in MODELS:
        assert loader.load_service_model(SERVICE, kind)


@pytest.mark.parametrize("service, kind", [("no-such-service", "service-2"),
                                           (SERVICE, "waiters-2")])  # it has none
def test_an_unknown_service_or_model_is_botocores_own_error(tmp_path, service, kind):
    with pytest.raises(UnknownServiceError) as theirs:
        botocore.loaders.Loader().load_service_model(service, kind)
    with pytest.raises(UnknownServiceError) as mine:
        ours(tmp_path / "cache").load_service_model(service, kind)
    assert str(mine.value) == str(theirs.value)


def custom_data_path(root: Path, version: str, documentation: str) -> Path:
    """AWS_DATA_PATH with a newer API version of the service, as a plain .json file."""
    source = Path(botocore.__file__).parent / "data" / SERVICE
    latest = max(p.name for p in source.iterdir())
    model = json.loads(gzip.decompress((source / latest / "service-2.json.gz").read_bytes()))
    model["documentation"] = documentation
    target = root / SERVICE / version
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    return root


def test_aws_data_path_wins_as_in_botocore_and_a_changed_file_is_read_again(tmp_path):
    data = custom_data_path(tmp_path / "data", "2099-01-01", "first")
    theirs = botocore.loaders.create_loader(str(data)).load_service_model(SERVICE, "service-2")
    mine = ours(tmp_path / "cache", str(data)).load_service_model(SERVICE, "service-2")
    assert mine["documentation"] == theirs["documentation"] == "first"
    assert same(mine, theirs)
    # The same file changed (size and time): the cache is not used for it.
    custom_data_path(tmp_path / "data", "2099-01-01", "second, longer")
    loader = ours(tmp_path / "cache", str(data))
    assert loader.load_service_model(SERVICE, "service-2")["documentation"] == "second, longer"
    assert loader.file_loader.misses == 1


def cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.suffix == ".marshal")


def spoil_truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-100])


def spoil_flip(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))


def spoil_garbage(path: Path) -> None:
    path.write_bytes(b"\x00garbage" * 50)


def spoil_empty(path: Path) -> None:
    path.write_bytes(b"")


def spoil_other_key(path: Path) -> None:
    """A whole, checksummed file written for another key (another file's content)."""
    blob = path.read_bytes()
    body = blob[len(cached.MAGIC) + 16:]
    key, _data = marshal.loads(body)
    body = marshal.dumps(((*key[:-1], key[-1] + 1), {"not": "this"}))
    path.write_bytes(cached.MAGIC + hashlib.blake2b(body, digest_size=16).digest() + body)


def spoil_shared(path: Path) -> None:
    path.chmod(0o666)  # others could have written it


@pytest.mark.parametrize("spoil", [spoil_truncate, spoil_flip, spoil_garbage, spoil_empty,
                                   spoil_other_key, spoil_shared])
def test_a_spoiled_cache_file_is_not_used_and_is_written_again(tmp_path, spoil):
    reference = everything(botocore.loaders.Loader())
    everything(ours(tmp_path / "cache"))
    for path in cache_files(tmp_path / "cache"):
        spoil(path)
    loader = ours(tmp_path / "cache")
    assert all(same(a, b) for a, b in zip(everything(loader), reference, strict=True))
    assert loader.file_loader.hits == 0
    again = ours(tmp_path / "cache")
    everything(again)
    assert again.file_loader.misses == 0  # rewritten whole


def test_a_cache_that_cannot_be_written_is_only_slower(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    reference = everything(botocore.loaders.Loader())
    for _ in range(2):
        loader = ours(blocker / "cache")
        assert all(same(a, b) for a, b in zip(everything(loader), reference, strict=True))
        assert loader.file_loader.hits == 0


def test_a_new_botocore_version_clears_all_but_the_two_latest_other_caches(tmp_path):
    root = tmp_path / "chime-tui"
    for age, version in enumerate(["0.0.3", "0.0.2", "0.0.1"]):  # 0.0.1 the oldest
        old = root / f"botocore-{version}"
        old.mkdir(parents=True)
        (old / "x.marshal").write_bytes(b"old")
        os.utime(old, ns=(10**18 - age * 10**12,) * 2)
    (root / "something-else").mkdir()
    ours(root / f"botocore-{botocore.__version__}").load_data("_retry")
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [f"botocore-{botocore.__version__}", "botocore-0.0.3", "botocore-0.0.2",
         "something-else"])


def test_where_the_cache_is():
    version = f"botocore-{botocore.__version__}"
    assert cached.cache_dir({"XDG_CACHE_HOME": "/c", "HOME": "/h"}) == f"/c/chime-tui/{version}"
    assert cached.cache_dir({"HOME": "/h"}) == f"/h/.cache/chime-tui/{version}"


def test_a_session_gets_the_loader_with_its_data_path(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    session = botocore.session.Session()
    prepare_session(session)
    loader = session.get_component("data_loader")
    assert isinstance(loader, cached.Loader)
    assert loader.search_paths[0] == str(tmp_path / "models")
    assert loader.file_loader.directory == cached.cache_dir()


def test_the_command_fills_the_cache_once_and_then_reads_it(server, isolated_env):
    """Two runs, the same bytes; the second rewrites no cache file (every file a hit)."""
    args = [sys.executable, "-m", "chime_tui", "get-proxy-session", "--endpoint-url",
            server.url, "--voice-connector-id", SEED_CONNECTOR_ID, "--proxy-session-id",
            SEED_SESSION_ID]
    first = subprocess.run(args, capture_output=True, text=True, timeout=60)
    cache = Path(cached.cache_dir())
    written = {p: p.stat().st_mtime_ns for p in cache_files(cache)}
    endpoints = cache / cached._name(str(Path(botocore.__file__).parent / "data" /
                                         "endpoints.json"))
    assert first.returncode == 0 and endpoints in written and len(written) >= 3
    second = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert (second.returncode, second.stdout) == (0, first.stdout)
    assert {p: p.stat().st_mtime_ns for p in cache_files(cache)} == written
