-- Moves dead letters back to their group's retry stream as first attempts.
-- KEYS[1] the group's dead-letter stream; KEYS[2] the group's retry stream.
-- ARGV[1] a dead letter id, or 'all'; ARGV[2] the most to move in this call.
-- Returns how many moved.
local entries
if ARGV[1] == 'all' then
  entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[2]))
else
  entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
end
for _, entry in ipairs(entries) do
  local fields = entry[2]
  local args = {'XADD', KEYS[2], '*'}
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == 'data' or name == 'headers' or name == 'origin' then
      args[#args + 1] = name
      args[#args + 1] = fields[i + 1]
    end
  end
  redis.call(unpack(args))
  redis.call('XDEL', KEYS[1], entry[1])
end
return #entries
