-- Cancels a scheduled entry not yet due, by schedule id or by key.
-- KEYS[1] the scheduled sorted set; KEYS[2] the scheduled-data hash; KEYS[3] the dedupe key of ARGV[1].
-- ARGV[1] a schedule id or a key.
-- Returns 1 when the entry was still scheduled and is now gone, else 0. Cancelling by key frees the key.
local id = ARGV[1]
if redis.call('ZREM', KEYS[1], id) == 0 then
  id = redis.call('GET', KEYS[3])
  if not id then return 0 end
  -- A key cancelled is free again: a publish under it afterwards schedules anew.
  redis.call('DEL', KEYS[3])
  if redis.call('ZREM', KEYS[1], id) == 0 then return 0 end
end
redis.call('HDEL', KEYS[2], id)
return 1
