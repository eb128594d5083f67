"""A redis-py service on a switchboard durable topic, written only from the README's "Entry format".

usage:
  topic_peer.py consume <host> <port> <topic> <group> <count>
      joins <group> (XGROUP CREATE at 0), reads with XREADGROUP COUNT 100, decodes `data` with
      msgpack.unpackb, acks each batch with XACK; prints one JSON line per entry
      {"id", "data", "headers"} and then "done".
  topic_peer.py publish <host> <port> <topic> <count>
      XADDs <count> entries: `data` packed with msgpack.packb, `headers` a JSON object of strings;
      prints each id on a line of its own.
"""
import json
import sys

import msgpack
import redis


def stream_key(topic):
    return "topic:{" + topic + "}"


def consume(r, topic, group, count):
    key = stream_key(topic)
    try:
        r.xgroup_create(key, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
    seen = 0
    while seen < count:
        reply = r.xreadgroup(group, "py", {key: ">"}, count=100, block=10_000)
        if not reply:
            raise SystemExit("no entries within 10 s")
        for _stream, entries in reply:
            for entry_id, fields in entries:
                headers = fields.get(b"headers")
                print(json.dumps({
                    "id": entry_id.decode(),
                    "data": msgpack.unpackb(fields[b"data"]),
                    "headers": json.loads(headers) if headers is not None else {},
                }), flush=True)
            r.xack(key, group, *[entry_id for entry_id, _ in entries])
            seen += len(entries)
    print("done", flush=True)


def publish(r, topic, count):
    key = stream_key(topic)
    for n in range(count):
        fields = {
            "data": msgpack.packb({"n": n, "from": "python", "tags": ["a", "b"]}),
            "headers": json.dumps({"source": "redis-py"}),
        }
        print(r.xadd(key, fields).decode(), flush=True)


def main():
    mode, host, port, topic = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    r = redis.Redis(host=host, port=port)
    if mode == "consume":
        consume(r, topic, sys.argv[5], int(sys.argv[6]))
    elif mode == "publish":
        publish(r, topic, int(sys.argv[5]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
