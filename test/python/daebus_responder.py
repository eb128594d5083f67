"""A Daebus-style service, answering as Daebus' PubSubResponse does: json.dumps of
{"status", "payload", "request_id", "final"} on reply_to. It knows nothing of switchboard's
instance channels. Used by the interop tests.

usage: daebus_responder.py <host> <port> <service>
prints "ready" once subscribed; exits after the "quit" action.
"""
import json
import sys

import redis


def main():
    host, port, service = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    r = redis.Redis(host=host, port=port, decode_responses=True)
    ps = r.pubsub()
    ps.subscribe(service)
    while True:
        m = ps.get_message(timeout=5)
        if m is not None and m["type"] == "subscribe":
            break
    print("ready", flush=True)

    for message in ps.listen():
        if message["type"] != "message":
            continue
        data = json.loads(message["data"])
        action = data.get("action")
        request_id = data.get("request_id")
        reply_to = data.get("reply_to")

        def send(payload, status="success", final=True):
            msg = {"status": status, "payload": payload, "request_id": request_id, "final": final}
            r.publish(reply_to, json.dumps(msg))

        if action == "add":
            payload = data.get("payload", {})
            send({"partial": payload["a"]}, final=False)
            send({"sum": payload["a"] + payload["b"]})
        elif action == "fail":
            send({"error": "python says no"}, status="error")
        elif action == "quit":
            send({"bye": True})
            break
        # Any other action is dropped without a reply, as Daebus does.


if __name__ == "__main__":
    main()
