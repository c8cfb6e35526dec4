"""The answer pipeline: one implementation behind every transport (websocket, SSE, plain POST)."""
