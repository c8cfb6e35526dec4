import threading
import time

from nuzantara.versioned import VersionedCache


def test_the_value_is_rebuilt_only_when_the_version_changes():
    version = ["v1"]
    builds = []
    cache = VersionedCache(version=lambda: version[0], build=lambda v: builds.append(v) or f"value for {v}")

    first, again = cache.get(), cache.get()
    version[0] = "v2"
    changed = cache.get()
    cache.forget()
    rebuilt = cache.get()

    assert (first, again, changed, rebuilt) == ("value for v1", "value for v1", "value for v2", "value for v2")
    assert builds == ["v1", "v2", "v2"]


def test_concurrent_readers_of_a_stale_value_wait_for_one_build():
    builds = []

    def build(version):
        builds.append(version)
        time.sleep(0.2)  # long enough for every reader to arrive while it runs
        return object()

    cache = VersionedCache(version=lambda: "v1", build=build)
    values = []
    readers = [threading.Thread(target=lambda: values.append(cache.get())) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()

    assert builds == ["v1"]
    assert len({id(value) for value in values}) == 1 and len(values) == 8
