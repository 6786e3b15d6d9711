"""The Python Slack SDK's side of benches/compare_python.sh.

Usage: python compare_python.py URL PAGE_FILE
Prints one JSON object: the median parse time of PAGE_FILE into
SearchUsersResponse(...).users, the client CPU per sequential read_user,
and the async throughput at concurrency 64: as the SDK does it by default
(a new aiohttp session, so a new connection, per call), and with one
aiohttp session passed in (keep-alive), for reference.

Usage: python compare_python.py cpu URL
Prints only the client CPU per sequential read_user, in seconds (the
script runs it pinned to the server's core).
"""

import asyncio
import json

import aiohttp
import statistics
import sys
import time

from slack_sdk.scim import SCIMClient, SCIMResponse, SearchUsersResponse
from slack_sdk.scim.async_client import AsyncSCIMClient

calls, async_calls, concurrency = 1000, 10_000, 64


def cpu_per_call(url):
    """Client CPU (the whole process) per sequential read_user."""
    client = SCIMClient(token="xoxp-bench", base_url=url)
    cpu_start = time.process_time()
    for i in range(calls):
        client.read_user(f"W{i:08}").user
    return (time.process_time() - cpu_start) / calls


if sys.argv[1] == "cpu":
    print(cpu_per_call(sys.argv[2]))
    sys.exit(0)

url, page_file = sys.argv[1], sys.argv[2]

with open(page_file, encoding="utf-8") as f:
    raw = f.read()


def parse_once():
    start = time.perf_counter()
    response = SearchUsersResponse(
        SCIMResponse(url=url, status_code=200, raw_body=raw, headers={})
    )
    users = response.users
    assert len(users) == 1000
    return time.perf_counter() - start


parse = statistics.median(parse_once() for _ in range(21))



async def read_many(shared_session):
    session = aiohttp.ClientSession() if shared_session else None
    async_client = AsyncSCIMClient(token="xoxp-bench", base_url=url, session=session)
    per_task = async_calls // concurrency

    async def worker(task):
        for i in range(per_task + (1 if task < async_calls % concurrency else 0)):
            response = await async_client.read_user(f"W{task:03}{i:06}")
            assert response.status_code == 200

    start = time.perf_counter()
    await asyncio.gather(*(worker(t) for t in range(concurrency)))
    elapsed = time.perf_counter() - start
    if session is not None:
        await session.close()
    return async_calls / elapsed


throughput = asyncio.run(read_many(shared_session=False))
throughput_session = asyncio.run(read_many(shared_session=True))
print(json.dumps({
    "parse_s": parse,
    "cpu_per_call_s": cpu_per_call(url),
    "async_calls_per_s": throughput,
    "async_session_calls_per_s": throughput_session,
}))
