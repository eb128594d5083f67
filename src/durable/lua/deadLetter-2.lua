-- Acknowledges an entry and adds it to the group's dead letters, in one step. Nothing is added
-- when the entry was no longer pending (another consumer claimed and settled it).
-- KEYS[1] the stream it came from; KEYS[2] the group's dead-letter stream.
-- ARGV[1] the group; ARGV[2] the entry id; ARGV[3] '1' to delete it (a retry stream entry);
-- ARGV[4..] the dead letter's fields and values.
-- Returns the dead letter's id, or false when the entry was not pending.
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return false end
if ARGV[3] == '1' then redis.call('XDEL', KEYS[1], ARGV[2]) end
local args = {'XADD', KEYS[2], '*'}
for i = 4, #ARGV do args[#args + 1] = ARGV[i] end
return redis.call(unpack(args))
