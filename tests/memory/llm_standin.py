"""A stand-in structured-output client (no model can run in tests): records calls, answers from a script."""

calls: list[dict] = []
script: list[object] = []  # each call pops one: a dict to return, or an exception to raise


def client_factory():
    def client(*, system: str, messages: list[dict], tool: dict) -> dict:
        calls.append({"system": system, "messages": messages, "tool": tool})
        answer = script.pop(0) if script else {"operations": []}
        if isinstance(answer, Exception):
            raise answer
        return answer

    return client
