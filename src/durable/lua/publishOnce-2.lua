-- Adds an entry unless its dedupe key was used within the window.
-- KEYS[1] the topic stream; KEYS[2] the dedupe key of the publish's key.
-- ARGV[1] the window in ms; ARGV[2] '' or the trim strategy ('MAXLEN' | 'MINID'); ARGV[3] its threshold;
-- ARGV[4..] the entry's fields and values.
-- Returns the new entry id, or the id the key was first published under.
local first = redis.call('GET', KEYS[2])
if first then return first end
local args = {'XADD', KEYS[1]}
if ARGV[2] ~= '' then
  args[#args + 1] = ARGV[2]
  args[#args + 1] = '~'
  args[#args + 1] = ARGV[3]
end
args[#args + 1] = '*'
for i = 4, #ARGV do args[#args + 1] = ARGV[i] end
local id = redis.call(unpack(args))
redis.call('SET', KEYS[2], id, 'PX', ARGV[1])
return id
