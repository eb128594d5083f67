"""A Daebus-style caller, as Daebus' DaebusCaller speaks: JSON requests on the service channel,
responses on a caller:<uuid> channel, non-final responses as progress. Used by the interop tests.

usage: daebus_caller.py <host> <port> <service>
prints one JSON line with the outcome of each call.
"""
import json
import sys
import time
import uuid

import redis


def main():
    host, port, service = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    r = redis.Redis(host=host, port=port, decode_responses=True)
    ps = r.pubsub()
    reply_to = f"caller:{uuid.uuid4()}"
    ps.subscribe(reply_to)
    # Wait for the subscription to be confirmed, so no response can come before it.
    while True:
        m = ps.get_message(timeout=5)
        if m is not None and m["type"] == "subscribe":
            break

    def call(action, payload, timeout=5.0):
        request_id = str(uuid.uuid4())
        msg = {
            "action": action,
            "payload": payload,
            "reply_to": reply_to,
            "request_id": request_id,
            "service": service,
        }
        receivers = r.publish(service, json.dumps(msg))
        progress = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = ps.get_message(timeout=0.1)
            if m is None or m["type"] != "message":
                continue
            data = json.loads(m["data"])
            if data.get("request_id") != request_id:
                continue
            if not data.get("final", True):
                progress.append(data.get("payload"))
                continue
            return {
                "receivers": receivers,
                "keys": list(data.keys()),
                "status": data.get("status"),
                "payload": data.get("payload"),
                "progress": progress,
            }
        return {"timeout": True}

    results = {
        "final": call("get_status", {}),
        "progress": call("process_large_dataset", {"items": 3}),
        "error": call("process_data", {"data": []}),
        "unknown": call("no_such_action", {}),
    }
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
