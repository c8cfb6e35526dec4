"""Chat page time to first byte on localhost through daphne. Goal: p50 < 20 ms.   Usage: python bench/web_ttfb.py [--n 200]"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import BenchEnvironment, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    env = BenchEnvironment()
    env.create_user("bench", "bench-password-123")
    server = env.serve()
    try:
        client = server.login("bench", "bench-password-123")
        for _ in range(10):
            client.get("/")
        samples = []
        for _ in range(args.n):
            started = time.perf_counter()
            with client.stream("GET", "/") as response:
                next(response.iter_raw(1))
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"chat page TTFB over {args.n} requests: p50 {percentile(samples, 50):.1f} ms, p95 {percentile(samples, 95):.1f} ms"
        )
    finally:
        server.stop()
        env.close()


if __name__ == "__main__":
    main()
