-- Schedules an entry for a due time, unless its dedupe key was used within the window.
-- KEYS[1] the scheduled sorted set; KEYS[2] the scheduled-data hash; KEYS[3] the dedupe key (unused without one).
-- ARGV[1] the schedule id; ARGV[2] the due time, epoch ms; ARGV[3] the window in ms, or '' for no key;
-- ARGV[4] the packed entry: parts `<bytes>:<part>` of target stream ('' = the topic), field, value, ...
-- Returns the schedule id, or the id the key was first published under.
if ARGV[3] ~= '' then
  local first = redis.call('GET', KEYS[3])
  if first then return first end
  redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
return ARGV[1]
