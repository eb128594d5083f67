-- Moves scheduled entries that are due to their streams, atomically: with several schedulers
-- running, each entry moves once.
-- KEYS[1] the scheduled sorted set; KEYS[2] the scheduled-data hash; KEYS[3] the topic stream.
-- ARGV[1] now, epoch ms; ARGV[2] the most to move; ARGV[3] '' or the trim strategy; ARGV[4] its threshold.
-- Returns { moved, the next due time left ('' when none) }.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  local packed = redis.call('HGET', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  if packed then
    -- Length-prefixed parts (`<bytes>:<part>`): Redis's cmsgpack cannot read msgpack bin.
    local entry, pos = {}, 1
    while pos <= #packed do
      local colon = string.find(packed, ':', pos, true)
      local size = tonumber(string.sub(packed, pos, colon - 1))
      entry[#entry + 1] = string.sub(packed, colon + 1, colon + size)
      pos = colon + size + 1
    end
    local args
    if entry[1] == '' then
      args = {'XADD', KEYS[3]}
      if ARGV[3] ~= '' then
        args[#args + 1] = ARGV[3]
        args[#args + 1] = '~'
        args[#args + 1] = ARGV[4]
      end
    else
      args = {'XADD', entry[1]}
    end
    args[#args + 1] = '*'
    for i = 2, #entry do args[#args + 1] = entry[i] end
    redis.call(unpack(args))
  end
end
local nextDue = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {#due, nextDue[2] or ''}
