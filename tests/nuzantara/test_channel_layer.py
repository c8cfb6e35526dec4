"""The Redis channel layer: a consumer waiting on its channel longer than the layer's 5 s blocking pop keeps waiting
(redis-py 8's default 5 s read timeout made that wait raise, closing websockets with 1011 under load)."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the Redis channel layer)"),
]


@pytest.mark.asyncio
async def test_an_idle_channel_wait_outlasts_the_blocking_pop():
    layer = get_channel_layer()
    channel = await layer.new_channel()

    with pytest.raises(asyncio.TimeoutError):  # still waiting, not a redis TimeoutError
        await asyncio.wait_for(layer.receive(channel), timeout=layer.brpop_timeout * 2 + 1)

    await layer.send(channel, {"type": "ping"})
    assert (await asyncio.wait_for(layer.receive(channel), timeout=5))["type"] == "ping"
