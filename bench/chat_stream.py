"""Chat streaming overhead and concurrency through daphne + the Redis channel layer, with a fake LLM.

Prints: our overhead (client time-to-first-token minus the model's own first-token delay) p50/p95 over sequential
asks, then N concurrent websocket conversations: completed, lost, p95 time to first token.
Goals: overhead p50 < 50 ms; 0 lost at 200.   Usage: python bench/chat_stream.py [--concurrent 200] [--sequential 30]
--topology: the `make up` topology instead of one daphne (Procfile.local: a Chroma server, two web processes, a worker
and beat); the concurrent chats alternate between the two web processes.
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets  # noqa: E402

from bench._server import BenchEnvironment, LocalTopology, percentile  # noqa: E402

SINGLE_PROCESS_TTFT_P95_S = 7.2  # 200 concurrent chats on one daphne, 2026-11-27 (README)
from tests.fakes.llm_servers import Behaviour, FakeAnthropic  # noqa: E402


async def ask(url: str, session: str, question: str) -> tuple[float, bool]:
    uri = url.replace("http", "ws") + "/ws/chat/"
    headers = {"Cookie": f"sessionid={session}", "Origin": url}
    started = time.perf_counter()
    ttft = None
    async with websockets.connect(uri, additional_headers=headers, open_timeout=60) as socket:
        await socket.send(json.dumps({"type": "ask", "conversation_id": None, "message": question}))
        while True:
            event = json.loads(await asyncio.wait_for(socket.recv(), timeout=120))
            if event["type"] == "token" and ttft is None:
                ttft = time.perf_counter() - started
            if event["type"] == "done":
                return (ttft or 0.0), event["status"] == "complete"
            if event["type"] == "error" and ttft is None:
                return 0.0, False


async def concurrent(urls: list[str], session: str, n: int) -> tuple[list[float], int]:
    results = await asyncio.gather(
        *(ask(urls[i % len(urls)], session, f"How do I extend my KITAS? ({i})") for i in range(n)),
        return_exceptions=True,
    )
    ttfts = [r[0] for r in results if not isinstance(r, BaseException) and r[1]]
    return ttfts, n - len(ttfts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--first-token-delay", type=float, default=0.3)
    parser.add_argument("--topology", action="store_true", help="two web processes + Chroma server + worker + beat")
    args = parser.parse_args()

    fake = FakeAnthropic().start()
    fake.default = Behaviour(
        tokens=[f" token{i}" for i in range(20)], first_token_delay=args.first_token_delay, token_interval=0.01
    )
    env = BenchEnvironment(
        {"ANTHROPIC_API_KEY": "sk-bench", "ANTHROPIC_BASE_URL": fake.url, "API_THROTTLE_ASK": "100000/min"}
    )
    env.create_user("bench", "bench-password-123")
    server = LocalTopology(env.env) if args.topology else env.serve()
    urls = server.urls if args.topology else [server.url]
    try:
        session = server.login("bench", "bench-password-123").cookies["sessionid"]
        for url in urls:  # each web process loads its models on a first question
            for _ in range(3):
                try:
                    asyncio.run(ask(url, session, "warm up"))
                    break
                except Exception as exc:  # noqa: BLE001 - a web process still warming up may close the socket
                    print(f"warm-up on {url} failed ({type(exc).__name__}), again")
        if args.topology:
            print(f"topology logs: {server.logs}")
        overheads = []
        for i in range(args.sequential):
            ttft, ok = asyncio.run(ask(server.url, session, f"What is an E28A investor KITAS? {i}"))
            if ok:
                overheads.append((ttft - args.first_token_delay) * 1000)
        print(f"sequential asks: {len(overheads)}/{args.sequential} complete")
        print(
            f"overhead (client TTFT - model first-token delay): p50 {percentile(overheads, 50):.1f} ms, p95 {percentile(overheads, 95):.1f} ms"
        )
        ttfts, lost = asyncio.run(concurrent(urls, session, args.concurrent))
        print(
            f"{args.concurrent} concurrent websocket conversations over {len(urls)} web process(es): "
            f"completed {len(ttfts)}, lost {lost}, "
            f"TTFT p50 {percentile(ttfts, 50) * 1000:.0f} ms, p95 {percentile(ttfts, 95) * 1000:.0f} ms "
            f"(single process, 2026-11-27: p95 {SINGLE_PROCESS_TTFT_P95_S:.1f} s)"
        )
    finally:
        server.stop()
        env.close()
        fake.stop()


if __name__ == "__main__":
    main()
